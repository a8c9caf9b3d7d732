import { Prisma, type PrismaClient, type User } from '@dialoop/db';
import { AppError, ErrorCode, notFound } from '../../errors.js';
import { hashPassword } from '../auth/passwords.js';
import { accessible, type AppAbility } from '../rbac/ability.js';
import { ROLES, type RoleName } from '../rbac/rules.js';

export const DEMO_EMAILS: Record<RoleName, string> = {
  USER: 'user@demo.local',
  REVIEWER: 'reviewer@demo.local',
  COMPLIANCE: 'compliance@demo.local',
  ADMIN: 'admin@demo.local',
};

export class UserService {
  constructor(private readonly db: PrismaClient) {}

  async get(ability: AppAbility, id: string): Promise<User> {
    const user = await this.db.user.findFirst({ where: { AND: [accessible(ability).ofType('User'), { id }] } });
    if (!user) throw notFound('User');
    return user;
  }

  list(ability: AppAbility, first: number, after: string | undefined) {
    return this.db.user.findMany({
      where: { AND: [accessible(ability).ofType('User'), after ? { email: { gt: after } } : {}] },
      orderBy: { email: 'asc' },
      take: first,
    });
  }

  async create(input: { email: string; password: string; role: RoleName; name?: string | undefined }): Promise<User> {
    try {
      return await this.db.user.create({
        data: { email: input.email.trim().toLowerCase(), passwordHash: await hashPassword(input.password), role: input.role, name: input.name ?? null },
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new AppError(ErrorCode.CONFLICT, 'A user with this email already exists');
      }
      throw err;
    }
  }

  async update(ability: AppAbility, id: string, data: { role?: RoleName; disabled?: boolean }): Promise<User> {
    const user = await this.db.user.findFirst({ where: { AND: [accessible(ability, 'update').ofType('User'), { id }] } });
    if (!user) throw notFound('User');
    return this.db.user.update({ where: { id }, data });
  }

  /** Creates one account per role while the database has no users; returns what it created. */
  async ensureDemoAccounts(password: string): Promise<{ email: string; role: RoleName }[]> {
    if ((await this.db.user.count()) > 0) return [];
    const passwordHash = await hashPassword(password);
    const rows = ROLES.map((role) => ({ email: DEMO_EMAILS[role], role, name: `Demo ${role.toLowerCase()}`, passwordHash }));
    await this.db.user.createMany({ data: rows, skipDuplicates: true });
    return rows.map(({ email, role }) => ({ email, role }));
  }
}
