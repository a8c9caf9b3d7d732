import 'reflect-metadata';
import { parse, specifiedRules, subscribe, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { MessageEventPayload } from './modules/chat/index.js';
import { abilityFor } from './modules/rbac/index.js';
import { OperationCache } from './operations.js';
import { createSchema } from './schema.js';

const schema = await createSchema();
const id = '2b1c3f0e-1111-4222-8333-444455556666';
const actor = { kind: 'user' as const, userId: '2b1c3f0e-1111-4222-8333-444455556667', role: 'USER' as const };

const events: MessageEventPayload[] = [
  { messageId: id, seq: 1, delta: 'Hel' },
  { messageId: id, seq: 2, delta: '' },
  { messageId: id, seq: 3, done: true, status: 'COMPLETE', finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 }, timings: { timeToFirstTokenMs: 4, tokensPerSecond: 12.5 }, error: null },
  { messageId: id, seq: 4, done: true, status: 'INTERRUPTED', finishReason: null, usage: null, timings: { timeToFirstTokenMs: null, tokensPerSecond: null }, error: { code: 'UPSTREAM_INTERRUPTED', message: 'gone' } },
];

/** A context whose chat service streams `events` (the only service these operations touch). */
const contextWith = (who: typeof actor | null) => ({
  actor: who,
  ability: abilityFor(who),
  requestId: 'test',
  client: {},
  log: console,
  services: {
    chat: {
      subscribe: async () =>
        (async function* () {
          yield* events;
        })(),
    },
  },
});

const documents = [
  `subscription($id: ID!, $from: Int) { messageStream(messageId: $id, fromSeq: $from) {
    messageId seq delta done status finishReason usage { promptTokens completionTokens totalTokens }
    timings { timeToFirstTokenMs tokensPerSecond } error { code message } } }`,
  `subscription S($id: ID!) { s: messageStream(messageId: $id) { __typename n: seq text: delta usage { total: totalTokens __typename } } }`,
  `subscription($id: ID!) { messageStream(messageId: $id) { ...E } } fragment E on MessageEvent { seq done @include(if: true) }`,
];

async function drain(result: AsyncIterableIterator<ExecutionResult> | ExecutionResult): Promise<unknown[]> {
  if (!(Symbol.asyncIterator in result)) return [JSON.parse(JSON.stringify(result))];
  const out: unknown[] = [];
  for await (const r of result) out.push(JSON.parse(JSON.stringify(r)));
  return out;
}

describe('WebSocket operations compiled with graphql-jit', () => {
  it('stream exactly what graphql-js streams, event by event', async () => {
    const cache = new OperationCache(schema, specifiedRules);
    for (const query of documents) {
      const prepared = cache.prepare(query);
      expect(prepared.ok).toBe(true);
      if (!prepared.ok) continue;
      const args = { schema, document: prepared.document, variableValues: { id }, contextValue: contextWith(actor) };
      const jit = await drain(await cache.subscribe(args));
      const reference = await drain(await subscribe({ ...args, document: parse(query), contextValue: contextWith(actor) }));
      expect(jit).toHaveLength(events.length);
      expect(jit).toEqual(reference);
    }
  });

  it('still authorizes: anonymous callers get UNAUTHENTICATED, as with graphql-js', async () => {
    const cache = new OperationCache(schema, specifiedRules);
    const prepared = cache.prepare(documents[0]!);
    if (!prepared.ok) throw new Error('not prepared');
    const args = { schema, document: prepared.document, variableValues: { id }, contextValue: contextWith(null) };
    const [first] = await drain(await cache.subscribe(args));
    expect(JSON.stringify(first)).toContain('UNAUTHENTICATED');
  });

  it('parses and validates each distinct text once, and reports parse and validation errors', () => {
    const cache = new OperationCache(schema, specifiedRules, 2);
    const a = cache.prepare(documents[0]!);
    expect(cache.prepare(documents[0]!)).toBe(a);
    const bad = cache.prepare('subscription { messageStream(');
    expect(bad.ok ? null : bad.errors[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const invalid = cache.prepare('subscription { nope }');
    expect(invalid.ok ? null : invalid.errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // The oldest entry made room: preparing it again yields a new, equal result.
    expect(cache.prepare(documents[0]!)).not.toBe(a);
  });
});
