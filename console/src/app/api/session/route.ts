import { cookies } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { LoginDocument, LogoutDocument, REFRESH_COOKIE, callApi, clearSession, errorResponse, refused, sameOrigin, sessionResponse } from '@/lib/session/server';

const Credentials = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) });

/** Sign in: the api's `login`; the refresh token goes into the httpOnly cookie, the access token to the page. */
export async function POST(req: NextRequest) {
  if (!sameOrigin(req)) return refused();
  const parsed = Credentials.safeParse(await req.json().catch(() => null));
  if (!parsed.success) return NextResponse.json({ error: { code: 'BAD_USER_INPUT', message: 'Email and password are required' } }, { status: 400 });
  try {
    const { login } = await callApi(req, LoginDocument, parsed.data);
    return await sessionResponse(login);
  } catch (err) {
    return errorResponse(err);
  }
}

/** Sign out: revokes the refresh token at the api and clears the cookie. */
export async function DELETE(req: NextRequest) {
  if (!sameOrigin(req)) return refused();
  const token = (await cookies()).get(REFRESH_COOKIE)?.value;
  await clearSession();
  if (token) {
    try {
      await callApi(req, LogoutDocument, { refreshToken: token });
    } catch (err) {
      return errorResponse(err);
    }
  }
  return new NextResponse(null, { status: 204 });
}
