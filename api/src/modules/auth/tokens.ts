import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { isUuid } from '../../ids.js';

export const ISSUER = 'dialoop';
const AUDIENCE = 'dialoop-api';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const random = (bytes: number) => randomBytes(bytes).toString('base64url');

export const API_KEY_PREFIX = 'dk_';
export const REFRESH_PREFIX = 'dr_';
export const newApiKeySecret = () => `${API_KEY_PREFIX}${random(32)}`;
export const newRefreshToken = () => `${REFRESH_PREFIX}${random(32)}`;

export interface AccessClaims {
  sub: string;
  role: string;
  exp: number;
}

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: 'expired' | 'invalid' };

/** Tokens verified lately and their claims: a client sends the same token with every request. */
const VERIFIED_KEPT = 10_000;

/** Short-lived HS256 access tokens. */
export class AccessTokens {
  private readonly key: Uint8Array;
  /**
   * Signatures checked already (a signed token cannot change, so checking it again proves
   * nothing new); expiry is checked on every use. Bounded: the oldest entry goes first.
   */
  private readonly verified = new Map<string, AccessClaims>();
  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = new TextEncoder().encode(secret);
  }

  get ttl(): number {
    return this.ttlSeconds;
  }

  sign(userId: string, role: string): Promise<string> {
    return new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti(random(12))
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  async verify(token: string): Promise<VerifyResult> {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return { ok: true, claims: known };
      this.verified.delete(token);
      return { ok: false, reason: 'expired' };
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || !isUuid(payload.sub) || typeof payload.role !== 'string' || typeof payload.exp !== 'number') {
        return { ok: false, reason: 'invalid' };
      }
      const claims = { sub: payload.sub, role: payload.role, exp: payload.exp };
      if (this.verified.size >= VERIFIED_KEPT) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, claims);
      return { ok: true, claims };
    } catch (err) {
      return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
  }
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
