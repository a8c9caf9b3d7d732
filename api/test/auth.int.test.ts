/**
 * Identity end to end: local sign-in (argon2id), access tokens on HTTP and in graphql-ws
 * `connection_init` (close codes 4401 / 4403), single-use refresh tokens, and an external
 * OpenID Connect issuer — a real one, served by this test over HTTP with its own JWKS.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { LISTENER_APPLICATION_NAME } from '@dialoop/db';
import { SEND, codeOf, collect, gql, gqlOk, login, startApi, startInference, waitFor, wsClient, type Proc, type TestApi } from './stack.js';

const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';
const AUDIENCE = 'dialoop-test-app';
const ME = '{ me { id email name role } }';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
type InitOutcome = { ack: true; ws: WebSocket } | { ack: false; code: number; reason: string };

/** Opens a graphql-ws socket, sends connection_init with `payload`, and reports the ack or the close. */
function connectionInit(baseUrl: string, payload: Record<string, unknown> | undefined): Promise<InitOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', ...(payload ? { payload } : {}) })));
    ws.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve({ ack: true, ws });
    });
    ws.once('close', (code, reason) => resolve({ ack: false, code, reason: reason.toString() }));
  });
}

/** The close code connection_init gets, or 'ack' (the socket is then closed). */
async function initCode(baseUrl: string, token: string | undefined): Promise<number | 'ack'> {
  const r = await connectionInit(baseUrl, token === undefined ? {} : { authorization: `Bearer ${token}` });
  if (!r.ack) return r.code;
  r.ws.close();
  return 'ack';
}

const now = () => Math.floor(Date.now() / 1000);

