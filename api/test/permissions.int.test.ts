/**
 * Every root operation of the schema, with its declared rule, called for real by anonymous, by
 * each role, and by an API key of each scope. The outcome table is committed as
 * `permissions.snapshot.json`: a change to who may do what shows up there as a diff to review.
 * After a deliberate change, refresh it with `npx vitest run test/permissions.int.test.ts -u`
 * and commit the new file (CI does not write snapshots).
 *
 * Arguments are generated from the schema (required ones only) and name nothing that exists, so
 * a call that passes authorization ends in NOT_FOUND or BAD_USER_INPUT rather than changing data;
 * the few that succeed (sendMessage, createApiKey, logout) only add rows to this file's own
 * throwaway database.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abilityFor, declaredRules, ROLES, SCOPE_NAMES, type Actor, type ApiKeyScope, type OperationRule } from '../src/modules/rbac/index.js';
import { DEFAULT_BASE_MODEL_DIR } from '../src/env.js';
import { SEND, codeOf, collect, gql, gqlOk, newUser, startApi, startInference, wsClient, type Proc, type TestApi } from './stack.js';

/** A well-formed id that names no row. */
const NO_SUCH_ID = '6f1c2b7e-9d4a-4c3e-8b2f-0a5d7e9c1b34';
/** Apps call with a person's API key, narrowed to its scope: one key per scope, owned by a USER. */
const KEYS = SCOPE_NAMES.map((scope) => `USER key [${scope}]` as const);
const CALLERS = ['anonymous', ...ROLES, ...KEYS] as const;
type Caller = (typeof CALLERS)[number];

/** The actor behind a caller, as the api builds it, to ask the rules what it may do. */
function actorOf(caller: Exclude<Caller, 'anonymous'>): Actor {
  const scope = /^USER key \[(\w+)\]$/.exec(caller)?.[1] as ApiKeyScope | undefined;
  if (scope) return { kind: 'apiKey', userId: NO_SUCH_ID, role: 'USER', apiKeyId: NO_SUCH_ID, scopes: [scope] };
  return { kind: 'user', userId: NO_SUCH_ID, role: caller as (typeof ROLES)[number] };
}

type Kind = 'Query' | 'Mutation' | 'Subscription';

/** "ok", the first error's `extensions.code`, or for a WebSocket closed by the server "close <code>". */
type Outcome = string;

interface Operation {
  kind: Kind;
  name: string;
  document: string;
}

const WS_UNAUTHORIZED = 'close 4401';

function rootFields(schema: GraphQLSchema): { kind: Kind; field: GraphQLField<unknown, unknown> }[] {
  const roots: [Kind, GraphQLObjectType | null | undefined][] = [
    ['Query', schema.getQueryType()],
    ['Mutation', schema.getMutationType()],
    ['Subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) => Object.values(type?.getFields() ?? {}).map((field) => ({ kind, field })));
}

const required = (x: { type: GraphQLInputType; defaultValue?: unknown }) => isNonNullType(x.type) && x.defaultValue === undefined;

/** Whether an input type is, or holds (at any depth), an ID. */
function mentionsId(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === 'ID') return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => mentionsId(f.type, seen));
}

