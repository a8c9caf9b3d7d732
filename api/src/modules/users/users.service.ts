import { Prisma, type PrismaClient, type User } from '@dialoop/db';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, notFound } from '../../errors.js';
import type { AuditLog } from '../audit/index.js';
import { hashPassword } from './passwords.js';
import { accessible, type AppAbility, ROLES, type RoleName } from '../rbac/index.js';
import { keepsAnAdmin, lastAdmin } from './last-admin.js';

export const DEMO_EMAILS: Record<RoleName, string> = {
  USER: 'user@demo.local',
  REVIEWER: 'reviewer@demo.local',
  COMPLIANCE: 'compliance@demo.local',
  ADMIN: 'admin@demo.local',
  ML_ENGINEER: 'ml@demo.local',
  SENIOR_REVIEWER: 'senior@demo.local',
};

export class UserService {
  constructor(
    private readonly db: PrismaClient,
    private readonly audit: AuditLog,
  ) {}

  async get(ability: AppAbility, id: string): Promise<User> {
    const user = await this.db.user.findFirst({ where: { AND: [accessible(ability).ofType('User'), { id }] } });
    if (!user) throw notFound('User');
    return user;
  }

  /**
   * Accounts the caller may see. Paging by email (`after`: the last email of the previous page)
   * is for callers who may read every account's email: for anyone else an email cursor would
   * answer "does this person's email sort after X?" and spell it out by bisection, so they get
   * one page, oldest accounts first, and no cursor. A page holding other people's accounts is a
   * recorded read.
   */
  async list(caller: Caller, first: number, after: string | undefined, search?: string) {
    const readsEveryEmail = caller.ability.rulesFor('read', 'User', 'email').some((r) => !r.inverted && !r.conditions);
    if (after !== undefined && !readsEveryEmail) throw badInput('after pages by email, which only admins may read: ask for a larger page (first) instead');
    // Searching emails and names would tell others what they cannot read, bit by bit.
    if (search !== undefined && !readsEveryEmail) throw badInput('search matches emails and names, which only admins may read');
    const users = await this.db.user.findMany({
      where: { AND: [accessible(caller.ability).ofType('User'), after ? { email: { gt: after } } : {}, search ? this.matching(search) : {}] },
      orderBy: readsEveryEmail ? { email: 'asc' } : [{ createdAt: 'asc' }, { id: 'asc' }],
      take: first,
    });
    const others = users.filter((u) => u.id !== caller.actor?.userId).length;
    if (others > 0) await this.audit.write(caller.audit, { action: 'users', subject: { type: 'User' }, after: { othersReturned: others } });
    return users;
  }

  /** Accounts whose email or name contains the text (any case), or whose id it is. */
  private matching(search: string): Prisma.UserWhereInput {
    const like = { contains: search, mode: 'insensitive' as const };
    const exact: Prisma.UserWhereInput[] = [];
    if (/^[0-9a-f-]{36}$/i.test(search)) exact.push({ id: search.toLowerCase() });
    return { OR: [{ email: like }, { name: like }, ...exact] };
  }

  async create(caller: Pick<Caller, 'audit'>, input: { email: string; password: string; role: RoleName; name?: string | undefined }): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.db.$transaction(async (tx) => {
        const user = await tx.user.create({ data: { email: input.email.trim().toLowerCase(), passwordHash, role: input.role, name: input.name ?? null } });
        const person = this.audit.person(user.id);
        await this.audit.record(tx, caller.audit, { action: 'createUser', subject: { type: 'User', id: person, owner: person }, after: { role: user.role } });
        return user;
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new AppError(ErrorCode.CONFLICT, 'A user with this email already exists');
      }
      throw err;
    }
  }

  /** Role and access changes, recorded with what they were and what they became. */
  async update(caller: Caller, id: string, data: { role?: RoleName; disabled?: boolean }): Promise<User> {
    return this.db.$transaction(async (tx) => {
      const user = await tx.user.findFirst({ where: { AND: [accessible(caller.ability, 'update').ofType('User'), { id }] } });
      if (!user) throw notFound('User');
      // Nobody may leave the platform without an active admin (the refusal is recorded as FAILED).
      if (!(await keepsAnAdmin(tx, id, { role: data.role ?? user.role, disabled: data.disabled ?? user.disabled }))) throw lastAdmin();
      const updated = await tx.user.update({ where: { id }, data });
      const person = this.audit.person(id);
      await this.audit.record(tx, caller.audit, {
        action: 'updateUser',
        subject: { type: 'User', id: person, owner: person },
        before: { role: user.role, disabled: user.disabled },
        after: { role: updated.role, disabled: updated.disabled },
      });
      return updated;
    });
  }

  /** Creates one account per role while the database has no users; returns what it created. */
  async ensureDemoAccounts(password: string): Promise<{ email: string; role: RoleName }[]> {
    if ((await this.db.user.count()) > 0) return [];
    const passwordHash = await hashPassword(password);
    const rows = ROLES.map((role) => ({ email: DEMO_EMAILS[role], role, name: `Demo ${role.toLowerCase()}`, passwordHash }));
    const created = await this.db.$transaction(async (tx) => {
      const users = await tx.user.createManyAndReturn({ data: rows, skipDuplicates: true });
      await this.audit.record(
        tx,
        this.audit.serviceScope('bootstrap'),
        users.map((u) => ({ action: 'createUser', subject: { type: 'User', id: this.audit.person(u.id), owner: this.audit.person(u.id) }, after: { role: u.role, demo: true } })),
      );
      return users;
    });
    return created.map(({ email, role }) => ({ email, role }));
  }
}
