import { describe, expect, it } from 'vitest';
import { AccessTokens } from './tokens.js';

const USER = '2b3c4d5e-1111-4222-8333-444455556666';

describe('access tokens', () => {
  it('verifies a token once and then by memory, until it expires', async () => {
    const tokens = new AccessTokens('a-secret-of-forty-characters-or-more-000', 1);
    const token = await tokens.sign(USER, 'USER');
    expect(await tokens.verify(token)).toEqual({ ok: true, claims: { sub: USER, role: 'USER', exp: expect.any(Number) } });
    expect(await tokens.verify(token)).toMatchObject({ ok: true });
    // Expiry is whole seconds: past the next second boundary the remembered token is refused.
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(await tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token signed with another secret or altered, whatever it verified before', async () => {
    const tokens = new AccessTokens('a-secret-of-forty-characters-or-more-000', 60);
    const other = new AccessTokens('another-secret-of-forty-characters-00000', 60);
    const token = await tokens.sign(USER, 'USER');
    expect(await tokens.verify(token)).toMatchObject({ ok: true });
    expect(await tokens.verify(await other.sign(USER, 'ADMIN'))).toEqual({ ok: false, reason: 'invalid' });
    const [header, , signature] = token.split('.');
    const forged = [header, Buffer.from(JSON.stringify({ sub: USER, role: 'ADMIN', exp: 9_999_999_999 })).toString('base64url'), signature].join('.');
    expect(await tokens.verify(forged)).toEqual({ ok: false, reason: 'invalid' });
  });
});
