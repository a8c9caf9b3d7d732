import type { Prisma } from '@dialoop/db';
import type { RoleName } from '../rbac/index.js';
import { AppError, ErrorCode } from '../../errors.js';

/** One lock for every change to who administers the platform: two admins demoting each other at once cannot both win. */
const ADMINS_LOCK = 0x6469_616c; // "dial"

/**
 * Whether the platform still has an active admin once `userId` becomes `after` (null: deleted).
 * Call inside the transaction that makes the change; it serialises such changes.
 */
export async function keepsAnAdmin(tx: Prisma.TransactionClient, userId: string, after: { role: RoleName; disabled: boolean } | null): Promise<boolean> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMINS_LOCK}::bigint)`;
  const before = await tx.user.findUnique({ where: { id: userId }, select: { role: true, disabled: true } });
  if (!before || before.role !== 'ADMIN' || before.disabled) return true; // not an active admin: nothing to lose
  if (after && after.role === 'ADMIN' && !after.disabled) return true;
  return (await tx.user.count({ where: { role: 'ADMIN', disabled: false, id: { not: userId } } })) > 0;
}

export const lastAdmin = () =>
  new AppError(ErrorCode.CONFLICT, 'This is the last active admin: make someone else an admin first', { reason: 'LAST_ACTIVE_ADMIN' });
