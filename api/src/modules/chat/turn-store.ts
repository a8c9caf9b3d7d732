import { createHash } from 'node:crypto';
import { Prisma, type Conversation, type Message, type TextRows } from '@dialoop/db';
import { notFound } from '../../errors.js';
import { insertJsonRows } from '../../sql.js';

/** A message of a turn, as stored (the database fills in ordinal, createdAt and the defaults). */
export interface TurnMessage {
  id: string;
  conversationId: string;
  userId: string;
  parentId: string | null;
  role: 'USER' | 'ASSISTANT';
  content: string;
  status: 'COMPLETE' | 'STREAMING' | 'QUEUED';
  model: string | null;
  params: Prisma.InputJsonObject | null;
  safety: 'BLOCK' | 'MASK' | 'REVIEW' | null;
  generatorId: string | null;
}

export interface TurnWrite {
  /** A new conversation (created) or an existing one (its updatedAt moves). */
  conversation: { id: string; create?: { userId: string; title: string } };
  messages: TurnMessage[];
  /**
   * Further statements of the same write (the prompt's safety events, then its audit entry,
   * last): each an `INSERT … SELECT … FROM …` without a WHERE clause, to which the guard's is added.
   */
  also: Prisma.Sql[];
  /** The turn is stored only while this person has fewer replies streaming (the count is read by the same statement). */
  limit: { userId: string; maxStreaming: number };
}

export type TurnWritten = { admitted: true; conversation: Conversation; messages: Message[] } | { admitted: false; streaming: number };

const MESSAGE_COLUMNS = {
  id: 'uuid', conversationId: 'uuid', userId: 'uuid', parentId: 'uuid', role: '"MessageRole"', content: 'text', status: '"MessageStatus"',
  model: 'text', params: 'jsonb', safety: '"SafetyLevel"', generatorId: 'text', deltaEnds: 'int[]',
};
const DATES = ['createdAt', 'updatedAt', 'lockedAt', 'importedAt', 'completedAt'] as const;

/** A row as row_to_json wrote it, with its timestamps as Dates again. */
function revive<T>(row: Record<string, unknown>): T {
  for (const k of DATES) if (typeof row[k] === 'string') row[k] = new Date(row[k]);
  return row as T;
}

/**
 * Stores a turn in one SQL statement: the conversation, its new messages and what else records
 * the turn (safety events, the audit entry), if the person's replies streaming now are within
 * their limit (read by the same statement: a send waits on one round trip). One statement is one transaction and one round
 * trip: the audit chain's lock, taken by the entry's insert, is released by the commit that ends
 * the same statement, inside the database, however busy this process is. (Written as a chain of
 * Prisma calls in an interactive transaction, the lock was held across four round trips and the
 * event-loop turns between them: under load, every send queued behind it.)
 */
export async function writeTurn(textRows: TextRows, w: TurnWrite): Promise<TurnWritten> {
  const c = w.conversation;
  const ok = Prisma.sql`(SELECT ok FROM guard)`;
  const conv = c.create
    ? Prisma.sql`INSERT INTO "Conversation" ("id", "userId", "title", "updatedAt") SELECT ${c.id}::uuid, ${c.create.userId}::uuid, ${c.create.title}, now() WHERE ${ok} RETURNING *`
    : Prisma.sql`UPDATE "Conversation" SET "updatedAt" = now() WHERE "id" = ${c.id}::uuid AND ${ok} RETURNING *`;
  const also = w.also.map((sql, i) => Prisma.sql`, ${Prisma.raw(`also${i}`)} AS (${sql} WHERE ${ok} RETURNING 1)`);
  const statement = Prisma.sql`
    WITH guard AS (
      SELECT count(*) < ${w.limit.maxStreaming} AS ok, count(*)::int AS streaming
      FROM "Message" WHERE "userId" = ${w.limit.userId}::uuid AND "status" IN ('STREAMING', 'QUEUED')
    ),
    conv AS (${conv}),
    msgs AS (
      -- In array order (a function scan keeps it): the prompt's ordinal comes before its reply's.
      ${insertJsonRows('Message', MESSAGE_COLUMNS, w.messages.map((m) => ({ ...m, deltaEnds: [] })))}
      WHERE ${ok}
      RETURNING *
    )${also.length > 0 ? Prisma.join(also, '') : Prisma.empty}
    SELECT (SELECT ok FROM guard)::text AS ok, (SELECT streaming FROM guard)::text AS streaming,
           (SELECT row_to_json(conv)::text FROM conv) AS conversation,
           (SELECT json_agg(msgs ORDER BY msgs."ordinal")::text FROM msgs) AS messages`;
  // The statement's text depends only on the turn's shape (new conversation or not, how many
  // further statements), its values are parameters: prepared once per connection and shape, so
  // PostgreSQL neither parses nor plans it again on every send.
  const rows = await textRows(statement.text, statement.values, `turn_${createHash('sha1').update(statement.text).digest('hex').slice(0, 20)}`).catch((err: unknown) => {
    // The conversation or the parent was deleted meanwhile: the messages' foreign keys refuse the turn.
    if (/foreign key|23503/i.test(String((err as Error).message)) || (err as { code?: string }).code === '23503') throw notFound('Conversation');
    throw err;
  });
  const [admitted, streaming, conversation, messages] = rows[0] ?? [];
  if (admitted === 'false') return { admitted: false, streaming: Number(streaming) };
  if (!conversation || !messages) throw notFound('Conversation');
  return {
    admitted: true,
    conversation: revive<Conversation>(JSON.parse(conversation) as Record<string, unknown>),
    messages: (JSON.parse(messages) as Record<string, unknown>[]).map((m) => revive<Message>(m)),
  };
}
