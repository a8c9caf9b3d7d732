/**
 * The hot loop of a verification, shared by `AuditLog.verify` and its worker threads: entries
 * read as text arrays (`Database.textRows`, past Prisma's per-row work), the next batch read
 * while one is hashed. The work is split between the two sides: JavaScript recomputes each
 * entry's `bodyHash` from its fields (the canonical encoding lives here) and compares it with
 * the stored one; PostgreSQL recomputes each link hash with its `sha256()` as it reads the row,
 * on its own core. JavaScript then checks the sequence and that each entry links to the one
 * before. (Offline verification, `pnpm audit:verify`, computes both hashes itself.) Nothing here
 * touches Prisma or GraphQL, so a worker loads little.
 */
import type { TextRows } from '@dialoop/db';
import { rowBodyHash, type ChainBreak, type ChainWalker } from './chain.js';

const BATCH = 2_500;

/**
 * An entry's columns as text, in the order the walk reads them (ordered by the number, not by its
 * text); `canonicalRowBody` (chain.ts) reads the body from these positions.
 */
export const VERIFY_SELECT = `SELECT "seq"::text, ((extract(epoch FROM "at") * 1000)::bigint)::text, "actorKind"::text, "actorPseudonym", "actorRole",
  "apiKeyId", "action", "subjectType", "subjectId", "subjectOwner", "outcome"::text, "requestId", "clientIp", "userAgent", "before"::text,
  "after"::text, "prevHash", "hash", "bodyHash",
  ("hash" = encode(sha256(convert_to("prevHash" || ':' || "seq"::text || ':' || ((extract(epoch FROM "at") * 1000)::bigint)::text || ':' || "bodyHash", 'UTF8')), 'hex'))::text
  FROM "AuditEntry" e WHERE e."seq" > $1 AND e."seq" <= $2 ORDER BY e."seq" LIMIT ${BATCH}`;

/** Feeds entries `from`..`to` to `walker`; returns the first break, if any. */
export async function walkRange(textRows: TextRows, walker: ChainWalker, from: number, to: number): Promise<ChainBreak | undefined> {
  const fetch = (after: number) => textRows(VERIFY_SELECT, [after, to]);
  let next = fetch(from - 1);
  for (;;) {
    const rows = await next;
    if (rows.length === 0) return undefined;
    const last = Number(rows[rows.length - 1]![0]);
    if (last < to) next = fetch(last);
    for (const x of rows) {
      // The stored bodyHash must be the fields' own, and the link (checked by PostgreSQL) must hold.
      const broken = walker.stepChecked(Number(x[0]), x[16]!, x[17]!, x[18] === rowBodyHash(x) && x[19] === 'true');
      if (broken) return broken;
    }
    if (last >= to) return undefined;
  }
}
