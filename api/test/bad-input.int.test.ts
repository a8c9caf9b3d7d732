/**
 * Bad inputs, one row each: what a client sends, over HTTP or graphql-ws, and the
 * `extensions.code` (with the HTTP status, or the WebSocket close code) it must get back. After
 * the table: the api is still up, and no answer carried internals (stack traces, SQL, Prisma).
 */
import { SignJWT, UnsecuredJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND, codeOf, collect, gql, gqlOk, login, startApi, startInference, wsClient, type Proc, type TestApi } from './stack.js';

const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';
const MAX_MESSAGE_CHARS = 1000;
/** A well-formed id that names no row. */
const NO_SUCH_ID = '0b7c5e2a-4f1d-4e8a-9c3b-6d2f1a8e5c47';

interface Person {
  token: string;
  id: string;
}

interface Fixture {
  admin: string;
  user: Person;
  other: Person;
  reviewer: Person;
  compliance: Person;
  /** An account an admin disabled after it signed in. */
  disabled: Person;
  /** The user's conversation: one prompt and its finished reply. */
  conversationId: string;
  userMessageId: string;
  replyId: string;
  /** Another person's conversation and finished reply. */
  otherConversationId: string;
  otherReplyId: string;
  chatKey: string;
  profileKey: string;
}

type Request =
  /** A GraphQL POST; `token` becomes `Authorization: Bearer <token>`, `authorization` is sent as it is. */
  | { kind: 'gql'; query: string; variables?: Record<string, unknown>; token?: string; authorization?: string }
  /** Anything else over HTTP. */
  | { kind: 'http'; method?: 'GET' | 'POST'; path?: string; headers?: Record<string, string>; body?: string }
  /** `POST /chat` with this body (an object is sent as JSON, a string as it is), as JSON; its answers are `{ error: { code } }`. */
  | { kind: 'rest'; body: unknown; token?: string; headers?: Record<string, string> }
  /** A graphql-transport-ws socket: connection_init with `connectionParams` (or the raw first frame), then one subscribe. */
  | { kind: 'ws'; connectionParams?: unknown; rawInit?: string; subscribe?: { query: string; variables?: Record<string, unknown> }; subscribeAfterMs?: number };

interface Row {
  name: string;
  request: (f: Fixture) => Request | Promise<Request>;
  /** `extensions.code` of the first error. */
  code?: string;
  /** HTTP status of the answer. */
  status?: number;
  /** The close code when the server closes the WebSocket (rows with a `code` expect it to stay open). */
  close?: number;
}

interface Answer {
  status?: number;
  close?: number;
  errors: { message: string; extensions?: Record<string, unknown> }[];
  /** Every text that came back (bodies, frames, close reasons), for the leak check. */
  texts: string[];
}

type HttpRequest = Exclude<Request, { kind: 'ws' }>;
type WsRequest = Extract<Request, { kind: 'ws' }>;

