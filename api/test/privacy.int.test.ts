/**
 * Privacy: people are known to reviewers by pseudonym only, erasure leaves nothing of a person
 * behind, and retention deletes what is kept too long.
 *
 * - A reviewer's reach is walked from the schema itself (introspection): every root query and
 *   subscription, with every field it can select, is called as the reviewer, and every response
 *   (data and errors) is searched for the ids, emails and names of other people. Whole selections
 *   are followed by one request per leaf field, so that a FORBIDDEN field nulling its parent
 *   cannot hide a leak in a sibling.
 * - Erasure is checked against the database itself: every table of the schema, row by row.
 * - Retention runs on an api of its own, with a one-day retention and a one-second sweep.
 */
import { randomUUID } from 'node:crypto';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND, codeOf, collect, gql, gqlOk, login, startApi, startInference, textOf, waitFor, wsClient, type Proc, type TestApi } from './stack.js';

/** One inference server for the whole file; each describe starts its own api on its own database. */
let inference: Proc;
beforeAll(async () => {
  inference = await startInference();
});
afterAll(async () => {
  await inference?.stop();
});

interface Account {
  id: string;
  email: string;
  name: string | null;
  token: string;
  refreshToken: string;
}

interface Exchange {
  conversationId: string;
  promptId: string;
  replyId: string;
  reply: string;
}

const PASSWORD = 'privacy-password-123';
/** Short, fixed-length replies: quick, and long enough to be told apart. */
const PARAMS = { maxTokens: 24, ignoreEos: true };

/** Creates an account as the admin (createUser) and signs it in. */
async function createAccount(url: string, adminToken: string, input: { email: string; name: string | null; role?: string }): Promise<Account> {
  const created = (
    await gqlOk(url, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id email name } }', { i: { ...input, role: input.role ?? 'USER', password: PASSWORD } }, adminToken)
  ).createUser;
  const session = (await gqlOk(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }', { e: input.email, p: PASSWORD }))
    .login;
  return { id: created.id, email: created.email, name: created.name, token: session.accessToken, refreshToken: session.refreshToken };
}

/** Sends a message and waits, over the WebSocket, for its reply to finish. */
async function chat(url: string, token: string, content: string, conversationId?: string): Promise<Exchange> {
  const sent = (await gqlOk(url, SEND, { input: { content, ...(conversationId ? { conversationId } : {}), params: PARAMS } }, token)).sendMessage;
  const client = wsClient(url, token);
  try {
    const events = await collect(client, sent.assistantMessage.id);
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
    return { conversationId: sent.conversation.id, promptId: sent.userMessage.id, replyId: sent.assistantMessage.id, reply: textOf(events) };
  } finally {
    await client.dispose();
  }
}

