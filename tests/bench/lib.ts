/** What the benchmarks share: statistics, free ports, GraphQL over HTTP and graphql-ws connections. */
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { createClient, type Client } from 'graphql-ws';

// `ws` ships no types and @types/ws is the api's dev dependency; graphql-ws takes the class as `unknown`.
const WebSocketImpl: unknown = createRequire(import.meta.url)('ws');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `q` quantile of `xs`, interpolated between neighbours. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

/** Milliseconds rounded for a table: 2 decimals under 10, else 1. */
export const ms = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(x < 10 ? 2 : 1)) : NaN);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** A GraphQL request over HTTP; throws on errors. */
export async function gql<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL error (HTTP ${res.status}): ${JSON.stringify(body.errors)}`);
  return body.data;
}

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
export const login = async (url: string, email: string, password: string) =>
  (await gql<{ login: { accessToken: string } }>(url, LOGIN, { e: email, p: password })).login.accessToken;

export const SEND = `mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { conversation { id } userMessage { id } assistantMessage { id status } }
}`;

/** An open, acknowledged graphql-ws connection. */
export function connect(url: string, token: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client: Client = createClient({
      url: url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocketImpl,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: reject,
      on: { connected: () => resolve(client) },
    });
  });
}
