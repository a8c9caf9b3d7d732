import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';

export interface OidcConfig {
  issuer: string;
  /** Required: tokens the issuer minted for other applications are refused. */
  audience: string;
  jwksUrl: string | undefined;
}

export type OidcResult = { ok: true; payload: JWTPayload & { sub: string } } | { ok: false; reason: 'expired' | 'invalid' };

/** Verifies JWTs an external OpenID Connect issuer signed, through its JWKS (fetched and cached by jose). */
export class OidcVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  constructor(private readonly config: OidcConfig) {}

  /** Whether a token claims to come from this issuer (cheap, unverified). */
  claims(token: string): boolean {
    try {
      return decodeJwt(token).iss === this.config.issuer;
    } catch {
      return false;
    }
  }

  private async keySet() {
    if (this.jwks) return this.jwks;
    let url = this.config.jwksUrl;
    if (!url) {
      const res = await fetch(`${this.config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`OIDC discovery failed: HTTP ${res.status}`);
      const doc = (await res.json()) as { jwks_uri?: unknown };
      if (typeof doc.jwks_uri !== 'string') throw new Error('OIDC discovery document has no jwks_uri');
      url = doc.jwks_uri;
    }
    this.jwks = createRemoteJWKSet(new URL(url));
    return this.jwks;
  }

  async verify(token: string): Promise<OidcResult> {
    try {
      const { payload } = await jwtVerify(token, await this.keySet(), {
        issuer: this.config.issuer,
        audience: this.config.audience,
        // A token without an expiry would never stop working.
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string') return { ok: false, reason: 'invalid' };
      return { ok: true, payload: payload as JWTPayload & { sub: string } };
    } catch (err) {
      return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
  }
}