const RATE = `mutation($id: ID!, $i: RateMessageInput!) { rateMessage(messageId: $id, input: $i) { id } }`;
const CREATE_KEY = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }`;
const ME = `{ me { id email name pseudonym role } }`;
const AUDIT = `query($f: AuditFilterInput) { auditEntries(filter: $f, first: 50) { edges { node {
  seq action outcome actor { kind pseudonym role apiKeyId } subject { type id owner } before after
} } } }`;
const VERIFY = `{ verifyAuditChain { valid checked broken { seq reason detail } } }`;

/** `substring → what it is`, searched case-insensitively. */
type Needles = Record<string, string>;

/** The labels of the needles `text` contains. */
function found(text: string, needles: Needles): string[] {
  const haystack = text.toLowerCase();
  return Object.entries(needles)
    .filter(([needle]) => needle.length > 0 && haystack.includes(needle.toLowerCase()))
    .map(([, label]) => label);
}

/** Every row of every table of the public schema, as text, searched for the needles. */
async function scanDatabase(api: TestApi, needles: Needles): Promise<{ tables: string[]; hits: string[] }> {
  const db = api.server.database.prisma;
  const tables = (
    await db.$queryRawUnsafe<{ name: string }[]>(
      `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    )
  ).map((t) => t.name);
  const hits: string[] = [];
  for (const table of tables) {
    const rows = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${table.replace(/"/g, '""')}" t`);
    for (const { row } of rows) for (const label of found(row, needles)) hits.push(`${table}: ${label}`);
  }
  return { tables, hits: [...new Set(hits)].sort() };
}

// ---------------------------------------------------------------------------------------------
// The schema walk
// ---------------------------------------------------------------------------------------------

type Kind = 'query' | 'subscription';
/** How deep below a root field the walk selects objects; deeper objects get `__typename`. */
const MAX_NESTING = 4;

interface LeafPath {
  /** Field names below the root field. */
  path: string[];
  /** The type the last field belongs to, and the field. */
  parentType: string;
  field: string;
}

interface Reply {
  /** The raw response: body (HTTP) or every result and error received (WebSocket). */
  text: string;
  /** The root field's value in each result. */
  rootData: unknown[];
  errors: { message: string; path?: readonly (string | number)[]; extensions?: { code?: unknown } }[];
}

const requiredArg = (a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined;

/** Every leaf under `type`, objects followed MAX_NESTING levels deep; fields needing arguments are left out. */
function leafPaths(type: GraphQLNamedType, depth = 1): LeafPath[] {
  if (!isObjectType(type)) return [{ path: ['__typename'], parentType: type.name, field: '__typename' }];
  const out: LeafPath[] = [];
  for (const f of Object.values(type.getFields())) {
    if (f.args.some(requiredArg)) continue;
    const named = getNamedType(f.type);
    if (isLeafType(named)) out.push({ path: [f.name], parentType: type.name, field: f.name });
    else if (depth >= MAX_NESTING) out.push({ path: [f.name, '__typename'], parentType: named.name, field: '__typename' });
    else for (const p of leafPaths(named, depth + 1)) out.push({ ...p, path: [f.name, ...p.path] });
  }
  return out;
}

/** A selection set holding exactly these paths. */
function selectionOf(paths: string[][]): string {
  const children = new Map<string, string[][]>();
  for (const [head, ...rest] of paths) {
    const list = children.get(head!) ?? [];
    if (rest.length > 0) list.push(rest);
    children.set(head!, list);
  }
  return [...children].map(([name, rest]) => (rest.length > 0 ? `${name} { ${selectionOf(rest)} }` : name)).join(' ');
}

function documentFor(kind: Kind, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, paths: string[][]): string {
  const used = field.args.filter((a) => a.name in args);
  const defs = used.length > 0 ? `(${used.map((a) => `$${a.name}: ${String(a.type)}`).join(', ')})` : '';
  const call = used.length > 0 ? `(${used.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  const selection = isLeafType(getNamedType(field.type)) ? '' : ` { ${selectionOf(paths)} }`;
  return `${kind} Walk${defs} { ${field.name}${call}${selection} }`;
}

async function overHttp(url: string, token: string, root: string, query: string, variables: Record<string, unknown>): Promise<Reply> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: Reply['errors'] };
  return { text, rootData: [body.data?.[root] ?? null], errors: body.errors ?? [] };
}

/** Runs a subscription to its end and keeps everything it received. */
async function overWs(client: Client, root: string, query: string, variables: Record<string, unknown>): Promise<Reply> {
  const received: unknown[] = [];
  const rootData: unknown[] = [];
  const errors: Reply['errors'] = [];
  const iterator = client.iterate<Record<string, unknown>>({ query, variables });
  const run = (async () => {
    try {
      for await (const r of iterator) {
        received.push(r);
        rootData.push(r.data?.[root] ?? null);
        errors.push(...((r.errors ?? []) as Reply['errors']));
      }
    } catch (err) {
      // graphql-ws rejects with the `error` message's errors (or a close event).
      received.push(err instanceof Error ? { thrown: err.message } : err);
      if (Array.isArray(err)) errors.push(...(err as Reply['errors']));
      else errors.push({ message: String(err), extensions: { code: 'SUBSCRIPTION_FAILED' } });
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`subscription did not end: ${query}`)), 15_000)));
  try {
    await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
    await iterator.return?.();
  }
  return { text: JSON.stringify(received), rootData, errors };
}

interface WalkResult {
  /** Root fields the walker tried (Query and Subscription). */
  attempted: string[];
  /** Root fields refused as a whole (FORBIDDEN at the root). */
  deniedRoots: string[];
  /** Root fields that returned data. */
  covered: string[];
  /** Leaf paths (`root.field.field`) the caller read without an error, and those refused. */
  readableLeaves: string[];
  deniedLeaves: LeafPath[];
  /** Requests made, and every error that was neither a root denial nor a FORBIDDEN field. */
  requests: number;
  unexpected: string[];
  /** `where: what leaked`. */
  leaks: string[];
}

/**
 * Calls every root query and subscription as `token`: first with every field it can select, then
 * one request per leaf. `args` gives values for required arguments by root field (one call per
 * entry); a root field with a required argument that `args` does not know fails the walk.
 */
