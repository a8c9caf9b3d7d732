import type { Prisma, PrismaClient } from '@dialoop/db';
import type { ChatTurn } from './upstream.js';

const ROLE: Record<string, ChatTurn['role']> = { SYSTEM: 'system', USER: 'user', ASSISTANT: 'assistant' };

/**
 * The turns from a conversation's root down to `leafId`, oldest first, empty texts left out: what
 * a reply is generated from, and the prompt a review item shows. One recursive query walks the
 * message tree up from the leaf, so only that path is read.
 */
export async function turnsTo(db: PrismaClient | Prisma.TransactionClient, leafId: string): Promise<ChatTurn[]> {
  const rows = await db.$queryRaw<{ role: string; content: string }[]>`
    WITH RECURSIVE chain AS (
      SELECT id, "parentId", role::text AS role, content, 0 AS depth FROM "Message" WHERE id = ${leafId}::uuid
      UNION ALL
      SELECT m.id, m."parentId", m.role::text, m.content, c.depth + 1 FROM "Message" m JOIN chain c ON m.id = c."parentId"
    )
    SELECT role, content FROM chain WHERE content <> '' ORDER BY depth DESC`;
  return rows.map((r) => ({ role: ROLE[r.role]!, content: r.content }));
}