/** An access token as the api signs them, with chosen times and key. */
function accessToken(sub: string, opts: { iat?: number; exp: number; secret?: string; iss?: string; aud?: string }) {
  return new SignJWT({ role: 'USER' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(opts.iss ?? 'dialoop')
    .setAudience(opts.aud ?? 'dialoop-api')
    .setIssuedAt(opts.iat ?? now())
    .setExpirationTime(opts.exp)
    .sign(new TextEncoder().encode(opts.secret ?? JWT_SECRET));
}

/** A minimal OpenID Connect issuer: discovery document and JWKS, signing RS256 tokens. */
async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `kid-${randomUUID()}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let jwksRequests = 0;
  const server = http.createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/jwks') {
      jwksRequests += 1;
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (claims: Record<string, unknown>, opts: { sub: string; aud?: string; exp?: number; key?: PrivateKey; iss?: string }) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(opts.iss ?? issuer)
      .setAudience(opts.aud ?? AUDIENCE)
      .setSubject(opts.sub)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? now() + 300)
      .sign(opts.key ?? privateKey);
  return {
    issuer,
    sign,
    jwksRequests: () => jwksRequests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('authentication', () => {
  let inference: Proc;
  let api: TestApi;
  let idp: Awaited<ReturnType<typeof startIssuer>>;
  let admin: string;

  const createUser = async (role = 'USER') => {
    const email = `auth-${role.toLowerCase()}-${randomUUID()}@test.local`;
    const d = await gqlOk(api.url, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { email, password: 'password-123', role } }, admin);
    return { id: d.createUser.id as string, email, token: await login(api.url, email, 'password-123') };
  };

  beforeAll(async () => {
    idp = await startIssuer();
    inference = await startInference();
    api = await startApi(inference.url, { OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: AUDIENCE, WS_AUTH_RECHECK_MS: '200' });
    admin = await login(api.url, 'admin@demo.local');
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
    await idp?.close();
  });

  describe('local accounts', () => {
    it('signs in with the right password; a wrong password and an unknown email get the same UNAUTHENTICATED answer', async () => {
      const u = await createUser();
      const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken expiresIn user { id email role } } }';
      const ok = (await gqlOk(api.url, LOGIN, { e: u.email.toUpperCase(), p: 'password-123' })).login;
      expect(ok.user).toEqual({ id: u.id, email: u.email, role: 'USER' });
      expect(ok.expiresIn).toBeGreaterThan(0);

      const wrong = await gql(api.url, LOGIN, { e: u.email, p: 'password-124' });
      const unknown = await gql(api.url, LOGIN, { e: `nobody-${randomUUID()}@test.local`, p: 'password-123' });
      expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
      expect(codeOf(unknown)).toBe('UNAUTHENTICATED');
      expect(wrong.data).toBeNull();
      expect(unknown.errors![0]!.message).toBe(wrong.errors![0]!.message);
    });

    it('stores passwords as argon2id hashes, never in clear', async () => {
      const u = await createUser();
      const row = await api.server.database.prisma.user.findUniqueOrThrow({ where: { id: u.id } });
      expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
      expect(row.passwordHash).not.toContain('password-123');
    });

    it('accepts the access token on HTTP and in connection_init, where a reply then streams', async () => {
      const u = await createUser();
      expect((await gqlOk(api.url, ME, {}, u.token)).me).toMatchObject({ id: u.id, email: u.email, role: 'USER' });
      expect(await initCode(api.url, u.token)).toBe('ack');

      const sent = (await gqlOk(api.url, SEND, { input: { content: 'Hi', params: { maxTokens: 4, ignoreEos: true } } }, u.token)).sendMessage;
      const client = wsClient(api.url, u.token);
      const events = await collect(client, sent.assistantMessage.id);
      await client.dispose();
      expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE', error: null });
      // Four deltas (some may come joined in one event: the final event's seq says how many there were).
      expect(events.at(-1)!.seq).toBe(5);
      expect(events.some((e) => !e.done && e.delta)).toBe(true);
    });

    it('refuses missing, malformed, forged and expired tokens: UNAUTHENTICATED on HTTP, close 4401 in connection_init', async () => {
      const u = await createUser();
      // A control token built the same way, but valid: the refusals below are about what differs.
      const valid = await accessToken(u.id, { exp: now() + 300 });
      expect(await initCode(api.url, valid)).toBe('ack');
      expect((await gqlOk(api.url, ME, {}, valid)).me.id).toBe(u.id);

      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const bad: [string, string][] = [
        ['garbage', 'not-a-jwt'],
        ['expired', await accessToken(u.id, { iat: now() - 3600, exp: now() - 60 })],
        ['signed with another secret', await accessToken(u.id, { exp: now() + 300, secret: 'another-secret-another-secret-another-0123' })],
        ['wrong issuer', await accessToken(u.id, { exp: now() + 300, iss: 'someone-else' })],
        ['wrong audience', await accessToken(u.id, { exp: now() + 300, aud: 'another-api' })],
        ['unknown subject', await accessToken(randomUUID(), { exp: now() + 300 })],
        ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: u.id, role: 'ADMIN', iss: 'dialoop', aud: 'dialoop-api', exp: now() + 300 })}.`],
        ['revoked-looking API key', `dk_${randomUUID()}`],
      ];
      for (const [what, token] of bad) {
        const r = await gql(api.url, ME, {}, token);
        expect(codeOf(r), what).toBe('UNAUTHENTICATED');
        expect(r.data, what).toBeNull();
        expect(await initCode(api.url, token), what).toBe(4401);
      }
      // No token at all: anonymous on HTTP (refused by the operation's rule), 4401 on the socket.
      expect(codeOf(await gql(api.url, ME))).toBe('UNAUTHENTICATED');
      expect(await initCode(api.url, undefined)).toBe(4401);
      const noPayload = await connectionInit(api.url, undefined);
      expect(noPayload).toMatchObject({ ack: false, code: 4401 });
      const notBearer = await connectionInit(api.url, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
      expect(notBearer).toMatchObject({ ack: false, code: 4401 });
    });

    it('closes a socket with 4401 when a subscription starts after its token expired', async () => {
      const u = await createUser();
      const exp = now() + 2;
      const token = await accessToken(u.id, { exp });
      const r = await connectionInit(api.url, { authorization: `Bearer ${token}` });
      if (!r.ack) throw new Error(`expected an ack, got close ${r.code}`);
      await new Promise((res) => setTimeout(res, exp * 1000 - Date.now() + 100));
      // graphql-ws reports a broken onSubscribe hook on console.error (and would close with 4500).
      const consoleError = vi.spyOn(console, 'error');
      try {
        const closed = new Promise<number>((res) => r.ws.once('close', (code) => res(code)));
        r.ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { messageStream(messageId: "${randomUUID()}") { seq } }` } }));
        expect(await closed).toBe(4401);
        await new Promise((res) => setTimeout(res, 50));
        expect(consoleError).not.toHaveBeenCalled();
      } finally {
        consoleError.mockRestore();
      }
    });

    it('disabling an account stops its tokens: FORBIDDEN on HTTP, close 4403 in connection_init, no sign-in', async () => {
      const u = await createUser();
      expect(await initCode(api.url, u.token)).toBe('ack');
      const refresh = (await gqlOk(api.url, 'mutation($e: String!) { login(email: $e, password: "password-123") { refreshToken } }', { e: u.email })).login.refreshToken;
      const upd = await gqlOk(api.url, 'mutation($id: ID!) { updateUser(id: $id, disabled: true) { id disabled } }', { id: u.id }, admin);
      expect(upd.updateUser).toEqual({ id: u.id, disabled: true });

      expect(await initCode(api.url, u.token)).toBe(4403);
      expect(codeOf(await gql(api.url, ME, {}, u.token))).toBe('FORBIDDEN');
      // Signing in to a disabled account answers as a wrong password does: it does not tell whether the password was right.
      const right = await gql(api.url, 'mutation($e: String!) { login(email: $e, password: "password-123") { accessToken } }', { e: u.email });
      const wrong = await gql(api.url, 'mutation($e: String!) { login(email: $e, password: "wrong-password") { accessToken } }', { e: u.email });
      expect(codeOf(right)).toBe('UNAUTHENTICATED');
      expect(right.errors![0]!.message).toBe(wrong.errors![0]!.message);
      expect(right.errors![0]!.extensions).toEqual(wrong.errors![0]!.extensions);
      // The trail keeps the real reason.
      const reasons = await api.server.database.prisma.auditEntry.findMany({ where: { action: 'login', outcome: 'DENIED', subjectId: api.server.services.audit.person(u.id) }, orderBy: { seq: 'asc' } });
      expect(reasons.slice(-2).map((e) => (e.after as { reason: string }).reason)).toEqual(['account disabled', 'invalid credentials']);
      expect(codeOf(await gql(api.url, 'mutation($t: String!) { refreshToken(token: $t) { accessToken } }', { t: refresh }))).toBe('FORBIDDEN');

      await gqlOk(api.url, 'mutation($id: ID!) { updateUser(id: $id, disabled: false) { id } }', { id: u.id }, admin);
      expect(await initCode(api.url, u.token)).toBe('ack');
    });

    it('an account’s role and status, kept in memory between requests, follow a change made elsewhere at its commit', async () => {
      const u = await createUser();
      const db = api.server.database.prisma;
      // Read (and kept) by these requests.
      for (let i = 0; i < 3; i++) expect((await gqlOk(api.url, ME, {}, u.token)).me.role).toBe('USER');
      // Changed straight in the database, as another api process or an operator would: this
      // process learns it from the database's notification, not from an expiry.
      await db.$executeRaw`UPDATE "User" SET "role" = 'REVIEWER' WHERE "id" = ${u.id}::uuid`;
      await waitFor(async () => (await gqlOk(api.url, ME, {}, u.token)).me.role === 'REVIEWER', 2_000, 'the new role');
      await db.$executeRaw`UPDATE "User" SET "disabled" = true WHERE "id" = ${u.id}::uuid`;
      await waitFor(async () => codeOf(await gql(api.url, ME, {}, u.token)) === 'FORBIDDEN', 2_000, 'the account disabled');
      // And erased: the token names no account any more.
      await db.$executeRaw`DELETE FROM "RefreshToken" WHERE "userId" = ${u.id}::uuid`;
      await db.$executeRaw`UPDATE "User" SET "disabled" = false WHERE "id" = ${u.id}::uuid`;
      await waitFor(async () => !(await gql(api.url, ME, {}, u.token)).errors, 2_000, 'the account enabled again');
      await db.$executeRaw`DELETE FROM "User" WHERE "id" = ${u.id}::uuid`;
      await waitFor(async () => codeOf(await gql(api.url, ME, {}, u.token)) === 'UNAUTHENTICATED', 2_000, 'the account gone');
    });

    it('a lost listening connection forgets what it kept: a change made while it is down applies at the next request', async () => {
      const u = await createUser();
      const db = api.server.database.prisma;
      expect((await gqlOk(api.url, ME, {}, u.token)).me.role).toBe('USER');
      // The api's LISTEN connection is cut by the server (as a failover or an idle drop would).
      const cut = await db.$queryRaw<{ ok: boolean }[]>`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ${LISTENER_APPLICATION_NAME} AND datname = current_database()`;
      expect(cut.some((r) => r.ok)).toBe(true);
      await db.$executeRaw`UPDATE "User" SET "role" = 'REVIEWER' WHERE "id" = ${u.id}::uuid`;
      await waitFor(async () => (await gqlOk(api.url, ME, {}, u.token)).me.role === 'REVIEWER', 2_000, 'the new role');
      // Listening again: a later change still arrives.
      await waitFor(async () => (await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${LISTENER_APPLICATION_NAME} AND datname = current_database()`)[0]!.n > 0, 15_000, 'the listener back');
      expect((await gqlOk(api.url, ME, {}, u.token)).me.role).toBe('REVIEWER');
      await db.$executeRaw`UPDATE "User" SET "role" = 'USER' WHERE "id" = ${u.id}::uuid`;
      await waitFor(async () => (await gqlOk(api.url, ME, {}, u.token)).me.role === 'USER', 2_000, 'the role back');
    });

    it('uses each refresh token once: the rotated token works, the spent one does not', async () => {
      const u = await createUser();
      const REFRESH = 'mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken user { id } } }';
      const first = (await gqlOk(api.url, 'mutation($e: String!) { login(email: $e, password: "password-123") { refreshToken } }', { e: u.email })).login.refreshToken as string;
      const second = (await gqlOk(api.url, REFRESH, { t: first })).refreshToken;
      expect(second.user.id).toBe(u.id);
      expect(second.refreshToken).not.toBe(first);
      // Two racing exchanges of one token: exactly one wins.
      const raced = await Promise.all([gql(api.url, REFRESH, { t: second.refreshToken }), gql(api.url, REFRESH, { t: second.refreshToken })]);
      expect(raced.filter((r) => !r.errors).length).toBe(1);
      expect(raced.filter((r) => codeOf(r) === 'UNAUTHENTICATED').length).toBe(1);
      const winner = raced.find((r) => !r.errors)!.data.refreshToken;
      expect((await gqlOk(api.url, ME, {}, winner.accessToken)).me.id).toBe(u.id);
      // The spent first token presented again: refused, and every token of its family is revoked
      // (the newest one too), recorded as a denied refresh; another sign-in's tokens are untouched.
      const other = (await gqlOk(api.url, 'mutation($e: String!) { login(email: $e, password: "password-123") { refreshToken } }', { e: u.email })).login.refreshToken as string;
      const again = await gql(api.url, REFRESH, { t: first });
      expect(codeOf(again)).toBe('UNAUTHENTICATED');
      expect(again.data).toBeNull();
      expect(codeOf(await gql(api.url, REFRESH, { t: winner.refreshToken }))).toBe('UNAUTHENTICATED');
      expect((await gqlOk(api.url, REFRESH, { t: other })).refreshToken.user.id).toBe(u.id);
      // Both refused presentations recorded: the first revoked the one live token of the family, the second found none.
      const reuse = await api.server.database.prisma.auditEntry.findMany({ where: { action: 'refreshToken', outcome: 'DENIED', subjectId: api.server.services.audit.person(u.id) }, orderBy: { seq: 'asc' } });
      expect(reuse.map((e) => e.after)).toEqual([
        { reason: 'refresh token reused', familyRevoked: 1 },
        { reason: 'refresh token reused', familyRevoked: 0 },
      ]);
      expect(codeOf(await gql(api.url, REFRESH, { t: 'dr_not-a-token' }))).toBe('UNAUTHENTICATED');
      expect(codeOf(await gql(api.url, REFRESH, { t: winner.accessToken }))).toBe('UNAUTHENTICATED');
    });
  });

  describe('credentials that change while in use', () => {
    it('closes an open socket once its API key is revoked (at the next operation after the re-check interval)', async () => {
      const u = await createUser();
      const key = (await gqlOk(api.url, `mutation { createApiKey(input: { name: "app", scopes: [chat, profile] }) { secret apiKey { id } } }`, {}, u.token)).createApiKey;
      const closed = new Promise<number>((resolve) => {
        const client = wsClient(api.url, key.secret, { lazy: false, on: { closed: (e: any) => resolve(e.code) } });
        const ask = () => new Promise<void>((res) => client.subscribe({ query: '{ me { id } }' }, { next: () => undefined, error: () => res(), complete: () => res() }));
        void ask()
          .then(() => gqlOk(api.url, `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: key.apiKey.id }, u.token))
          .then(() => new Promise((r) => setTimeout(r, 300)))
          .then(ask);
      });
      expect(await closed).toBe(4401);
    });

    it('still lets a client holding an expired access token refresh it, while other operations get 401', async () => {
      const u = await createUser();
      const pair = (await gqlOk(api.url, `mutation($e: String!) { login(email: $e, password: "password-123") { refreshToken } }`, { e: u.email })).login;
      const expired = await accessToken(u.id, { iat: now() - 120, exp: now() - 60 });
      const refreshed = await gql(api.url, `mutation($t: String!) { refreshToken(token: $t) { accessToken } }`, { t: pair.refreshToken }, expired);
      expect(refreshed.errors).toBeUndefined();
      const me = await gql(api.url, '{ me { id } }', {}, expired);
      expect(codeOf(me)).toBe('UNAUTHENTICATED');
      expect(me.status).toBe(401);
    });
  });

  describe('an external OpenID Connect issuer', () => {
    it('provisions the person on first sight, with the role its claim names', async () => {
      const sub = `oidc-${randomUUID()}`;
      const email = `${sub}@idp.test`;
      const token = await idp.sign({ email, name: 'Ada Reviewer', dialoop_role: 'REVIEWER' }, { sub });
      const me = (await gqlOk(api.url, ME, {}, token)).me;
      expect(me).toMatchObject({ email, name: 'Ada Reviewer', role: 'REVIEWER' });
      expect(idp.jwksRequests()).toBeGreaterThan(0);
      const row = await api.server.database.prisma.user.findUniqueOrThrow({ where: { id: me.id } });
      expect(row).toMatchObject({ externalId: `${idp.issuer}|${sub}`, passwordHash: null });

      // Same subject again: the same person; the issuer stays the source of truth for the role.
      const promoted = await idp.sign({ email, dialoop_role: 'ADMIN' }, { sub });
      expect((await gqlOk(api.url, ME, {}, promoted)).me).toMatchObject({ id: me.id, role: 'ADMIN' });
      // No claim, or a value that names no role: USER.
      expect((await gqlOk(api.url, ME, {}, await idp.sign({ email }, { sub }))).me).toMatchObject({ id: me.id, role: 'USER' });
      const odd = `oidc-${randomUUID()}`;
      expect((await gqlOk(api.url, ME, {}, await idp.sign({ dialoop_role: 'SUPERUSER' }, { sub: odd }))).me.role).toBe('USER');
    });

    it('lets an OIDC user chat over HTTP and graphql-ws with the issuer’s token', async () => {
      const sub = `oidc-${randomUUID()}`;
      const token = await idp.sign({ email: `${sub}@idp.test` }, { sub });
      expect(await initCode(api.url, token)).toBe('ack');
      const sent = (await gqlOk(api.url, SEND, { input: { content: 'Hello', params: { maxTokens: 3, ignoreEos: true } } }, token)).sendMessage;
      const client = wsClient(api.url, token);
      const events = await collect(client, sent.assistantMessage.id);
      await client.dispose();
      expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
    });

    it('never links an OIDC identity to a local account by email: FORBIDDEN, close 4403', async () => {
      const local = await createUser('ADMIN');
      const sub = `oidc-${randomUUID()}`;
      const token = await idp.sign({ email: local.email, dialoop_role: 'USER' }, { sub });
      const r = await gql(api.url, ME, {}, token);
      expect(codeOf(r)).toBe('FORBIDDEN');
      expect(r.data).toBeNull();
      expect(await initCode(api.url, token)).toBe(4403);
      const row = await api.server.database.prisma.user.findUniqueOrThrow({ where: { id: local.id } });
      expect(row).toMatchObject({ externalId: null, role: 'ADMIN' });
    });

    it('refuses a wrong audience, another key, another issuer and an expired token', async () => {
      const sub = `oidc-${randomUUID()}`;
      const { privateKey: otherKey } = await generateKeyPair('RS256');
      const bad: [string, string][] = [
        ['wrong audience', await idp.sign({ dialoop_role: 'ADMIN' }, { sub, aud: 'someone-else' })],
        ['signed by another key (same kid)', await idp.sign({ dialoop_role: 'ADMIN' }, { sub, key: otherKey })],
        ['expired', await idp.sign({ dialoop_role: 'ADMIN' }, { sub, exp: now() - 60 })],
        ['another issuer', await idp.sign({ dialoop_role: 'ADMIN' }, { sub, iss: 'http://127.0.0.1:1/evil' })],
      ];
      for (const [what, token] of bad) {
        const r = await gql(api.url, ME, {}, token);
        expect(codeOf(r), what).toBe('UNAUTHENTICATED');
        expect(r.data, what).toBeNull();
        expect(await initCode(api.url, token), what).toBe(4401);
      }
      // None of them provisioned anyone.
      expect(await api.server.database.prisma.user.count({ where: { externalId: { endsWith: `|${sub}` } } })).toBe(0);
    });
  });

  describe('the last active admin', () => {
    const UPDATE = 'mutation($id: ID!, $role: Role, $d: Boolean) { updateUser(id: $id, role: $role, disabled: $d) { id role disabled } }';
    const db = () => api.server.database.prisma;
    /** Disables every active admin but `keep` (as another admin would), runs `fn`, then puts them back. */
    const aloneAs = async (keep: string, fn: () => Promise<void>) => {
      const others = await db().user.findMany({ where: { role: 'ADMIN', disabled: false, id: { not: keep } }, select: { id: true } });
      await db().user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabled: true } });
      try {
        await fn();
      } finally {
        await db().user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabled: false } });
      }
    };

    it('cannot demote or disable themself, nor be erased, while no other admin is active; with another, they can', async () => {
      const me = (await gqlOk(api.url, ME, {}, admin)).me.id as string;
      const failedUpdates = () => db().auditEntry.count({ where: { action: 'updateUser', outcome: 'FAILED', after: { path: ['code'], equals: 'CONFLICT' } } });
      const failedBefore = await failedUpdates();
      await aloneAs(me, async () => {
        for (const vars of [{ id: me, role: 'USER' }, { id: me, d: true }]) {
          const r = await gql(api.url, UPDATE, vars, admin);
          expect(codeOf(r)).toBe('CONFLICT');
          expect(r.errors![0]!.extensions!.reason).toBe('LAST_ACTIVE_ADMIN');
        }
        expect(await db().user.findUniqueOrThrow({ where: { id: me } })).toMatchObject({ role: 'ADMIN', disabled: false });
        // Both refusals are in the trail.
        expect((await failedUpdates()) - failedBefore).toBe(2);
        const email = (await db().user.findUniqueOrThrow({ where: { id: me } })).email;
        expect(codeOf(await gql(api.url, 'mutation($e: String!) { deleteMyAccount(confirmEmail: $e) { pseudonym } }', { e: email }, admin))).toBe('CONFLICT');
      });
      // With a second active admin the first may step down (and is put back by the second).
      const second = await createUser('ADMIN');
      expect((await gqlOk(api.url, UPDATE, { id: me, role: 'USER' }, admin)).updateUser.role).toBe('USER');
      expect((await gqlOk(api.url, UPDATE, { id: me, role: 'ADMIN' }, second.token)).updateUser.role).toBe('ADMIN');
      await gqlOk(api.url, UPDATE, { id: second.id, d: true }, admin);
    });

    it('keeps the role of the last active admin when the issuer’s claim would take it away', async () => {
      const sub = `last-admin-${randomUUID()}`;
      const email = `${sub}@idp.test`;
      const id = (await gqlOk(api.url, ME, {}, await idp.sign({ email, dialoop_role: 'ADMIN' }, { sub }))).me.id as string;
      await aloneAs(id, async () => {
        const me = (await gqlOk(api.url, ME, {}, await idp.sign({ email, dialoop_role: 'USER' }, { sub }))).me;
        expect(me).toMatchObject({ id, role: 'ADMIN' });
        const refused = await db().auditEntry.findFirst({ where: { action: 'updateUser', outcome: 'FAILED', subjectId: api.server.services.audit.person(id) }, orderBy: { seq: 'desc' } });
        expect(refused?.after).toMatchObject({ role: 'USER', refused: 'last active admin' });
      });
      // Another admin active: the claim applies.
      expect((await gqlOk(api.url, ME, {}, await idp.sign({ email, dialoop_role: 'USER' }, { sub }))).me.role).toBe('USER');
    });
  });
});
