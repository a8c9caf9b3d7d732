import { NextResponse, type NextRequest } from 'next/server';

/** Kept in step with SIGNED_IN_COOKIE in lib/session/server.ts (the proxy imports no server modules). */
const SIGNED_IN_COOKIE = 'dialoop_signed_in';
/** Kept in step with PATH_HEADER in lib/session/server-render.ts: the layout reads the path from it. */
const PATH_HEADER = 'x-dialoop-path';

/**
 * A visitor with no session goes to the sign-in page (and back afterwards) before any page renders.
 * Whether a session is still valid is the api's to say: a revoked one is sent to sign in by the page.
 */
export function proxy(req: NextRequest) {
  if (req.cookies.has(SIGNED_IN_COOKIE)) {
    const forwarded = new Headers(req.headers);
    forwarded.set(PATH_HEADER, req.nextUrl.pathname);
    return NextResponse.next({ request: { headers: forwarded } });
  }
  const url = req.nextUrl.clone();
  const next = `${req.nextUrl.pathname}${req.nextUrl.search}`;
  url.pathname = '/signin';
  url.search = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Every page but the sign-in page itself, the session routes and static files.
  matcher: ['/((?!signin|api/|_next/|favicon\\.ico|.*\\.(?:png|svg|ico|txt)$).*)'],
};
