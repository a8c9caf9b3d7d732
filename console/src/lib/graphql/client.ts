import { createClient, type Client } from 'graphql-ws';
import { useSyncExternalStore } from 'react';
import { accessToken, currentToken, tokenRefused } from '@/lib/session/client';
import { ApiError, execute, type Doc } from './execute';

/**
 * The console's one GraphQL client: queries and mutations over HTTP, subscriptions over
 * graphql-ws, both straight to the api with the in-memory access token (the api admits the
 * console's origin). A refused token is refreshed once and the operation retried.
 */
let apiUrl = 'http://127.0.0.1:4000/graphql';
let ws: Client | undefined;

export function configureApi(url: string) {
  if (url === apiUrl) return;
  apiUrl = url;
  ws?.dispose();
  ws = undefined;
}

/** The api's base address (downloads such as signed exports are plain GETs there). */
export const apiBase = () => apiUrl.replace(/\/graphql\/?$/, '');

export function gql<R, V>(doc: Doc<R, V>, variables?: V, signal?: AbortSignal): Promise<R> {
  const opts = signal ? { signal } : {};
  // A request the api refused for its token is sent once more with a refreshed one; a session
  // that has ended (no token to send) is the caller's answer, not retried.
  const send = (token: string) =>
    execute(apiUrl, doc, variables, { token, ...opts }).catch(async (err: unknown) => {
      if (!(err instanceof ApiError) || err.code !== 'UNAUTHENTICATED') throw err;
      return execute(apiUrl, doc, variables, { token: await tokenRefused(), ...opts });
    });
  // With a token in memory the request leaves now, in this task (a page's first request is
  // started before React renders the page: see the shell); otherwise after the refresh.
  const current = currentToken();
  return current ? send(current) : accessToken().then(send);
}

/** The WebSocket's state, for the "reconnecting" banner. */
export type SocketState = 'idle' | 'connected' | 'reconnecting';
let socketState: SocketState = 'idle';
/** Subscriptions open now: a drop matters (and the banner shows) only while something listens. */
let active = 0;
const socketListeners = new Set<() => void>();
function setSocketState(s: SocketState) {
  if (s === socketState) return;
  socketState = s;
  for (const l of socketListeners) l();
}

export function useSocketState(): SocketState {
  return useSyncExternalStore(
    (l) => {
      socketListeners.add(l);
      return () => socketListeners.delete(l);
    },
    () => socketState,
    () => 'idle' as const,
  );
}

function socket(): Client {
  if (ws) return ws;
  let refused = false;
  ws = createClient({
    url: apiUrl.replace(/^http/, 'ws'),
    lazy: true,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Every drop is retried (with graphql-ws's randomised back-off); an expired token is refreshed first.
    shouldRetry: () => true,
    connectionParams: async () => ({ authorization: `Bearer ${refused ? await tokenRefused() : await accessToken()}` }),
    on: {
      connected: () => {
        refused = false;
        setSocketState('connected');
      },
      closed: (event) => {
        const code = (event as CloseEvent | undefined)?.code;
        refused = code === 4401;
        // A lazy socket closing because nothing listens any more is not a drop.
        setSocketState(code === 1000 || active === 0 ? 'idle' : 'reconnecting');
      },
    },
  });
  return ws;
}

export interface Subscription<E> {
  /** Called with each event; the `variables` object it was subscribed with may be updated in place (see `subscribe`). */
  next(event: E): void;
  error?(err: ApiError): void;
  complete?(): void;
}

/**
 * Subscribes over graphql-ws. graphql-ws sends the same payload object again when it reconnects,
 * so a caller that keeps `variables` up to date (for example `fromSeq` = last seen seq + 1)
 * resumes exactly where it was.
 */
export function subscribe<R, V extends Record<string, unknown>>(doc: Doc<R, V>, variables: V, sink: Subscription<R>): () => void {
  active++;
  let open = true;
  const finish = () => {
    if (!open) return;
    open = false;
    if (--active === 0 && socketState === 'reconnecting') setSocketState('idle');
  };
  const stop = socket().subscribe<R>(
    { query: doc.toString(), variables },
    {
      next: (result) => {
        const first = result.errors?.[0];
        if (first) sink.error?.(new ApiError(first.message, String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR')));
        else if (result.data) sink.next(result.data);
      },
      error: (err) => {
        finish();
        const list = Array.isArray(err) ? err : [];
        const first = list[0] as { message?: string; extensions?: { code?: string } } | undefined;
        sink.error?.(new ApiError(first?.message ?? 'The connection to the api failed', first?.extensions?.code ?? 'NETWORK_ERROR'));
      },
      complete: () => {
        finish();
        sink.complete?.();
      },
    },
  );
  return () => {
    finish();
    stop();
  };
}

/** Signing out closes the socket (it was authenticated as that person). */
export function resetSocket() {
  ws?.dispose();
  ws = undefined;
  setSocketState('idle');
}
