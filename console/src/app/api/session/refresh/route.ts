import { cookies } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { ApiError } from '@/lib/graphql/execute';
import { REFRESH_COOKIE, RefreshDocument, callApi, clearSession, errorResponse, refused, sameOrigin, sessionResponse } from '@/lib/session/server';

/**
 * A new access token for the page (after a reload, or before the current one expires): the
 * refresh token in the cookie is exchanged, once, for a new pair.
 */
export async function POST(req: NextRequest) {
  if (!sameOrigin(req)) return refused();
  const token = (await cookies()).get(REFRESH_COOKIE)?.value;
  if (!token) return NextResponse.json({ error: { code: 'UNAUTHENTICATED', message: 'Not signed in' } }, { status: 401 });
  try {
    const { refreshToken } = await callApi(req, RefreshDocument, { token });
    return await sessionResponse(refreshToken);
  } catch (err) {
    if (err instanceof ApiError && (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN')) await clearSession();
    return errorResponse(err);
  }
}
