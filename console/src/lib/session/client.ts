import { useContext, useMemo, useSyncExternalStore } from 'react';
import { ApiError } from '@/lib/graphql/execute';
import { takeEarlyRefresh } from './early-refresh';
import { SessionSeedContext } from './seed';
import type { SessionErrorBody, SessionPayload } from './types';

/**
 * The page's session: the access token lives only here, in memory, and is refreshed through the
 * console's own session routes (which hold the refresh token in an httpOnly cookie) before it
 * expires. Nothing is written to localStorage or sessionStorage.
 */
export type SessionState =
  | { status: 'loading' }
  | { status: 'signedOut'; expired: boolean }
  | { status: 'signedIn'; user: SessionPayload['user'] };

let state: SessionState = { status: 'loading' };
let token: { value: string; expiresAt: number } | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let inflight: Promise<SessionPayload | null> | null = null;
const listeners = new Set<() => void>();
/** Called with the person once a page load's session is restored, before pages render (see `restore`). */
let onRestored: ((user: SessionPayload['user']) => void) | undefined;

function set(next: SessionState) {
  state = next;
  for (const l of listeners) l();
}

/** Takes a session the route answered with (`receivedAt`: when the answer came, if not now). */
function accept(p: SessionPayload, receivedAt = Date.now()) {
  token = { value: p.accessToken, expiresAt: receivedAt + p.expiresIn * 1000 };
  clearTimeout(timer);
  // Refreshed a minute (or a third of its life, if shorter) before it expires.
  const lead = Math.min(60, p.expiresIn / 3);
  // A refresh that fails for the network is tried again when a token is next needed.
  timer = setTimeout(() => void refresh().catch(() => undefined), Math.max(1_000, token.expiresAt - lead * 1000 - Date.now()));
  const restored = onRestored;
  onRestored = undefined;
  try {
    restored?.(p.user);
  } catch {
    // A page's head start is an optimisation: it never stands in the way of the session.
  }
  if (state.status !== 'signedIn' || state.user.id !== p.user.id || state.user.role !== p.user.role) set({ status: 'signedIn', user: p.user });
}

async function post(path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(path, { method: 'POST', credentials: 'same-origin', cache: 'no-store', ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  } catch {
    throw new ApiError('The console cannot be reached', 'NETWORK_ERROR');
  }
}

async function failure(res: Response): Promise<ApiError> {
  return refusal(res.status, await res.json().catch(() => null));
}

function refusal(status: number, body: unknown): ApiError {
  const error = (body as SessionErrorBody | null)?.error;
  return new ApiError(error?.message ?? `HTTP ${status}`, error?.code ?? 'INTERNAL_SERVER_ERROR', status);
}

/** The refresh route's answer: the new session, null when it has ended, or the error. */
function refreshed(status: number, body: unknown, receivedAt?: number): SessionPayload | null {
  if (status >= 200 && status < 300) {
    const p = body as SessionPayload;
    accept(p, receivedAt);
    return p;
  }
  if (status === 401 || status === 403) {
    expire();
    return null;
  }
  throw refusal(status, body);
}

/**
 * Exchanges the cookie's refresh token for a new access token. Tabs take turns (Web Locks):
 * the refresh token is single-use, and the cookie each request carries is the latest one.
 */
export function refresh(): Promise<SessionPayload | null> {
  inflight ??= (async () => {
    const run = async () => {
      const res = await post('/api/session/refresh');
      return refreshed(res.status, await res.json().catch(() => null));
    };
    try {
      // The page's inline script may have asked already (under the same lock): its answer, once.
      // If it could not reach the route, the request is made again here.
      const early = await takeEarlyRefresh()?.catch(() => undefined);
      if (early) return refreshed(early.status, early.body, early.receivedAt);
      return typeof navigator !== 'undefined' && navigator.locks ? await navigator.locks.request('dialoop-session-refresh', run) : await run();
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

/** The session ended without the person signing out (revoked, expired): pages send them to sign in and back. */
function expire() {
  onRestored = undefined;
  const wasIn = state.status === 'signedIn';
  token = null;
  clearTimeout(timer);
  set({ status: 'signedOut', expired: wasIn });
}

export async function signIn(email: string, password: string): Promise<SessionPayload> {
  const res = await post('/api/session', { body: JSON.stringify({ email, password }) });
  if (!res.ok) throw await failure(res);
  const p = (await res.json()) as SessionPayload;
  accept(p);
  return p;
}

export async function signOut(): Promise<void> {
  token = null;
  clearTimeout(timer);
  try {
    await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin', headers: { 'content-type': 'application/json' } });
  } finally {
    set({ status: 'signedOut', expired: false });
  }
}

/** The access token in memory while it has more than a few seconds left (no refresh: see `accessToken`). */
export function currentToken(): string | undefined {
  return token && token.expiresAt - Date.now() > 5_000 ? token.value : undefined;
}

/** A valid access token, refreshed first when it is about to expire; UNAUTHENTICATED when the session is gone. */
export async function accessToken(): Promise<string> {
  const current = currentToken();
  if (current) return current;
  const p = await refresh();
  if (!p) throw new ApiError('Your session has ended: sign in again', 'UNAUTHENTICATED', 401);
  return p.accessToken;
}

/** Called when the api refused the token the page sent: one refresh, then the caller retries. */
export async function tokenRefused(): Promise<string> {
  token = null;
  return accessToken();
}

/**
 * Restores the session after a reload (the cookie survives it, the token does not).
 * `whenRestored` runs with the person as soon as the token is in memory, before pages re-render:
 * the shell starts the page's first request there, while React renders the page.
 */
export function restore(whenRestored?: (user: SessionPayload['user']) => void): void {
  if (state.status !== 'loading') return;
  onRestored = whenRestored;
  void refresh().catch(() => {
    onRestored = undefined;
    set({ status: 'signedOut', expired: false });
  });
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const serverState: SessionState = { status: 'loading' };

/** The page's session; on a page the server rendered, the person it saw until the session is restored here. */
export function useSession(): SessionState {
  const seed = useContext(SessionSeedContext);
  const live = useSyncExternalStore(subscribe, () => state, () => serverState);
  return useMemo(() => (live.status === 'loading' && seed ? { status: 'signedIn', user: seed } : live), [live, seed]);
}
