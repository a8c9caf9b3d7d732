import 'server-only';
import { cookies } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/env';
import { graphql } from '@/gql';
import { ApiError, execute, type Doc } from '@/lib/graphql/execute';
import type { SessionErrorBody, SessionPayload } from './types';

/** The refresh token: httpOnly, SameSite=Strict, sent only to the session routes. */
export const REFRESH_COOKIE = 'dialoop_refresh';
const COOKIE_PATH = '/api/session';
/**
 * A marker with no secret in it (httpOnly too), sent with page requests so that the console's
 * proxy can send a signed-out visitor to the sign-in page before any page renders.
 */
export const SIGNED_IN_COOKIE = 'dialoop_signed_in';
/**
 * A copy of the short-lived access token (httpOnly, SameSite=Strict, expiring with the token) sent
 * with page requests, so that the console's server can render a page's first answer into its HTML
 * (see lib/session/server-render.ts). No script can read it; the page's own copy stays in memory.
 */
export const ACCESS_COOKIE = 'dialoop_access';

const SessionFields = graphql(`
  fragment SessionFields on AuthPayload {
    accessToken
    refreshToken
    expiresIn
    user {
      id
      email
      name
      role
    }
  }
`);
void SessionFields;

export const LoginDocument = graphql(`
  mutation ConsoleLogin($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      ...SessionFields
    }
  }
`);
export const RefreshDocument = graphql(`
  mutation ConsoleRefresh($token: String!) {
    refreshToken(token: $token) {
      ...SessionFields
    }
  }
`);
export const LogoutDocument = graphql(`
  mutation ConsoleLogout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

/**
 * The session routes answer only the console's own pages: a cross-site request (or one from
 * another origin) is refused before anything reaches the api. SameSite=Strict already keeps the
 * cookie off cross-site requests; this also stops a cross-site sign-in.
 */
export function sameOrigin(req: NextRequest): boolean {
  const site = req.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin') return false;
  const origin = req.headers.get('origin');
  const host = req.headers.get('host');
  if (origin && host && new URL(origin).host !== host) return false;
  return true;
}

/** Calls the api on the person's behalf, passing their address on for its rate limits and audit entries. */
export function callApi<R, V>(req: NextRequest, doc: Doc<R, V>, variables: V): Promise<R> {
  const forwarded = req.headers.get('x-forwarded-for');
  const agent = req.headers.get('user-agent');
  return execute(env().CONSOLE_API_URL, doc, variables, {
    headers: { ...(forwarded ? { 'x-forwarded-for': forwarded } : {}), ...(agent ? { 'user-agent': agent } : {}) },
  });
}

type Payload = { accessToken: string; refreshToken: string; expiresIn: number; user: SessionPayload['user'] };

/** Answers the page with the access token and keeps the refresh token in the cookie. */
export async function sessionResponse(p: Payload): Promise<NextResponse<SessionPayload>> {
  const jar = await cookies();
  const common = { httpOnly: true, sameSite: 'strict', secure: env().CONSOLE_SECURE_COOKIES, maxAge: env().CONSOLE_SESSION_TTL_S } as const;
  jar.set(REFRESH_COOKIE, p.refreshToken, { ...common, path: COOKIE_PATH });
  jar.set(SIGNED_IN_COOKIE, '1', { ...common, path: '/' });
  jar.set(ACCESS_COOKIE, p.accessToken, { ...common, path: '/', maxAge: p.expiresIn });
  return NextResponse.json({ accessToken: p.accessToken, expiresIn: p.expiresIn, user: p.user }, { headers: { 'cache-control': 'no-store' } });
}

export async function clearSession(): Promise<void> {
  const jar = await cookies();
  const common = { httpOnly: true, sameSite: 'strict', secure: env().CONSOLE_SECURE_COOKIES, maxAge: 0 } as const;
  jar.set(REFRESH_COOKIE, '', { ...common, path: COOKIE_PATH });
  jar.set(SIGNED_IN_COOKIE, '', { ...common, path: '/' });
  jar.set(ACCESS_COOKIE, '', { ...common, path: '/' });
}

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400, RATE_LIMITED: 429, NETWORK_ERROR: 502 };

export function errorResponse(err: unknown): NextResponse<SessionErrorBody> {
  const e = err instanceof ApiError ? err : new ApiError('Unexpected error', 'INTERNAL_SERVER_ERROR');
  return NextResponse.json({ error: { code: e.code, message: e.message } }, { status: STATUS[e.code] ?? 500, headers: { 'cache-control': 'no-store' } });
}

export const refused = () => NextResponse.json({ error: { code: 'FORBIDDEN', message: 'Cross-site request refused' } }, { status: 403 });
