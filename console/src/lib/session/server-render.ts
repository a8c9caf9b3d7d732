import 'server-only';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { env } from '@/env';
import { graphql } from '@/gql';
import { execute, type Doc } from '@/lib/graphql/execute';
import { ACCESS_COOKIE } from './server';
import type { SessionPayload } from './types';

/**
 * Pages whose first answer the console's server renders into the HTML, with the access-token
 * cookie the session routes keep beside the page's in-memory copy: the rows are on screen as the
 * document arrives, instead of after the scripts, the session's restoring and a request of their
 * own. Pages not listed render in the browser only. Without the cookie (expired) or on any error,
 * a listed page renders in the browser as the others do.
 */
export const SERVER_RENDERED: readonly string[] = ['/audit'];

/** The request's path, set by the proxy (src/proxy.ts) for the layout, which is not told it. */
export const PATH_HEADER = 'x-dialoop-path';

const ServerMe = graphql(`
  query ConsoleServerMe {
    me {
      id
      email
      name
      role
    }
  }
`);

/** How long a page waits for the api before it renders in the browser instead. */
const SERVER_QUERY_TIMEOUT_MS = 1_500;

/**
 * The cookie's token, for a request the person made on this site only: a link typed, bookmarked
 * or followed from the console itself (`Sec-Fetch-Site` none or same-origin; absent from clients
 * that send none). An embed from a sibling subdomain (same site, so SameSite=Strict lets the
 * cookie through) reads nothing on the person's behalf.
 */
async function serverToken(): Promise<string | undefined> {
  const site = (await headers()).get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return undefined;
  return (await cookies()).get(ACCESS_COOKIE)?.value || undefined;
}

/**
 * One read on the person's behalf with the access-token cookie, as the page itself would ask;
 * undefined when there is no cookie or the api refuses (the page then asks from the browser).
 */
export async function serverQuery<R, V>(doc: Doc<R, V>, variables: V): Promise<R | undefined> {
  const token = await serverToken();
  if (!token) return undefined;
  const h = await headers();
  const forwarded = h.get('x-forwarded-for');
  const agent = h.get('user-agent');
  try {
    return await execute(env().CONSOLE_API_URL, doc, variables, {
      token,
      signal: AbortSignal.timeout(SERVER_QUERY_TIMEOUT_MS),
      headers: { ...(forwarded ? { 'x-forwarded-for': forwarded } : {}), ...(agent ? { 'user-agent': agent } : {}) },
    });
  } catch {
    return undefined;
  }
}

/** The person the cookie's token belongs to, asked once per request (the layout and the page share it). */
export const serverUser = cache(async (): Promise<SessionPayload['user'] | null> => (await serverQuery(ServerMe, {}))?.me ?? null);

/** The signed-in person, for the shell to render around a server-rendered page; null for every other page. */
export async function serverRenderedUser(): Promise<SessionPayload['user'] | null> {
  const path = (await headers()).get(PATH_HEADER);
  if (!path || !SERVER_RENDERED.some((p) => path === p || path.startsWith(`${p}/`))) return null;
  return serverUser();
}