const q = (query: string, variables?: Record<string, unknown>, token?: string): HttpRequest => ({ kind: 'gql', query, variables, token });
const sub = (connectionParams: unknown, query?: string, variables?: Record<string, unknown>): WsRequest => ({
  kind: 'ws',
  connectionParams,
  subscribe: query ? { query, variables } : undefined,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const rest = (body: unknown, token?: string, headers?: Record<string, string>): HttpRequest => ({ kind: 'rest', body, token, headers });

const now = () => Math.floor(Date.now() / 1000);
/** An access token as the api signs them, with whatever is changed. */
async function accessToken(o: { sub: string; secret?: string; audience?: string; exp?: number }): Promise<string> {
  return new SignJWT({ role: 'USER' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(o.sub)
    .setIssuer('dialoop')
    .setAudience(o.audience ?? 'dialoop-api')
    .setIssuedAt(now() - 60)
    .setExpirationTime(o.exp ?? now() + 300)
    .sign(new TextEncoder().encode(o.secret ?? JWT_SECRET));
}

const STREAM = 'subscription($id: ID!, $from: Int) { messageStream(messageId: $id, fromSeq: $from) { seq delta done } }';
const MESSAGE = 'query($id: ID!) { message(id: $id) { id } }';
const CONVERSATION = 'query($id: ID!) { conversation(id: $id) { id } }';
const RATE = 'mutation($id: ID!, $i: RateMessageInput!) { rateMessage(messageId: $id, input: $i) { id } }';
const CREATE_USER = 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }';
const CONVERSATIONS = 'query($first: Int!, $after: String) { conversations(first: $first, after: $after) { edges { cursor } } }';
const ME = '{ me { id } }';
/** `depth` nested inline fragments inside `me`: valid GraphQL, as deep as wanted. */
const deepMe = (depth: number) => `{ me { ${'... on User { '.repeat(depth)}id${' }'.repeat(depth)} } }`;

const ROWS: Row[] = [
  // Malformed operations and requests
  { name: 'syntax error', status: 400, code: 'GRAPHQL_PARSE_FAILED', request: (f) => q('{ me { id }', {}, f.user.token) },
  { name: 'empty query', status: 400, code: 'BAD_REQUEST', request: (f) => q('', {}, f.user.token) },
  { name: 'query that is not a string', status: 400, code: 'BAD_REQUEST', request: () => ({ kind: 'http', headers: { 'content-type': 'application/json' }, body: '{"query": 42}' }) },
  { name: 'JSON body without a query', status: 400, code: 'BAD_REQUEST', request: () => ({ kind: 'http', headers: { 'content-type': 'application/json' }, body: '{}' }) },
  { name: 'malformed JSON body', status: 400, code: 'BAD_REQUEST', request: () => ({ kind: 'http', headers: { 'content-type': 'application/json' }, body: '{"query": "{ me { id } }"' }) },
  { name: 'batched operations (batching is off)', status: 400, code: 'BAD_REQUEST', request: () => ({ kind: 'http', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: ME }, { query: ME }]) }) },
  { name: 'variables as a JSON string', status: 400, code: 'BAD_REQUEST', request: () => ({ kind: 'http', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: ME, variables: '{}' }) }) },
  { name: 'unknown root field', status: 400, code: 'GRAPHQL_VALIDATION_FAILED', request: (f) => q('{ secrets { id } }', {}, f.user.token) },
  { name: 'unknown field of a type', status: 400, code: 'GRAPHQL_VALIDATION_FAILED', request: (f) => q('{ me { id passwordHash } }', {}, f.user.token) },
  { name: 'missing required argument', status: 400, code: 'GRAPHQL_VALIDATION_FAILED', request: (f) => q('{ message { id } }', {}, f.user.token) },
  { name: 'literal argument of the wrong type', status: 400, code: 'GRAPHQL_VALIDATION_FAILED', request: (f) => q('{ conversations(first: "ten") { edges { cursor } } }', {}, f.user.token) },
  { name: 'variable declared with a type its position does not accept', status: 400, code: 'GRAPHQL_VALIDATION_FAILED', request: (f) => q('query($id: String!) { message(id: $id) { id } }', { id: f.replyId }, f.user.token) },
  { name: 'several operations and no operationName', status: 400, code: 'OPERATION_RESOLUTION_FAILURE', request: (f) => q('query A { me { id } } query B { me { email } }', {}, f.user.token) },
  {
    name: 'operationName naming no operation',
    status: 400,
    code: 'OPERATION_RESOLUTION_FAILURE',
    request: (f) => ({ kind: 'http', headers: { 'content-type': 'application/json', ...bearer(f.user.token) }, body: JSON.stringify({ query: 'query A { me { id } }', operationName: 'B' }) }),
  },

  // Variables
  { name: 'variable of the wrong type', status: 400, code: 'BAD_USER_INPUT', request: (f) => q(CONVERSATIONS, { first: 'ten' }, f.user.token) },
  { name: 'missing required variable', status: 400, code: 'BAD_USER_INPUT', request: (f) => q(CONVERSATIONS, {}, f.user.token) },
  { name: 'input object with an unknown field', status: 400, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', priority: 'high' } }, f.user.token) },
  { name: 'input object without its required field', status: 400, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { model: 'dialoop-tiny' } }, f.user.token) },
  { name: 'enum value that does not exist', status: 400, code: 'BAD_USER_INPUT', request: (f) => q(RATE, { id: f.replyId, i: { thumb: 'SIDEWAYS' } }, f.user.token) },

  // Message content and generation parameters
  { name: `content over MAX_MESSAGE_CHARS (${MAX_MESSAGE_CHARS})`, status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'a'.repeat(MAX_MESSAGE_CHARS + 1) } }, f.user.token) },
  { name: 'empty content', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: '' } }, f.user.token) },
  { name: 'whitespace-only content', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: ' \n\t ' } }, f.user.token) },
  {
    name: 'edited content over MAX_MESSAGE_CHARS',
    status: 200,
    code: 'BAD_USER_INPUT',
    request: (f) => q('mutation($id: ID!, $c: String!) { editAndResend(messageId: $id, content: $c) { userMessage { id } } }', { id: f.userMessageId, c: 'b'.repeat(MAX_MESSAGE_CHARS + 1) }, f.user.token),
  },
  { name: 'temperature 5', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', params: { temperature: 5 } } }, f.user.token) },
  { name: 'maxTokens 0', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', params: { maxTokens: 0 } } }, f.user.token) },
  { name: 'topP 0', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', params: { topP: 0 } } }, f.user.token) },
  // Text PostgreSQL cannot store, anywhere in an argument: a lone UTF-16 surrogate (nested JSON and its keys included).
  { name: 'lone surrogate in content', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'a\uD800b' } }, f.user.token) },
  { name: 'lone surrogate in params.stop', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', params: { stop: ['\uDC00'] } } }, f.user.token) },
  { name: 'lone surrogate in a safety term', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation($i: CreateSafetyTermInput!) { createSafetyTerm(input: $i) { id } }', { i: { term: 'x\uD83D', level: 'REVIEW' } }, f.admin) },
  { name: 'lone surrogate in a rewrite rule', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation($i: CreateRewriteRuleInput!) { createRewriteRule(input: $i) { id } }', { i: { pattern: 'a', replacement: '\uDE00' } }, f.admin) },
  { name: 'lone surrogate in dataset filters', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation($i: CreateDatasetVersionInput) { createDatasetVersion(input: $i) { id } }', { i: { filters: { languages: ['zh', 'x\uD800'] } } }, f.admin) },
  { name: 'lone surrogate in a model version name', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { id } }', { i: { name: 'm\uD800', path: '/nowhere' } }, f.admin) },
  { name: 'maxWaitMs -1', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', params: { maxWaitMs: -1 } } }, f.user.token) },
  { name: 'maxWaitMs not an integer', status: 400, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', params: { maxWaitMs: 1.5 } } }, f.user.token) },
  { name: 'stop with 5 entries', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', params: { stop: ['a', 'b', 'c', 'd', 'e'] } } }, f.user.token) },
  { name: 'unknown model', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', model: 'no-such-model' } }, f.user.token) },
  { name: 'parentId naming a user message', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(SEND, { input: { content: 'hi', parentId: f.userMessageId } }, f.user.token) },
  { name: 'regenerating a user message', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation($id: ID!) { regenerate(messageId: $id) { id } }', { id: f.userMessageId }, f.user.token) },
  { name: 'continuing a user message', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation($id: ID!) { continueGeneration(messageId: $id) { id } }', { id: f.userMessageId }, f.user.token) },
  { name: 'continuing with maxTokens 0', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation($id: ID!) { continueGeneration(messageId: $id, input: { params: { maxTokens: 0 } }) { id } }', { id: f.replyId }, f.user.token) },
  { name: 'editing an assistant reply', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation($id: ID!) { editAndResend(messageId: $id, content: "x") { userMessage { id } } }', { id: f.replyId }, f.user.token) },
  { name: 'renaming to a blank title', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation($id: ID!) { renameConversation(id: $id, title: "   ") { id } }', { id: f.conversationId }, f.user.token) },

  // Pagination
  { name: 'invalid cursor', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(CONVERSATIONS, { first: 10, after: 'not-a-cursor' }, f.user.token) },
  { name: 'cursor with a forged id', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(CONVERSATIONS, { first: 10, after: Buffer.from(`${new Date().toISOString()}|x'; --`).toString('base64url') }, f.user.token) },
  { name: 'conversations first: 0', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(CONVERSATIONS, { first: 0 }, f.user.token) },
  { name: 'users first: 1000', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('{ users(first: 1000) { id } }', {}, f.admin) },

  // Query limits
  { name: 'query deeper than MAX_QUERY_DEPTH (inline fragments)', status: 400, code: 'GRAPHQL_VALIDATION_FAILED', request: (f) => q(deepMe(12), {}, f.user.token) },
  {
    name: 'query deeper than MAX_QUERY_DEPTH (named fragments)',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    request: (f) => {
      const names = Array.from({ length: 12 }, (_, i) => `F${i}`);
      const fragments = names.map((n, i) => `fragment ${n} on User { ${i + 1 < names.length ? `...F${i + 1}` : 'id'} }`).join(' ');
      return q(`{ me { ...F0 } } ${fragments}`, {}, f.user.token);
    },
  },
  {
    name: 'query costlier than MAX_QUERY_COST',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    request: (f) => q(`{ ${Array.from({ length: 5 }, (_, i) => `c${i}: conversations(first: 100) { edges { node { id title } } }`).join(' ')} }`, {}, f.user.token),
  },

  // Credentials
  { name: 'garbage bearer token', status: 401, code: 'UNAUTHENTICATED', request: () => ({ kind: 'gql', query: ME, authorization: 'Bearer not-a-token' }) },
  { name: 'expired access token', status: 401, code: 'UNAUTHENTICATED', request: async (f) => q(ME, {}, await accessToken({ sub: f.user.id, exp: now() - 60 })) },
  { name: 'forged access token (signed with another secret)', status: 401, code: 'UNAUTHENTICATED', request: async (f) => q(ME, {}, await accessToken({ sub: f.user.id, secret: 'another-secret-another-secret-0123456' })) },
  {
    name: 'unsigned access token (alg none)',
    status: 401,
    code: 'UNAUTHENTICATED',
    request: (f) => q(ME, {}, new UnsecuredJWT({ role: 'ADMIN' }).setSubject(f.user.id).setIssuer('dialoop').setAudience('dialoop-api').setExpirationTime('5m').encode()),
  },
  { name: 'access token for another audience', status: 401, code: 'UNAUTHENTICATED', request: async (f) => q(ME, {}, await accessToken({ sub: f.user.id, audience: 'another-api' })) },
  { name: 'signed access token whose subject is not an id', status: 401, code: 'UNAUTHENTICATED', request: async () => q(ME, {}, await accessToken({ sub: 'admin' })) },
  { name: 'signed access token for an account that does not exist', status: 401, code: 'UNAUTHENTICATED', request: async () => q(ME, {}, await accessToken({ sub: NO_SUCH_ID })) },
  { name: 'Authorization header of another scheme', status: 401, code: 'UNAUTHENTICATED', request: () => ({ kind: 'gql', query: ME, authorization: 'Basic dXNlckBkZW1vLmxvY2FsOmRpYWxvb3AtZGVtbw==' }) },
  { name: 'Authorization header "Bearer" without a token', status: 401, code: 'UNAUTHENTICATED', request: () => ({ kind: 'gql', query: ME, authorization: 'Bearer' }) },
  { name: 'Authorization header with two tokens', status: 401, code: 'UNAUTHENTICATED', request: (f) => ({ kind: 'gql', query: ME, authorization: `Bearer ${f.user.token} ${f.user.token}` }) },
  { name: 'API key that does not exist', status: 401, code: 'UNAUTHENTICATED', request: () => q(ME, {}, 'dk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') },
  { name: 'disabled account', status: 403, code: 'FORBIDDEN', request: (f) => q(ME, {}, f.disabled.token) },
  { name: 'no credentials', status: 401, code: 'UNAUTHENTICATED', request: () => q(ME) },
  { name: 'wrong password', status: 401, code: 'UNAUTHENTICATED', request: () => q('mutation { login(email: "user@demo.local", password: "not-the-password") { accessToken } }') },
  { name: 'refresh token that was never issued', status: 401, code: 'UNAUTHENTICATED', request: () => q('mutation { refreshToken(token: "dr_made-up") { accessToken } }') },

  // Ids
  { name: 'unknown message id', status: 200, code: 'NOT_FOUND', request: (f) => q(MESSAGE, { id: NO_SUCH_ID }, f.user.token) },
  { name: 'message id that is not a UUID', status: 200, code: 'NOT_FOUND', request: (f) => q(MESSAGE, { id: "1' OR '1'='1" }, f.user.token) },
  { name: 'unknown conversation id', status: 200, code: 'NOT_FOUND', request: (f) => q(CONVERSATION, { id: NO_SUCH_ID }, f.user.token) },
  { name: "another person's conversation", status: 200, code: 'NOT_FOUND', request: (f) => q(CONVERSATION, { id: f.otherConversationId }, f.user.token) },
  { name: "another person's reply", status: 200, code: 'NOT_FOUND', request: (f) => q(MESSAGE, { id: f.otherReplyId }, f.user.token) },
  { name: "cancelling another person's reply", status: 200, code: 'NOT_FOUND', request: (f) => q('mutation($id: ID!) { cancelGeneration(messageId: $id) { id } }', { id: f.otherReplyId }, f.user.token) },
  { name: "rating another person's reply", status: 200, code: 'NOT_FOUND', request: (f) => q(RATE, { id: f.otherReplyId, i: { thumb: 'UP' } }, f.user.token) },
  { name: "replying in another person's conversation", status: 200, code: 'NOT_FOUND', request: (f) => q(SEND, { input: { conversationId: f.otherConversationId, content: 'hi' } }, f.user.token) },
  { name: "answering another person's reply", status: 200, code: 'NOT_FOUND', request: (f) => q(SEND, { input: { parentId: f.otherReplyId, content: 'hi' } }, f.user.token) },
  { name: 'conversationId that is not a UUID', status: 200, code: 'NOT_FOUND', request: (f) => q(SEND, { input: { conversationId: 'latest', content: 'hi' } }, f.user.token) },
  { name: "deleting another person's conversation", status: 200, code: 'NOT_FOUND', request: (f) => q('mutation($id: ID!) { deleteConversation(id: $id) }', { id: f.otherConversationId }, f.user.token) },
  { name: 'revoking an API key that does not exist', status: 200, code: 'NOT_FOUND', request: (f) => q('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: NO_SUCH_ID }, f.user.token) },
  { name: 'updating a user id that is not a UUID', status: 200, code: 'NOT_FOUND', request: (f) => q('mutation { updateUser(id: "root", disabled: true) { id } }', {}, f.admin) },

  // Roles and scopes
  { name: 'USER creating a user', status: 200, code: 'FORBIDDEN', request: (f) => q(CREATE_USER, { i: { email: 'new@test.local', password: 'password-123', role: 'ADMIN' } }, f.user.token) },
  { name: 'USER promoting themself', status: 200, code: 'FORBIDDEN', request: (f) => q('mutation($id: ID!) { updateUser(id: $id, role: ADMIN) { id } }', { id: f.user.id }, f.user.token) },
  { name: 'REVIEWER creating a user', status: 200, code: 'FORBIDDEN', request: (f) => q(CREATE_USER, { i: { email: 'new@test.local', password: 'password-123' } }, f.reviewer.token) },
  { name: 'COMPLIANCE sending a message', status: 200, code: 'FORBIDDEN', request: (f) => q(SEND, { input: { content: 'hi' } }, f.compliance.token) },
  { name: 'COMPLIANCE listing conversations', status: 200, code: 'FORBIDDEN', request: (f) => q(CONVERSATIONS, { first: 5 }, f.compliance.token) },
  { name: 'API key without the ratings scope rating', status: 200, code: 'FORBIDDEN', request: (f) => q(RATE, { id: f.replyId, i: { thumb: 'UP' } }, f.chatKey) },
  { name: 'API key without the chat scope sending', status: 200, code: 'FORBIDDEN', request: (f) => q(SEND, { input: { content: 'hi' } }, f.profileKey) },
  { name: 'API key creating an API key', status: 200, code: 'FORBIDDEN', request: (f) => q('mutation { createApiKey(input: { name: "k", scopes: [chat] }) { secret } }', {}, f.chatKey) },

  // Ratings
  { name: 'rating score 6', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(RATE, { id: f.replyId, i: { score: 6 } }, f.user.token) },
  { name: 'rating score 0', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(RATE, { id: f.replyId, i: { score: 0 } }, f.user.token) },
  { name: 'rating with neither thumb nor score', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(RATE, { id: f.replyId, i: { comment: 'meh' } }, f.user.token) },
  { name: 'rating with 11 tags', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(RATE, { id: f.replyId, i: { score: 3, tags: 'abcdefghijk'.split('') } }, f.user.token) },
  { name: 'rating a user message', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(RATE, { id: f.userMessageId, i: { thumb: 'UP' } }, f.user.token) },

  // Accounts and keys
  { name: 'duplicate email', status: 200, code: 'CONFLICT', request: (f) => q(CREATE_USER, { i: { email: 'USER@demo.local', password: 'password-123' } }, f.admin) },
  { name: 'invalid email', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(CREATE_USER, { i: { email: 'not-an-email', password: 'password-123' } }, f.admin) },
  { name: 'short password', status: 200, code: 'BAD_USER_INPUT', request: (f) => q(CREATE_USER, { i: { email: 'short@test.local', password: 'short' } }, f.admin) },
  { name: 'role that does not exist', status: 400, code: 'BAD_USER_INPUT', request: (f) => q(CREATE_USER, { i: { email: 'god@test.local', password: 'password-123', role: 'GOD' } }, f.admin) },
  { name: 'API key without scopes', status: 200, code: 'BAD_USER_INPUT', request: (f) => q('mutation { createApiKey(input: { name: "k", scopes: [] }) { secret } }', {}, f.user.token) },

  // HTTP transport
  {
    name: 'mutation over GET',
    status: 405,
    code: 'BAD_REQUEST',
    request: () => ({ kind: 'http', method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { logout(refreshToken: "x") }')}`, headers: { 'apollo-require-preflight': 'true' } }),
  },
  { name: 'subscription over HTTP', status: 400, code: 'BAD_REQUEST', request: () => ({ kind: 'http', body: JSON.stringify({ query: 'subscription { messageStream(messageId: "6f1c2b7e-9d4a-4c3e-8b2f-0a5d7e9c1b34") { seq } }' }) }) },
  { name: 'GET without a CSRF-safe header', status: 400, code: 'BAD_REQUEST', request: () => ({ kind: 'http', method: 'GET', path: `/graphql?query=${encodeURIComponent('{ models { id } }')}` }) },
  { name: 'POST as text/plain (CSRF)', status: 400, code: 'BAD_REQUEST', request: () => ({ kind: 'http', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: ME }) }) },
  {
    name: 'body over BODY_LIMIT',
    status: 413,
    code: 'BAD_REQUEST',
    request: (f) => ({ kind: 'http', headers: { 'content-type': 'application/json', ...bearer(f.user.token) }, body: JSON.stringify({ query: SEND, variables: { input: { content: 'x'.repeat(2 * 1024 * 1024) } } }) }),
  },

  // POST /chat (the REST endpoint): the same codes as sendMessage, as `{ error: { code } }`
  { name: 'rest: malformed JSON', status: 400, code: 'BAD_REQUEST', request: (f) => rest('{"query": "Hi"', f.user.token) },
  { name: 'rest: body that is not JSON (text/plain)', status: 400, code: 'BAD_REQUEST', request: (f) => rest('Hi', f.user.token, { 'content-type': 'text/plain' }) },
  { name: 'rest: body over BODY_LIMIT', status: 413, code: 'BAD_REQUEST', request: (f) => rest({ query: 'x'.repeat(2 * 1024 * 1024) }, f.user.token) },
  { name: 'rest: GET', status: 405, code: 'BAD_REQUEST', request: () => ({ kind: 'http', method: 'GET', path: '/chat' }) },
  { name: 'rest: no credential', status: 401, code: 'UNAUTHENTICATED', request: () => rest({ query: 'Hi' }) },
  { name: 'rest: garbage token', status: 401, code: 'UNAUTHENTICATED', request: () => rest({ query: 'Hi' }, 'not-a-token') },
  { name: 'rest: disabled account', status: 403, code: 'FORBIDDEN', request: (f) => rest({ query: 'Hi' }, f.disabled.token) },
  { name: 'rest: API key without the chat scope', status: 403, code: 'FORBIDDEN', request: (f) => rest({ query: 'Hi' }, f.profileKey) },
  { name: 'rest: COMPLIANCE sending', status: 403, code: 'FORBIDDEN', request: (f) => rest({ query: 'Hi' }, f.compliance.token) },
  { name: 'rest: body that is an array', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest([{ query: 'Hi' }], f.user.token) },
  { name: 'rest: missing query', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ stream: false }, f.user.token) },
  { name: 'rest: query that is not a string', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 42 }, f.user.token) },
  { name: 'rest: empty query', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: '  ' }, f.user.token) },
  { name: 'rest: query over MAX_MESSAGE_CHARS', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'x'.repeat(MAX_MESSAGE_CHARS + 1) }, f.user.token) },
  { name: 'rest: lone surrogate in the query', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest('{"query": "a\\ud800b"}', f.user.token) },
  { name: 'rest: NUL in the query', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'a\u0000b' }, f.user.token) },
  { name: 'rest: unknown field', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', conversation: 'x' }, f.user.token) },
  { name: 'rest: stream that is not a boolean', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', stream: 'yes' }, f.user.token) },
  { name: 'rest: history that is not an array', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', history: 'earlier' }, f.user.token) },
  { name: 'rest: history turn with an unknown role', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', history: [{ role: 'system', content: 'x' }, { role: 'assistant', content: 'y' }] }, f.user.token) },
  { name: 'rest: history turn without content', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', history: [{ role: 'user' }, { role: 'assistant', content: 'y' }] }, f.user.token) },
  { name: 'rest: history turn with an unknown field', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', history: [{ role: 'user', content: 'x', name: 'n' }, { role: 'assistant', content: 'y' }] }, f.user.token) },
  { name: 'rest: history ending with a user turn', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', history: [{ role: 'user', content: 'x' }] }, f.user.token) },
  { name: 'rest: history turns out of order', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', history: [{ role: 'assistant', content: 'x' }, { role: 'user', content: 'y' }] }, f.user.token) },
  { name: 'rest: empty history turn', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', history: [{ role: 'user', content: '' }, { role: 'assistant', content: 'y' }] }, f.user.token) },
  { name: 'rest: temperature out of range', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', params: { temperature: 3 } }, f.user.token) },
  { name: 'rest: maxTokens that is not an integer', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', params: { maxTokens: 1.5 } }, f.user.token) },
  { name: 'rest: unknown sampling parameter', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', params: { top_k: 5 } }, f.user.token) },
  { name: 'rest: unknown model', status: 400, code: 'BAD_USER_INPUT', request: (f) => rest({ query: 'Hi', model: 'no-such-model' }, f.user.token) },

  // WebSocket: connection_init
  { name: 'ws: connection_init without a token', close: 4401, request: () => sub({}) },
  { name: 'ws: connection_init with a garbage token', close: 4401, request: () => sub({ authorization: 'Bearer not-a-token' }) },
  { name: 'ws: connection_init with an expired token', close: 4401, request: async (f) => sub({ authorization: `Bearer ${await accessToken({ sub: f.user.id, exp: now() - 60 })}` }) },
  {
    name: 'ws: connection_init with a forged token',
    close: 4401,
    request: async (f) => sub({ authorization: `Bearer ${await accessToken({ sub: f.user.id, secret: 'another-secret-another-secret-0123456' })}` }),
  },
  { name: 'ws: connection_init with another scheme', close: 4401, request: () => sub({ authorization: 'Basic dXNlcjpwYXNz' }) },
  { name: 'ws: connection_init with a token whose subject is not an id', close: 4401, request: async () => sub({ authorization: `Bearer ${await accessToken({ sub: 'admin' })}` }) },
  { name: 'ws: connection_init for a disabled account', close: 4403, request: (f) => sub({ authorization: `Bearer ${f.disabled.token}` }) },
  { name: 'ws: connection_init whose payload is not an object', close: 4400, request: () => ({ kind: 'ws', rawInit: '{"type":"connection_init","payload":"Bearer x"}' }) },
  { name: 'ws: first frame that is not JSON', close: 4400, request: () => ({ kind: 'ws', rawInit: 'hello' }) },
  {
    name: 'ws: access token that expires while connected',
    close: 4401,
    request: async (f) => ({
      kind: 'ws',
      connectionParams: { authorization: `Bearer ${await accessToken({ sub: f.user.id, exp: now() + 2 })}` },
      subscribe: { query: STREAM, variables: { id: f.replyId } },
      subscribeAfterMs: 3_100,
    }),
  },

  // WebSocket: subscribe
  { name: 'ws: message that does not exist', code: 'NOT_FOUND', request: (f) => sub(bearer(f.user.token), STREAM, { id: NO_SUCH_ID }) },
  { name: 'ws: message id that is not a UUID', code: 'NOT_FOUND', request: (f) => sub(bearer(f.user.token), STREAM, { id: 'nope' }) },
  { name: "ws: another person's reply", code: 'NOT_FOUND', request: (f) => sub(bearer(f.user.token), STREAM, { id: f.otherReplyId }) },
  { name: 'ws: a user message (only replies stream)', code: 'BAD_USER_INPUT', request: (f) => sub(bearer(f.user.token), STREAM, { id: f.userMessageId }) },
  { name: 'ws: negative fromSeq', code: 'BAD_USER_INPUT', request: (f) => sub(bearer(f.user.token), STREAM, { id: f.replyId, from: -1 }) },
  { name: 'ws: COMPLIANCE subscribing', code: 'FORBIDDEN', request: (f) => sub(bearer(f.compliance.token), STREAM, { id: f.replyId }) },
  { name: 'ws: API key without the chat scope', code: 'FORBIDDEN', request: (f) => sub(bearer(f.profileKey), STREAM, { id: f.replyId }) },
  { name: 'ws: syntax error', code: 'GRAPHQL_PARSE_FAILED', request: (f) => sub(bearer(f.user.token), 'subscription { messageStream(') },
  { name: 'ws: unknown field', code: 'GRAPHQL_VALIDATION_FAILED', request: (f) => sub(bearer(f.user.token), 'subscription($id: ID!) { messageStream(messageId: $id) { seq secret } }', { id: f.replyId }) },
  {
    name: 'ws: subscription deeper than MAX_QUERY_DEPTH',
    code: 'GRAPHQL_VALIDATION_FAILED',
    request: (f) => sub(bearer(f.user.token), `subscription($id: ID!) { messageStream(messageId: $id) { ${'... on MessageEvent { '.repeat(12)}seq${' }'.repeat(12)} } }`, { id: f.replyId }),
  },
  { name: 'ws: variable of the wrong type', code: 'BAD_USER_INPUT', request: (f) => sub(bearer(f.user.token), STREAM, { id: f.replyId, from: 'start' }) },
  { name: 'ws: missing required variable', code: 'BAD_USER_INPUT', request: (f) => sub(bearer(f.user.token), STREAM, {}) },
  {
    name: 'ws: several operations and no operationName',
    code: 'OPERATION_RESOLUTION_FAILURE',
    request: (f) => sub(bearer(f.user.token), 'subscription A { messageStream(messageId: "x") { seq } } subscription B { messageStream(messageId: "y") { seq } }'),
  },
];

async function overHttp(baseUrl: string, req: HttpRequest): Promise<Answer> {
  if (req.kind === 'rest') {
    const res = await fetch(`${baseUrl}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(req.token ? bearer(req.token) : {}), ...req.headers },
      body: typeof req.body === 'string' ? req.body : JSON.stringify(req.body),
    });
    const text = await res.text();
    let error: { code?: string; message?: string } | undefined;
    try {
      error = (JSON.parse(text) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    return { status: res.status, errors: error ? [{ message: error.message ?? '', extensions: { code: error.code } }] : [], texts: [text] };
  }
  const init: RequestInit =
    req.kind === 'gql'
      ? {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(req.authorization ? { authorization: req.authorization } : req.token ? bearer(req.token) : {}),
          },
          body: JSON.stringify({ query: req.query, variables: req.variables ?? {} }),
        }
      : { method: req.method ?? 'POST', headers: req.headers, body: req.body };
  const res = await fetch(`${baseUrl}${req.kind === 'http' ? (req.path ?? '/graphql') : '/graphql'}`, init);
  const text = await res.text();
  let body: { errors?: Answer['errors']; error?: { code: string; message: string } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  // GraphQL answers `errors`; POST /chat answers one `error`.
  const errors = body?.errors ?? (body?.error ? [{ message: body.error.message, extensions: { code: body.error.code } }] : []);
  return { status: res.status, errors, texts: [text] };
}

/** Speaks graphql-transport-ws on a raw socket, to see every frame and the close code. */
function overWebSocket(baseUrl: string, req: WsRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const answer: Answer = { errors: [], texts: [] };
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no answer in 15 s; frames so far: ${answer.texts.join(' | ')}`));
    }, 15_000);
    ws.on('open', () => ws.send(req.rawInit ?? JSON.stringify({ type: 'connection_init', payload: req.connectionParams ?? {} })));
    ws.on('message', (data) => {
      const text = String(data);
      answer.texts.push(text);
      const frame = JSON.parse(text) as { type: string; payload?: unknown };
      if (frame.type === 'connection_ack') {
        if (!req.subscribe) return ws.close(1000);
        const send = () => ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: req.subscribe }));
        if (req.subscribeAfterMs) setTimeout(send, req.subscribeAfterMs);
        else send();
      } else if (frame.type === 'next') {
        answer.errors.push(...((frame.payload as { errors?: Answer['errors'] }).errors ?? []));
        ws.close(1000); // the first result is the answer
      } else if (frame.type === 'error') {
        answer.errors.push(...(frame.payload as Answer['errors']));
        ws.close(1000);
      } else if (frame.type === 'complete') {
        ws.close(1000);
      }
    });
    ws.on('error', () => undefined); // the close event follows and carries the code
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      answer.close = code;
      answer.texts.push(reason.toString());
      resolve(answer);
    });
  });
}

/** Text that must never reach a client: stack frames, file paths, SQL, Prisma and driver errors. */
const LEAKS = [/\bat .+:\d+:\d+/, /node_modules/, /\/work\//, /\.[cm]?[jt]s:\d+/, /prisma/i, /\b(SELECT|INSERT INTO|DELETE FROM)\b/, /\bUPDATE\s+"/, /violates|duplicate key|invalid input syntax|relation "/i, /\bP\d{4}\b/];

describe('bad inputs get their error code, and the api stays up', () => {
  let inference: Proc;
  let api: TestApi;
  let f: Fixture;
  const answers: { row: string; answer: Answer }[] = [];

  async function person(admin: string, role: string, n: number): Promise<Person> {
    const email = `bad-input-${role.toLowerCase()}-${n}@test.local`;
    const { createUser } = await gqlOk(api.url, CREATE_USER, { i: { email, password: 'password-123', role } }, admin);
    return { id: createUser.id, token: await login(api.url, email, 'password-123') };
  }

  async function finishedExchange(token: string, content: string) {
    const sent = (await gqlOk(api.url, SEND, { input: { content, params: { maxTokens: 4 } } }, token)).sendMessage;
    const client = wsClient(api.url, token);
    await collect(client, sent.assistantMessage.id);
    await client.dispose();
    return { conversationId: sent.conversation.id as string, userMessageId: sent.userMessage.id as string, replyId: sent.assistantMessage.id as string };
  }

  beforeAll(async () => {
    inference = await startInference();
    api = await startApi(inference.url, { MAX_MESSAGE_CHARS: String(MAX_MESSAGE_CHARS) });
    const admin = await login(api.url, 'admin@demo.local');
    const [user, other, reviewer, compliance, disabled] = [
      await person(admin, 'USER', 1),
      await person(admin, 'USER', 2),
      await person(admin, 'REVIEWER', 3),
      await person(admin, 'COMPLIANCE', 4),
      await person(admin, 'USER', 5),
    ];
    await gqlOk(api.url, 'mutation($id: ID!) { updateUser(id: $id, disabled: true) { disabled } }', { id: disabled.id }, admin);
    const mine = await finishedExchange(user.token, 'Hello there');
    const theirs = await finishedExchange(other.token, 'Hello from someone else');
    const key = async (scope: string) => (await gqlOk(api.url, `mutation { createApiKey(input: { name: "${scope}", scopes: [${scope}] }) { secret } }`, {}, user.token)).createApiKey.secret as string;
    f = {
      admin,
      user,
      other,
      reviewer,
      compliance,
      disabled,
      ...mine,
      otherConversationId: theirs.conversationId,
      otherReplyId: theirs.replyId,
      chatKey: await key('chat'),
      profileKey: await key('profile'),
    };
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
  });

  it('has a table of at least 30 bad inputs with unique names', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
    for (const row of ROWS) expect(row.code ?? row.close, row.name).toBeDefined();
  });

  it.each(ROWS)('$name', async (row) => {
    const req = await row.request(f);
    const answer = req.kind === 'ws' ? await overWebSocket(api.url, req) : await overHttp(api.url, req);
    answers.push({ row: row.name, answer });
    const got = {
      code: answer.errors[0]?.extensions?.code,
      ...(row.status !== undefined ? { status: answer.status } : {}),
      ...(req.kind === 'ws' ? { close: answer.close } : {}),
    };
    const want = {
      code: row.code,
      ...(row.status !== undefined ? { status: row.status } : {}),
      // Errors arrive on an open socket (which the test closes with 1000); refusals close it.
      ...(req.kind === 'ws' ? { close: row.close ?? 1000 } : {}),
    };
    expect(got, answer.texts.join('\n').slice(0, 2000)).toEqual(want);
  });

  it('masks errors it does not know, and no answer leaks internals', async () => {
    // Text PostgreSQL refuses (a NUL character) reaches the database: whatever the api makes of
    // it, the client sees a known code, or the masked internal error and nothing of the database's.
    const nul = [
      await overHttp(api.url, q(SEND, { input: { content: 'a\u0000b' } }, f.user.token)),
      await overHttp(api.url, q('query($a: String) { users(after: $a) { id } }', { a: 'a\u0000' }, f.user.token)),
    ];
    for (const answer of nul) {
      answers.push({ row: 'NUL character', answer });
      const [error] = answer.errors;
      expect(error, answer.texts.join('\n')).toBeDefined();
      expect(['BAD_USER_INPUT', 'INTERNAL_SERVER_ERROR']).toContain(error!.extensions?.code);
    }
    expect(answers.length).toBe(ROWS.length + nul.length);
    for (const { row, answer } of answers) {
      for (const text of answer.texts) for (const leak of LEAKS) expect(text, `${row}: ${leak}`).not.toMatch(leak);
      for (const error of answer.errors) {
        expect(Object.keys(error.extensions ?? {}), row).not.toContain('stacktrace');
        if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') expect(error.message, row).toBe('Internal server error');
      }
    }
  });

  it('is still up and serving', async () => {
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(200);
    expect((await gqlOk(api.url, '{ me { id } models { id } }', {}, f.user.token)).me.id).toBe(f.user.id);
    const client = wsClient(api.url, f.user.token);
    const events = await collect(client, f.replyId);
    await client.dispose();
    expect(events.at(-1)?.done).toBe(true);
    // And the rows changed nothing they should not have.
    expect(codeOf(await gql(api.url, CONVERSATION, { id: f.otherConversationId }, f.other.token))).toBeUndefined();
    expect((await gqlOk(api.url, '{ users(first: 200) { email } }', {}, f.admin)).users.map((u: { email: string }) => u.email)).not.toContain('god@test.local');
  });
});
