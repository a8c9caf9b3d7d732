import { Prisma, type PrismaClient, type User } from '@dialoop/db';
import { AppError, ErrorCode, badInput, notFound, unauthenticated } from '../../errors.js';
import { accessible, type Actor, type AppAbility } from '../rbac/ability.js';
import { ROLES, type ApiKeyScope, type RoleName } from '../rbac/rules.js';
import type { OidcVerifier } from './oidc.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { API_KEY_PREFIX, REFRESH_PREFIX, newApiKeySecret, newRefreshToken, sha256, type AccessTokens } from './tokens.js';

export interface Authenticated {
  actor: Actor;
  /** Seconds since the epoch after which the credential is no longer valid (JWTs only). */
  expiresAt: number | undefined;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

export interface AuthServiceOptions {
  db: PrismaClient;
  tokens: AccessTokens;
  oidc: OidcVerifier | undefined;
  oidcRoleClaim: string;
  refreshTtlSeconds: number;
}

const isRole = (v: unknown): v is RoleName => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** Sign-in, tokens and API keys: everything that turns a credential into an `Actor`. */
export class AuthService {
  constructor(private readonly o: AuthServiceOptions) {}

  /**
   * Resolves an `Authorization` header value. No header → `null` (anonymous); a header that
   * does not verify → UNAUTHENTICATED; a disabled account → FORBIDDEN.
   */
  async authenticate(header: string | undefined | null): Promise<Authenticated | null> {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match?.[1]) throw unauthenticated('Authorization must be "Bearer <token>"');
    const token = match[1];
    if (token.startsWith(API_KEY_PREFIX)) return this.fromApiKey(token);
    if (this.o.oidc?.claims(token)) return this.fromOidc(token);
    const result = await this.o.tokens.verify(token);
    if (!result.ok) throw unauthenticated(result.reason === 'expired' ? 'Access token expired' : 'Invalid access token');
    const user = await this.o.db.user.findUnique({ where: { id: result.claims.sub } });
    if (!user) throw unauthenticated('Invalid access token');
    this.assertActive(user);
    return { actor: { kind: 'user', userId: user.id, role: user.role }, expiresAt: result.claims.exp };
  }

  private assertActive(user: User) {
    if (user.disabled) throw new AppError(ErrorCode.FORBIDDEN, 'Account disabled');
  }

  private async fromApiKey(secret: string): Promise<Authenticated> {
    const key = await this.o.db.apiKey.findUnique({ where: { secretHash: sha256(secret) }, include: { user: true } });
    if (!key || key.revokedAt) throw unauthenticated('Invalid API key');
    this.assertActive(key.user);
    // Last-use time is informative: written at most once a minute per key, without waiting.
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > 60_000) {
      void this.o.db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
    }
    return {
      actor: { kind: 'apiKey', userId: key.userId, role: key.user.role, apiKeyId: key.id, scopes: key.scopes as ApiKeyScope[] },
      expiresAt: undefined,
    };
  }

  private async fromOidc(token: string): Promise<Authenticated> {
    const oidc = this.o.oidc;
    if (!oidc) throw unauthenticated('Invalid access token');
    const result = await oidc.verify(token);
    if (!result.ok) throw unauthenticated(result.reason === 'expired' ? 'Access token expired' : 'Invalid access token');
    const { payload } = result;
    const externalId = `${payload.iss}|${payload.sub}`;
    const claimedRole = payload[this.o.oidcRoleClaim];
    const role: RoleName = isRole(claimedRole) ? claimedRole : 'USER';
    const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : `${payload.sub}@${new URL(String(payload.iss)).host}`;
    const name = typeof payload.name === 'string' ? payload.name : null;
    // Provisioned on first sight; the issuer stays the source of truth for the role.
    let user: User;
    try {
      user = await this.o.db.user.upsert({
        where: { externalId },
        create: { externalId, email, name, role },
        update: { role, ...(name ? { name } : {}) },
      });
    } catch (err) {
      // The email is another account's (a local one): never linked by email, refused.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new AppError(ErrorCode.FORBIDDEN, 'This identity’s email belongs to another account');
      }
      throw err;
    }
    this.assertActive(user);
    return { actor: { kind: 'oidc', userId: user.id, role: user.role }, expiresAt: typeof payload.exp === 'number' ? payload.exp : undefined };
  }

  async login(email: string, password: string): Promise<Session> {
    if (email.length > 320 || password.length > 1024) throw badInput('Email or password too long');
    const user = await this.o.db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    const ok = await verifyPassword(user?.passwordHash, password);
    if (!user || !ok) throw unauthenticated('Invalid email or password');
    this.assertActive(user);
    return this.issue(user);
  }

  /** Rotates a refresh token: the old one stops working, a new pair is returned. */
  async refresh(token: string): Promise<Session> {
    if (!token.startsWith(REFRESH_PREFIX)) throw unauthenticated('Invalid refresh token');
    const now = new Date();
    const row = await this.o.db.refreshToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
    if (!row || row.revokedAt || row.expiresAt <= now) throw unauthenticated('Invalid or expired refresh token');
    const revoked = await this.o.db.refreshToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: now } });
    if (revoked.count !== 1) throw unauthenticated('Invalid or expired refresh token');
    this.assertActive(row.user);
    return this.issue(row.user);
  }

  async logout(token: string): Promise<boolean> {
    const res = await this.o.db.refreshToken.updateMany({ where: { tokenHash: sha256(token), revokedAt: null }, data: { revokedAt: new Date() } });
    return res.count > 0;
  }

  private async issue(user: User): Promise<Session> {
    const refreshToken = newRefreshToken();
    await this.o.db.refreshToken.create({
      data: { userId: user.id, tokenHash: sha256(refreshToken), expiresAt: new Date(Date.now() + this.o.refreshTtlSeconds * 1000) },
    });
    const accessToken = await this.o.tokens.sign(user.id, user.role);
    return { accessToken, refreshToken, expiresIn: this.o.tokens.ttl, user };
  }

  async createApiKey(actor: Actor, name: string, scopes: ApiKeyScope[]) {
    if (actor.kind === 'apiKey') throw new AppError(ErrorCode.FORBIDDEN, 'API keys cannot create API keys');
    if (scopes.length === 0) throw badInput('An API key needs at least one scope');
    const secret = newApiKeySecret();
    const apiKey = await this.o.db.apiKey.create({
      data: { userId: actor.userId, name, scopes: [...new Set(scopes)], prefix: secret.slice(0, 9), secretHash: sha256(secret) },
    });
    return { apiKey, secret };
  }

  listApiKeys(ability: AppAbility) {
    return this.o.db.apiKey.findMany({ where: accessible(ability).ofType('ApiKey'), orderBy: { createdAt: 'desc' } });
  }

  async revokeApiKey(ability: AppAbility, id: string) {
    const key = await this.o.db.apiKey.findFirst({ where: { AND: [accessible(ability, 'delete').ofType('ApiKey'), { id }] } });
    if (!key) throw notFound('API key');
    return this.o.db.apiKey.update({ where: { id: key.id }, data: { revokedAt: key.revokedAt ?? new Date() } });
  }

  hashPassword(password: string) {
    return hashPassword(password);
  }
}