/** A GraphQL literal for `type`: the same value every run. `everyId`: optional fields holding an ID are filled too. */
function literal(type: GraphQLInputType, everyId = false): string {
  if (isNonNullType(type)) return literal(type.ofType, everyId);
  if (isListType(type)) return `[${literal(type.ofType, everyId)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => required(f) || (everyId && mentionsId(f.type)));
    return `{${fields.map((f) => `${f.name}: ${literal(f.type, everyId)}`).join(', ')}}`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return JSON.stringify(NO_SUCH_ID);
      case 'String':
        return '"x"';
      case 'Int':
      case 'SafeInt':
        return '1';
      case 'Float':
        return '1.5';
      case 'Boolean':
        return 'true';
      case 'DateTimeISO':
        return '"2000-01-01T00:00:00.000Z"';
      case 'JSONObject':
        return '{}';
    }
  }
  throw new Error(`permissions test: no generated value for input type ${String(type)}; add one to literal()`);
}

function documentFor(kind: Kind, field: GraphQLField<unknown, unknown>, everyId = false): string {
  const args = field.args.filter((a: GraphQLArgument) => required(a) || (everyId && mentionsId(a.type))).sort((a, b) => a.name.localeCompare(b.name));
  const argText = args.length ? `(${args.map((a) => `${a.name}: ${literal(a.type, everyId)}`).join(', ')})` : '';
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  return `${kind.toLowerCase()} { ${field.name}${argText}${selection} }`;
}

const ruleText = (rule: OperationRule | undefined) => (!rule ? 'NONE' : rule.public ? 'public' : `${rule.action} ${rule.subject}`);

/** Sorts object keys at every level, so the snapshot does not depend on insertion order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

describe('permissions of every root operation', () => {
  let inference: Proc;
  let api: TestApi;
  let operations: Operation[];
  const tokens: Partial<Record<Caller, string>> = {};
  const outcomes = new Map<string, Partial<Record<Caller, Outcome>>>();

  beforeAll(async () => {
    inference = await startInference();
    api = await startApi(inference.url);
    operations = rootFields(api.server.schema)
      .map(({ kind, field }) => ({ kind, name: field.name, document: documentFor(kind, field) }))
      .sort((a, b) => `${a.kind}.${a.name}`.localeCompare(`${b.kind}.${b.name}`));
    for (const role of ROLES) tokens[role] = (await newUser(api.url, role)).token;
    for (const scope of SCOPE_NAMES) {
      const key = await gqlOk(api.url, 'mutation($s: ApiKeyScope!) { createApiKey(input: { name: "permissions", scopes: [$s] }) { secret } }', { s: scope }, tokens.USER);
      tokens[`USER key [${scope}]`] = key.createApiKey.secret;
    }
    // One call per operation and caller, in a fixed order; the tests below read the outcomes.
    for (const op of operations) {
      const row: Partial<Record<Caller, Outcome>> = {};
      for (const caller of CALLERS) {
        const token = caller === 'anonymous' ? undefined : tokens[caller];
        // Each caller signs in with an email of its own: eleven failed sign-ins for one email would
        // meet the sign-in limit (10 a minute), which is not what this table is about.
        const own = op.name === 'login' ? { ...op, document: op.document.replace('email: "x"', `email: "${caller.replace(/\W+/g, '-')}@x"`) } : op;
        row[caller] = op.kind === 'Subscription' ? await overWebSocket(own, token) : await overHttp(own, token);
      }
      outcomes.set(op.name, row);
    }
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
  });

  async function overHttp(op: Operation, token: string | undefined): Promise<Outcome> {
    const r = await gql(api.url, op.document, {}, token);
    if (r.errors?.length) return String(r.errors[0]!.extensions?.code ?? 'NO_CODE');
    return r.data ? 'ok' : 'NO_DATA';
  }

  async function overWebSocket(op: Operation, token: string | undefined): Promise<Outcome> {
    const client = wsClient(api.url, token);
    const it = client.iterate({ query: op.document });
    const timeout = new Promise<Outcome>((resolve) => setTimeout(() => resolve('timeout (no event in 10 s)'), 10_000).unref());
    const first = (async (): Promise<Outcome> => {
      try {
        const r = await it.next();
        if (r.done) return 'completed without events';
        const errors = r.value.errors;
        return errors?.length ? String(errors[0]!.extensions?.code ?? 'NO_CODE') : 'ok';
      } catch (err) {
        // graphql-ws rejects with the CloseEvent when the server closes the socket, with the error list for an `error` message.
        if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'number') return `close ${err.code}`;
        if (Array.isArray(err)) return String((err[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code ?? 'NO_CODE');
        throw err;
      }
    })();
    try {
      return await Promise.race([first, timeout]);
    } finally {
      await it.return?.();
      await client.dispose();
    }
  }

  it('declares exactly one rule for every root operation, and none for an operation that does not exist', () => {
    const declared = declaredRules();
    const names = operations.map((o) => o.name);
    expect(new Set(names).size, 'two root types share a field name, which the rule registry (keyed by name) cannot tell apart').toBe(names.length);
    const undeclared = names.filter((n) => !declared.has(n));
    expect(undeclared, 'root operations without @Allow(action, subject) or @Public()').toEqual([]);
    const stale = [...declared.keys()].filter((n) => !names.includes(n));
    expect(stale, 'rules declared for operations the schema does not have').toEqual([]);
  });

  it('enforces each declared rule: anonymous is refused, roles without the permission are FORBIDDEN, the others get past authorization', () => {
    const declared = declaredRules();
    const problems: string[] = [];
    for (const op of operations) {
      const rule = declared.get(op.name);
      const row = outcomes.get(op.name)!;
      if (!rule) {
        problems.push(`${op.name} declares no rule`);
        continue;
      }
      if (rule.public) {
        // A public operation does not depend on who calls it.
        for (const caller of CALLERS) {
          if (row[caller] !== row.anonymous) problems.push(`${op.name} is public but ${caller} got ${row[caller]} and anonymous ${row.anonymous}`);
        }
        if (row.anonymous === 'FORBIDDEN') problems.push(`${op.name} is public but FORBIDDEN`);
        continue;
      }
      const refusedAnonymously = op.kind === 'Subscription' ? WS_UNAUTHORIZED : 'UNAUTHENTICATED';
      if (row.anonymous !== refusedAnonymously) problems.push(`${op.name}: anonymous got ${row.anonymous}, expected ${refusedAnonymously}`);
      for (const caller of CALLERS) {
        if (caller === 'anonymous') continue;
        const may = abilityFor(actorOf(caller)).can(rule.action, rule.subject);
        const got = row[caller];
        if (!may && got !== 'FORBIDDEN') problems.push(`${op.name}: ${caller} may not ${rule.action} ${rule.subject} but got ${got}`);
        if (may && (got === 'FORBIDDEN' || got === 'UNAUTHENTICATED' || got?.startsWith('close'))) {
          problems.push(`${op.name}: ${caller} may ${rule.action} ${rule.subject} but got ${got}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('matches the roles the product describes', () => {
    const declared = declaredRules();
    const row = (name: string) => outcomes.get(name)!;
    // Anonymous callers get nowhere but signing in, refreshing and signing out.
    const PUBLIC = ['login', 'logout', 'refreshToken'];
    expect([...declared].filter(([, r]) => r.public).map(([n]) => n).sort()).toEqual(PUBLIC);
    for (const op of operations.filter((o) => !PUBLIC.includes(o.name))) {
      expect(row(op.name).anonymous, op.name).toBe(op.kind === 'Subscription' ? WS_UNAUTHORIZED : 'UNAUTHENTICATED');
    }
    // Compliance officers do not chat.
    for (const name of ['sendMessage', 'regenerate', 'continueGeneration', 'editAndResend', 'cancelGeneration', 'conversations', 'conversation', 'message', 'messageStream', 'rateMessage', 'models']) {
      expect(row(name).COMPLIANCE, name).toBe('FORBIDDEN');
    }
    // Only admins manage accounts.
    for (const name of ['createUser', 'updateUser']) {
      for (const role of ['USER', 'REVIEWER', 'COMPLIANCE'] as const) expect(row(name)[role], `${name} as ${role}`).toBe('FORBIDDEN');
      expect(row(name).ADMIN, `${name} as ADMIN`).not.toBe('FORBIDDEN');
    }
    // Everyone signed in can see who they are; people who chat can start a conversation.
    for (const role of ROLES) expect(row('me')[role]).toBe('ok');
    for (const role of ['USER', 'REVIEWER', 'ADMIN'] as const) expect(row('sendMessage')[role]).toBe('ok');
    // An API key does what its scope names and never mints more keys.
    for (const key of KEYS) expect(row('createApiKey')[key], key).toBe('FORBIDDEN');
    expect(row('sendMessage')).toMatchObject({ 'USER key [chat]': 'ok', 'USER key [ratings]': 'FORBIDDEN', 'USER key [profile]': 'FORBIDDEN' });
    expect(row('rateMessage')).toMatchObject({ 'USER key [chat]': 'FORBIDDEN', 'USER key [ratings]': 'BAD_USER_INPUT', 'USER key [profile]': 'FORBIDDEN' });
    expect(row('me')).toMatchObject({ 'USER key [chat]': 'FORBIDDEN', 'USER key [ratings]': 'FORBIDDEN', 'USER key [profile]': 'ok' });
  });

  it('narrows rows, not only operations, to an API key\'s scopes', async () => {
    const sent = (await gqlOk(api.url, SEND, { input: { content: 'Hi', params: { maxTokens: 3 } } }, tokens.USER)).sendMessage;
    const client = wsClient(api.url, tokens.USER);
    await collect(client, sent.assistantMessage.id);
    await client.dispose();
    const RATE = 'mutation($id: ID!) { rateMessage(messageId: $id, input: { score: 4 }) { score } }';
    // A ratings key rates its owner's replies (without the right to read them) and nobody else's.
    expect((await gqlOk(api.url, RATE, { id: sent.assistantMessage.id }, tokens['USER key [ratings]'])).rateMessage.score).toBe(4);
    const stranger = await newUser(api.url);
    const strangerKey = (await gqlOk(api.url, 'mutation { createApiKey(input: { name: "s", scopes: [ratings] }) { secret } }', {}, stranger.token)).createApiKey.secret;
    expect(codeOf(await gql(api.url, RATE, { id: sent.assistantMessage.id }, strangerKey))).toBe('NOT_FOUND');
    // A chat key reads its owner's conversation, but not the ratings in it (the ratings scope's).
    const READ = 'query($id: ID!) { conversation(id: $id) { messages { id myRating { score } } } }';
    const ratingsAs = async (token: string | undefined) => {
      const messages: { id: string; myRating: { score: number } | null }[] = (await gqlOk(api.url, READ, { id: sent.conversation.id }, token)).conversation.messages;
      return Object.fromEntries(messages.map((m) => [m.id, m.myRating]));
    };
    expect(await ratingsAs(tokens.USER)).toEqual({ [sent.userMessage.id]: null, [sent.assistantMessage.id]: { score: 4 } });
    expect(await ratingsAs(tokens['USER key [chat]'])).toEqual({ [sent.userMessage.id]: null, [sent.assistantMessage.id]: null });
  });

  it('answers every mutation whose ids (optional and nested ones too) name nothing with a typed error, never an internal one', async () => {
    const named = rootFields(api.server.schema).filter(({ kind, field }) => kind === 'Mutation' && field.args.some((a) => mentionsId(a.type)));
    expect(named.length).toBeGreaterThan(20);
    for (const { field } of named) {
      const op = { kind: 'Mutation' as const, name: field.name, document: documentFor('Mutation', field, true) };
      for (const role of ['ADMIN', 'ML_ENGINEER', 'SENIOR_REVIEWER', 'USER'] as const) {
        const outcome = await overHttp(op, tokens[role]);
        expect(outcome, `${op.document} as ${role}`).not.toMatch(/INTERNAL_SERVER_ERROR|NO_CODE|NO_DATA/);
      }
    }
    // The case an outside probe found: a real model folder, a parent that does not exist.
    const register = 'mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { id } }';
    const r = await gql(api.url, register, { i: { name: `orphan-${Date.now()}`, path: DEFAULT_BASE_MODEL_DIR, parentId: NO_SUCH_ID } }, tokens.ADMIN);
    expect(codeOf(r)).toBe('NOT_FOUND');
  });

  it('matches the committed permission table (permissions.snapshot.json)', async () => {
    const declared = declaredRules();
    const table = Object.fromEntries(
      operations.map((op) => [`${op.kind}.${op.name}`, { rule: ruleText(declared.get(op.name)), operation: op.document, ...outcomes.get(op.name) }]),
    );
    await expect(`${JSON.stringify(sortKeys(table), null, 2)}\n`).toMatchFileSnapshot('./permissions.snapshot.json');
  });
});