async function walk(
  url: string,
  token: string,
  schema: GraphQLSchema,
  args: Record<string, Record<string, unknown>[]>,
  secrets: Needles,
  skipRoots: string[] = [],
): Promise<WalkResult> {
  const result: WalkResult = { attempted: [], deniedRoots: [], covered: [], readableLeaves: [], deniedLeaves: [], requests: 0, unexpected: [], leaks: [] };
  const roots: [Kind, GraphQLField<unknown, unknown>][] = [
    ...Object.values(schema.getQueryType()?.getFields() ?? {}).map((f) => ['query', f] as [Kind, GraphQLField<unknown, unknown>]),
    ...Object.values(schema.getSubscriptionType()?.getFields() ?? {}).map((f) => ['subscription', f] as [Kind, GraphQLField<unknown, unknown>]),
  ];
  const client = wsClient(url, token);
  const readable = new Set<string>();
  const denied = new Map<string, LeafPath>();
  try {
    for (const [kind, field] of roots) {
      const root = field.name;
      if (skipRoots.includes(root)) continue;
      const needed = field.args.filter(requiredArg).map((a) => a.name);
      const variants = needed.length === 0 ? [{}] : args[root];
      if (!variants) throw new Error(`walk: no seeded value for the required arguments of ${root}(${needed.join(', ')}): add it to the table`);
      for (const v of variants) {
        const missing = needed.filter((n) => !(n in v));
        if (missing.length > 0) throw new Error(`walk: the table's entry for ${root} lacks ${missing.join(', ')}`);
      }
      result.attempted.push(root);
      const leaves = isLeafType(getNamedType(field.type)) ? [] : leafPaths(getNamedType(field.type));
      const send = async (variables: Record<string, unknown>, paths: string[][], what: string) => {
        const query = documentFor(kind, field, variables, paths);
        result.requests += 1;
        const reply = kind === 'query' ? await overHttp(url, token, root, query, variables) : await overWs(client, root, query, variables);
        for (const label of found(reply.text, secrets)) result.leaks.push(`${what}: ${label}`);
        return reply;
      };
      let rootDenied = false;
      for (const variables of variants) {
        const whole = await send(variables, leaves.map((l) => l.path), `${root}(${JSON.stringify(variables)}) { everything }`);
        if (whole.errors.some((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.length === 1)) {
          rootDenied = true;
          continue;
        }
        for (const e of whole.errors) if (e.extensions?.code !== 'FORBIDDEN') result.unexpected.push(`${root} { everything }: ${e.extensions?.code as string} ${e.message}`);
        if (whole.rootData.some((d) => d !== null)) result.covered.push(root);
        // One leaf at a time: a refused non-null field nulls its parent, which could hide a sibling.
        for (const leaf of leaves) {
          const label = [root, ...leaf.path].join('.');
          const reply = await send(variables, [leaf.path], `${label} (${JSON.stringify(variables)})`);
          if (reply.rootData.some((d) => d !== null)) result.covered.push(root);
          if (reply.errors.length === 0) readable.add(label);
          for (const e of reply.errors) {
            if (e.extensions?.code === 'FORBIDDEN') denied.set(label, leaf);
            else result.unexpected.push(`${label}: ${e.extensions?.code as string} ${e.message}`);
          }
        }
      }
      if (rootDenied) result.deniedRoots.push(root);
    }
  } finally {
    await client.dispose();
  }
  result.covered = [...new Set(result.covered)].sort();
  result.readableLeaves = [...readable].filter((l) => !denied.has(l)).sort();
  result.deniedLeaves = [...denied].sort(([a], [b]) => a.localeCompare(b)).map(([label, leaf]) => ({ ...leaf, path: label.split('.') }));
  return result;
}

// ---------------------------------------------------------------------------------------------

describe('reviewers know people by pseudonym only', () => {
  let api: TestApi;
  let admin: string;
  let reviewer: Account & { pseudonym: string };
  let person: Account;
  let pseudonym: string;
  let first: Exchange;
  let second: Exchange;
  let reviewItemId: string;
  /** Ids, emails and names of every account but the reviewer's. */
  let others: Needles;
  const tag = randomUUID().slice(0, 8);

  beforeAll(async () => {
    api = await startApi(inference.url);
    admin = await login(api.url, 'admin@demo.local');
    const reviewerToken = await login(api.url, 'reviewer@demo.local');
    const me = (await gqlOk(api.url, ME, {}, reviewerToken)).me;
    reviewer = { ...me, token: reviewerToken, refreshToken: '' };

    // Someone with a distinctive email and name, who chats, rates a reply and makes an API key.
    person = await createAccount(api.url, admin, { email: `quentin.quill.${tag}@privacy.test`, name: `Quentin Quill ${tag}` });
    first = await chat(api.url, person.token, `Quentin asks ${tag}: what is a haiku?`);
    second = await chat(api.url, person.token, 'And a limerick?', first.conversationId);
    await gqlOk(api.url, RATE, { id: first.replyId, i: { thumb: 'UP', score: 4, tags: ['clear'], comment: 'nice' } }, person.token);
    await gqlOk(api.url, CREATE_KEY, { i: { name: 'quentin app', scopes: ['chat'] } }, person.token);
    // Their reply is put up for review (with a second candidate generated for it).
    reviewItemId = (await gqlOk(api.url, 'mutation($i: CreateReviewItemInput!) { createReviewItem(input: $i) { id } }', { i: { messageIds: [first.replyId] } }, admin)).createReviewItem.id;
    // The reviewer chats too: their own conversations, with themself as owner, are theirs to read.
    await chat(api.url, reviewer.token, 'A reviewer’s own question');

    pseudonym = (await gqlOk(api.url, `query($id: ID!) { conversation(id: $id) { owner { id pseudonym } } }`, { id: first.conversationId }, admin)).conversation.owner.pseudonym;
    const accounts = (await gqlOk(api.url, `{ users(first: 200) { id email name } }`, {}, admin)).users as { id: string; email: string; name: string | null }[];
    expect(accounts.map((a) => a.email)).toContain(person.email);
    others = {};
    for (const a of accounts.filter((x) => x.id !== reviewer.id)) {
      others[a.id] = `the id of ${a.email}`;
      others[a.email] = `the email ${a.email}`;
      if (a.name) others[a.name] = `the name of ${a.email}`;
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it('walks every query and subscription a reviewer can call, and finds no id, email or name but their own', async () => {
    const introspection = await gqlOk<IntrospectionQuery>(api.url, getIntrospectionQuery(), {}, reviewer.token);
    const schema = buildClientSchema(introspection);
    const seeded = {
      conversation: [{ id: first.conversationId }],
      message: [{ id: first.replyId }, { id: second.promptId }],
      messageStream: [{ messageId: first.replyId }],
      reviewItem: [{ id: reviewItemId }],
      datasetVersion: [{ id: randomUUID() }],
      modelVersion: [{ id: randomUUID() }],
      trainingRun: [{ id: randomUUID() }],
      trainingRunLog: [{ id: randomUUID() }],
      trainingRunProgress: [{ id: randomUUID() }],
      auditEntry: [{ seq: 1 }],
      safetyPreview: [{ text: 'hello' }],
    };
    const walked = await walk(api.url, reviewer.token, schema, seeded, others);

    // The walk covered the schema: every root field was either refused as a whole or returned data.
    const roots = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getSubscriptionType()?.getFields() ?? {})].sort();
    expect([...walked.attempted].sort()).toEqual(roots);
    expect([...walked.covered, ...walked.deniedRoots].sort()).toEqual(roots);
    expect(walked.covered).toEqual(expect.arrayContaining(['apiKeys', 'conversation', 'conversations', 'me', 'message', 'messageStream', 'models', 'users']));
    expect(walked.deniedRoots).toEqual(expect.arrayContaining(['auditEntries', 'verifyAuditChain']));
    expect(walked.readableLeaves).toEqual(
      expect.arrayContaining([
        'conversation.title',
        'conversation.messages.content',
        'conversation.messages.myRating.score',
        'conversation.owner.pseudonym',
        'conversation.owner.role',
        'conversations.edges.node.owner.email',
        'me.email',
        'me.id',
        'me.name',
        'message.content',
        'messageStream.delta',
        'users.pseudonym',
        'users.role',
      ]),
    );
    expect(walked.requests).toBeGreaterThan(100);

    // Nothing leaked; the only fields refused are the identifying fields of other people's accounts.
    expect(walked.leaks).toEqual([]);
    expect(walked.unexpected).toEqual([]);
    const deniedLabels = walked.deniedLeaves.map((l) => l.path.join('.'));
    expect(deniedLabels).toEqual(expect.arrayContaining(['conversation.owner.email', 'conversation.owner.id', 'conversation.owner.name', 'users.email', 'users.id', 'users.name']));
    // Besides: others' reviews of an item before the reviewer's own is in, and preference pairs (not a reviewer's to read).
    const hiddenByDesign = (path: string[]) => path.some((p, i) => i > 0 && (p === 'reviews' || p === 'pairs') && (path[i - 1] === 'reviewItem' || path[i - 1] === 'nodes' || path[i - 1] === 'item'));
    expect(deniedLabels).toEqual(expect.arrayContaining(['reviewItem.reviews.choice', 'reviewItem.pairs.chosen']));
    for (const l of walked.deniedLeaves.filter((x) => !hiddenByDesign(x.path))) expect(`${l.parentType}.${l.field}`, l.path.join('.')).toMatch(/^User\.(id|email|name|createdAt|disabled)$/);

    // The same walk as the admin, who may read accounts, does find them: the search works.
    const control = await walk(api.url, admin, schema, seeded, others, roots.filter((r) => r !== 'conversation'));
    expect(control.covered).toEqual(['conversation']);
    for (const what of [`the id of ${person.email}`, `the email ${person.email}`, `the name of ${person.email}`]) {
      expect(control.leaks.some((l) => l.startsWith('conversation.owner.') && l.endsWith(what)), what).toBe(true);
    }

    // The reviewer's own identity is theirs to see.
    expect(await gqlOk(api.url, ME, {}, reviewer.token)).toMatchObject({ me: { id: reviewer.id, email: 'reviewer@demo.local', name: reviewer.name, role: 'REVIEWER' } });
  });

  it('gives a reviewer the owner’s pseudonym and role, refuses their email and id, and gives the admin the account', async () => {
    const OWNER = (selection: string) => `query($id: ID!) { conversation(id: $id) { id owner { ${selection} } } }`;
    const seen = await gql(api.url, OWNER('pseudonym role'), { id: first.conversationId }, reviewer.token);
    expect(seen.errors).toBeUndefined();
    expect(seen.data.conversation.owner).toEqual({ pseudonym, role: 'USER' });
    expect(pseudonym).toMatch(/^u_[0-9a-f]{24}$/);

    for (const field of ['email', 'id', 'name', 'createdAt', 'disabled']) {
      const r = await gql(api.url, OWNER(field), { id: first.conversationId }, reviewer.token);
      expect(codeOf(r), field).toBe('FORBIDDEN');
      expect(r.errors![0]!.message).toContain(`User.${field}`);
      // A refused non-null field nulls the owner; the nullable name is nulled alone.
      expect(r.data.conversation).toEqual({ id: first.conversationId, owner: field === 'name' ? { name: null } : null });
      expect(found(JSON.stringify(r), { [person.email]: 'email', [person.id]: 'id', [person.name!]: 'name' }), field).toEqual([]);
    }

    const full = await gqlOk(api.url, OWNER('id email name pseudonym role'), { id: first.conversationId }, admin);
    expect(full.conversation.owner).toEqual({ id: person.id, email: person.email, name: person.name, pseudonym, role: 'USER' });
  });

  it('applies field-level rules: a person reads all of their own account, a reviewer only pseudonym and role of others', async () => {
    const mine = (await gqlOk(api.url, ME, {}, person.token)).me;
    expect(mine).toEqual({ id: person.id, email: person.email, name: person.name, pseudonym, role: 'USER' });

    const all = (await gqlOk(api.url, `{ users(first: 200) { id } }`, {}, admin)).users;
    const listed = await gql(api.url, `{ users(first: 200) { pseudonym role } }`, {}, reviewer.token);
    expect(listed.errors).toBeUndefined();
    expect(listed.data.users).toHaveLength(all.length);
    expect(listed.data.users).toContainEqual({ pseudonym, role: 'USER' });
    expect(listed.data.users.every((u: { pseudonym: string }) => /^u_[0-9a-f]{24}$/.test(u.pseudonym))).toBe(true);

    for (const field of ['email', 'id', 'name', 'createdAt', 'disabled']) {
      const r = await gql(api.url, `{ users(first: 200) { pseudonym ${field} } }`, {}, reviewer.token);
      expect(codeOf(r), field).toBe('FORBIDDEN');
      expect(r.errors!.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
      // Refused non-null fields null the whole list; the nullable name is refused account by account.
      if (field === 'name') {
        expect(r.errors).toHaveLength(all.length - 1);
        expect(r.data.users).toContainEqual({ pseudonym, name: null });
        expect(r.data.users).toContainEqual({ pseudonym: reviewer.pseudonym, name: reviewer.name });
      } else {
        expect(r.errors!.length).toBeGreaterThan(0);
        expect(r.data).toBeNull();
      }
      expect(found(JSON.stringify(r), others), field).toEqual([]);
    }
  });

  it('lets admins search accounts by part of an email or name, or by id, and refuses search to others', async () => {
    const SEARCH = `query($s: String) { users(first: 200, search: $s) { id email } }`;
    const found = async (s: string) => ((await gqlOk(api.url, SEARCH, { s }, admin)).users as { id: string; email: string }[]).map((u) => u.email);
    const [, domain] = person.email.split('@');
    expect(await found(person.email.slice(0, 12).toUpperCase())).toEqual([person.email]);
    expect(await found(`Quentin Quill ${person.email.split('.')[2]!.split('@')[0]}`)).toEqual([person.email]);
    expect(await found(person.id)).toEqual([person.email]);
    expect(await found('nobody-is-called-this')).toEqual([]);
    expect((await found(domain!)).length).toBeGreaterThan(0);
    // Matching emails or names would answer a reviewer's questions about them, like the cursor.
    const r = await gql(api.url, SEARCH, { s: 'quentin' }, reviewer.token);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.data).toBeNull();
  });

  it('does not let a reviewer recover an email through the users(after:) cursor, which compares emails', async () => {
    // An email cursor (`email > after`) given to someone who may not read emails would answer
    // "does this person's email sort after X?": a binary search, character by character, spells
    // the email out. The attack is run for real; it must get nowhere, because only callers who
    // may read every email page by it (a reviewer is refused the cursor, BAD_USER_INPUT).
    // (The search assumes byte order, the C.UTF-8 collation of the test server.)
    expect((await gql(api.url, `query { users(first: 5, after: "a") { pseudonym } }`, {}, reviewer.token)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    let requests = 0;
    const listedAfter = async (after: string): Promise<boolean | undefined> => {
      requests += 1;
      const r = await gql(api.url, `query($a: String) { users(first: 200, after: $a) { pseudonym } }`, { a: after }, reviewer.token);
      if (r.errors?.length || !r.data) return undefined; // the cursor no longer answers
      return (r.data.users as { pseudonym: string }[]).some((u) => u.pseudonym === pseudonym);
    };
    let recovered = '';
    spell: while (recovered.length < 100) {
      if ((await listedAfter(recovered + ' ')) !== true) break;
      // The largest printable character c such that the email sorts after recovered + c.
      let lo = 0x20;
      let hi = 0x7e;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        const after = await listedAfter(recovered + String.fromCharCode(mid));
        if (after === undefined) break spell;
        if (after) lo = mid;
        else hi = mid - 1;
      }
      // Either the email goes on after recovered + c, or it ends with the next character.
      if (await listedAfter(recovered + String.fromCharCode(lo) + '\x7f')) {
        recovered += String.fromCharCode(lo + 1);
        break;
      }
      recovered += String.fromCharCode(lo);
    }
    expect(
      recovered,
      `in ${requests} users(after:) requests a reviewer spelled out ${recovered}, an email they may not read`,
    ).not.toBe(person.email);
  });
});

describe('erasure', () => {
  let api: TestApi;
  let admin: string;
  let compliance: string;

  beforeAll(async () => {
    api = await startApi(inference.url);
    admin = await login(api.url, 'admin@demo.local');
    compliance = await login(api.url, 'compliance@demo.local');
  });
  afterAll(async () => {
    await api?.close();
  });

  const pseudonymOf = async (email: string): Promise<string> =>
    ((await gqlOk(api.url, `{ users(first: 200) { email pseudonym } }`, {}, admin)).users as { email: string; pseudonym: string }[]).find((u) => u.email === email)!.pseudonym;
  const userRow = (id: string) => api.server.database.prisma.user.findUnique({ where: { id } });

  it('eraseUser removes every trace of a person from every table; the trail keeps their pseudonym and still verifies', async () => {
    const tag = randomUUID().slice(0, 8);
    const person = await createAccount(api.url, admin, { email: `erin.erasable.${tag}@privacy.test`, name: `Erin Erasable ${tag}` });
    const texts = [`Erin-secret-${tag}: my passport number is X99`, `Erin-followup-${tag}: and my home address`, `Erin-second-${tag}: a second conversation`];
    const a = await chat(api.url, person.token, texts[0]!);
    const b = await chat(api.url, person.token, texts[1]!, a.conversationId);
    const c = await chat(api.url, person.token, texts[2]!);
    const comment = `Erin-comment-${tag}`;
    await gqlOk(api.url, RATE, { id: a.replyId, i: { thumb: 'UP' } }, person.token);
    await gqlOk(api.url, RATE, { id: c.replyId, i: { score: 4, comment } }, person.token);
    const keyName = `Erin-key-${tag}`;
    const key = (await gqlOk(api.url, CREATE_KEY, { i: { name: keyName, scopes: ['chat', 'ratings', 'profile'] } }, person.token)).createApiKey;
    expect((await gqlOk(api.url, `{ me { email } }`, {}, key.secret)).me.email).toBe(person.email);
    const pseudonym = await pseudonymOf(person.email);

    const needles: Needles = {
      [person.id]: 'the account id',
      [person.email]: 'the email',
      [person.name!]: 'the name',
      [comment]: 'the rating comment',
      [keyName]: 'the API key name',
      ...Object.fromEntries(texts.map((t, i) => [t, `message text ${i + 1}`])),
      ...Object.fromEntries([a, b, c].filter((x) => x.reply.trim().length >= 16).map((x, i) => [x.reply, `reply text ${i + 1}`])),
    };
    // The scan sees the person before the erasure (it would find a leak).
    const before = await scanDatabase(api, needles);
    expect(before.tables).toEqual(expect.arrayContaining(['ApiKey', 'AuditCheckpoint', 'AuditEntry', 'Conversation', 'ErasedSubject', 'Message', 'Rating', 'RefreshToken', 'User']));
    expect(before.hits).toEqual(
      expect.arrayContaining([
        'User: the account id',
        'User: the email',
        'User: the name',
        'Message: message text 1',
        'Message: message text 3',
        'Conversation: the account id',
        'RefreshToken: the account id',
        'ApiKey: the API key name',
        'Rating: the rating comment',
      ]),
    );

    const report = (
      await gqlOk(api.url, `mutation($id: ID!) { eraseUser(id: $id) { pseudonym conversations messages ratings apiKeys } }`, { id: person.id }, admin)
    ).eraseUser;
    expect(report).toEqual({ pseudonym, conversations: 2, messages: 6, ratings: 2, apiKeys: 1 });

    const after = await scanDatabase(api, needles);
    expect(after.tables).toEqual(before.tables);
    expect(after.hits).toEqual([]);
    // What remains is the pseudonym: in the trail and among the erased.
    const kept = await scanDatabase(api, { [pseudonym]: 'the pseudonym' });
    expect(kept.hits).toEqual(expect.arrayContaining(['AuditEntry: the pseudonym', 'ErasedSubject: the pseudonym']));
    expect(await api.server.database.prisma.erasedSubject.findUnique({ where: { pseudonym } })).not.toBeNull();

    const entries = (await gqlOk(api.url, AUDIT, { f: { action: 'eraseUser', subjectId: pseudonym } }, compliance)).auditEntries.edges.map((e: any) => e.node);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'eraseUser',
      outcome: 'ALLOWED',
      actor: { kind: 'USER', role: 'ADMIN' },
      subject: { type: 'User', id: pseudonym, owner: pseudonym },
      before: { conversations: 2, messages: 6, ratings: 2, apiKeys: 1 },
    });
    expect((await gqlOk(api.url, VERIFY, {}, compliance)).verifyAuditChain).toMatchObject({ valid: true, broken: null });

    // Every credential of the person stops working.
    expect(codeOf(await gql(api.url, `{ me { id } }`, {}, person.token))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(api.url, `{ me { id } }`, {}, key.secret))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(api.url, `mutation($t: String!) { refreshToken(token: $t) { accessToken } }`, { t: person.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(api.url, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`, { e: person.email, p: PASSWORD }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('deleteMyAccount: refused to an API key and to a wrong email, done with the right one, refused to the last admin', async () => {
    const tag = randomUUID().slice(0, 8);
    const person = await createAccount(api.url, admin, { email: `dora.delete.${tag}@privacy.test`, name: `Dora Delete ${tag}` });
    await chat(api.url, person.token, `Dora-${tag}: remember this`);
    const key = (await gqlOk(api.url, CREATE_KEY, { i: { name: 'dora app', scopes: ['chat', 'ratings', 'profile'] } }, person.token)).createApiKey;
    const DELETE = `mutation($e: String!) { deleteMyAccount(confirmEmail: $e) { pseudonym conversations messages ratings apiKeys } }`;
    const count = async () => ({
      user: (await userRow(person.id)) !== null,
      conversations: await api.server.database.prisma.conversation.count({ where: { userId: person.id } }),
      messages: await api.server.database.prisma.message.count({ where: { userId: person.id } }),
    });
    const intact = { user: true, conversations: 1, messages: 2 };
    expect(await count()).toEqual(intact);

    // An API key acts within its scopes, and none of them deletes an account.
    const byKey = await gql(api.url, DELETE, { e: person.email }, key.secret);
    expect(codeOf(byKey)).toBe('FORBIDDEN');
    expect(byKey.data).toBeNull();
    expect(await count()).toEqual(intact);

    const wrong = await gql(api.url, DELETE, { e: `someone.else.${tag}@privacy.test` }, person.token);
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(await count()).toEqual(intact);
    expect((await gqlOk(api.url, `{ me { email } }`, {}, person.token)).me.email).toBe(person.email);

    const pseudonym = await pseudonymOf(person.email);
    const report = (await gqlOk(api.url, DELETE, { e: person.email }, person.token)).deleteMyAccount;
    expect(report).toEqual({ pseudonym, conversations: 1, messages: 2, ratings: 0, apiKeys: 1 });
    expect(await count()).toEqual({ user: false, conversations: 0, messages: 0 });
    expect(codeOf(await gql(api.url, `{ me { id } }`, {}, person.token))).toBe('UNAUTHENTICATED');
    const entries = (await gqlOk(api.url, AUDIT, { f: { action: 'deleteMyAccount', subjectId: pseudonym } }, compliance)).auditEntries.edges.map((e: any) => e.node);
    expect(entries).toMatchObject([{ outcome: 'ALLOWED', actor: { kind: 'USER', pseudonym, role: 'USER' }, subject: { type: 'User', id: pseudonym } }]);
    expect((await scanDatabase(api, { [person.id]: 'the account id', [person.email]: 'the email', [person.name!]: 'the name' })).hits).toEqual([]);

    // The only admin cannot leave the instance without one.
    const adminId = (await gqlOk(api.url, `{ me { id } }`, {}, admin)).me.id;
    const last = await gql(api.url, DELETE, { e: 'admin@demo.local' }, admin);
    expect(codeOf(last)).toBe('CONFLICT');
    expect(await userRow(adminId)).not.toBeNull();
    expect((await gqlOk(api.url, `{ me { email } }`, {}, admin)).me.email).toBe('admin@demo.local');
    expect((await gqlOk(api.url, VERIFY, {}, compliance)).verifyAuditChain).toMatchObject({ valid: true });
  });

  it('keeps no raw account id in the trail after erasure, even one a compliance officer filtered the trail by', async () => {
    // AuditFilterInput.actor and .subjectId accept "a pseudonym or an account id"; the query
    // and export record their filter in the trail, which erasure cannot change.
    const tag = randomUUID().slice(0, 8);
    const person = await createAccount(api.url, admin, { email: `fay.filtered.${tag}@privacy.test`, name: `Fay Filtered ${tag}` });
    const pseudonym = await pseudonymOf(person.email);
    const byId = (await gqlOk(api.url, AUDIT, { f: { actor: person.id } }, compliance)).auditEntries.edges.map((e: any) => e.node);
    expect(byId.length).toBeGreaterThan(0);
    expect(byId.every((n: any) => n.actor.pseudonym === pseudonym)).toBe(true);
    // The subject filter matches a person by account id too, with or without their type.
    for (const f of [{ subjectId: person.id, subjectType: 'User' }, { subjectId: person.id }]) {
      const nodes = (await gqlOk(api.url, AUDIT, { f }, compliance)).auditEntries.edges.map((e: any) => e.node);
      expect(nodes.map((n: any) => n.action), JSON.stringify(f)).toContain('createUser');
    }
    const exported = await gqlOk(api.url, `mutation($f: AuditFilterInput) { exportAudit(filter: $f, format: JSONL) { downloadPath } }`, { f: { actor: person.id } }, compliance);
    expect(exported.exportAudit.downloadPath).toBeTruthy();
    await gqlOk(api.url, `mutation($id: ID!) { eraseUser(id: $id) { pseudonym } }`, { id: person.id }, admin);

    const { hits } = await scanDatabase(api, { [person.id]: 'the account id', [person.email]: 'the email', [person.name!]: 'the name' });
    const holding = await api.server.database.prisma.$queryRawUnsafe<{ seq: bigint; action: string; after: string | null }[]>(
      `SELECT "seq", "action", "after"::text AS "after" FROM "AuditEntry" t WHERE t::text LIKE '%' || $1 || '%' ORDER BY "seq"`,
      person.id,
    );
    expect(
      hits,
      'the erased person’s account id stays in the append-only trail, in ' + holding.map((e) => `#${e.seq} ${e.action} after=${e.after}`).join('; '),
    ).toEqual([]);
  });
});

describe('retention', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(inference.url, { CONVERSATION_RETENTION_DAYS: '1', RETENTION_SWEEP_INTERVAL_S: '1' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('deletes a conversation untouched for longer than the retention period, records it as the service, and keeps the fresh one', async () => {
    const admin = await login(api.url, 'admin@demo.local');
    const compliance = await login(api.url, 'compliance@demo.local');
    const tag = randomUUID().slice(0, 8);
    const person = await createAccount(api.url, admin, { email: `rita.retained.${tag}@privacy.test`, name: `Rita Retained ${tag}` });
    const stale = await chat(api.url, person.token, `Rita-${tag}: an old question`);
    const fresh = await chat(api.url, person.token, `Rita-${tag}: a new question`);
    const db = api.server.database.prisma;
    await db.$executeRawUnsafe(`UPDATE "Conversation" SET "updatedAt" = now() - interval '2 days' WHERE id = $1::uuid`, stale.conversationId);

    await waitFor(async () => (await db.conversation.findUnique({ where: { id: stale.conversationId } })) === null, 15_000, 'the retention sweep');
    expect(await db.message.count({ where: { conversationId: stale.conversationId } })).toBe(0);
    expect(await db.conversation.findUnique({ where: { id: fresh.conversationId } })).not.toBeNull();
    expect(await db.message.count({ where: { conversationId: fresh.conversationId } })).toBe(2);
    expect(codeOf(await gql(api.url, `query($id: ID!) { conversation(id: $id) { id } }`, { id: stale.conversationId }, person.token))).toBe('NOT_FOUND');
    const conversations = (await gqlOk(api.url, `{ conversations { edges { node { id } } } }`, {}, person.token)).conversations.edges.map((e: any) => e.node.id);
    expect(conversations).toEqual([fresh.conversationId]);

    const pseudonym = (await gqlOk(api.url, ME, {}, person.token)).me.pseudonym;
    const entries = (await gqlOk(api.url, AUDIT, { f: { action: 'retention.deleteConversation' } }, compliance)).auditEntries.edges.map((e: any) => e.node);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'retention.deleteConversation',
      outcome: 'ALLOWED',
      actor: { kind: 'SERVICE', pseudonym: 'service:retention', role: null, apiKeyId: null },
      subject: { type: 'Conversation', id: stale.conversationId, owner: pseudonym },
      after: { retentionDays: 1 },
    });
    expect((await gqlOk(api.url, VERIFY, {}, compliance)).verifyAuditChain).toMatchObject({ valid: true, broken: null });
  });
});
