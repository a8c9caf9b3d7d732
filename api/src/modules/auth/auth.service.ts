import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient, type User } from '@dialoop/db';
import { AppError, ErrorCode, badInput, missing, unauthenticated } from '../../errors.js';
import type { Caller } from '../../context.js';
import type { AuditLog, AuditScope } from '../audit/index.js';
import { accessible, type Actor, asOwnRecord, ROLES, type ApiKeyScope, type RoleName } from '../rbac/index.js';
import type { AccountStatus } from './account-status.js';
import type { OidcVerifier } from './oidc.js';
import { hashPassword, keepsAnAdmin, verifyPassword } from '../users/index.js';
import { isUuid } from '../../ids.js';
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
  /** Each account's role and status, for the credential check of every request. */
  accounts: AccountStatus;
  audit: AuditLog;
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
    // Every request with a token needs these two fields: kept in memory until the database says
    // they changed (AccountStatus); a database read cost a millisecond of a send's ten (issue 21).
    const sub = result.claims.sub;
    const row = isUuid(sub) ? await this.o.accounts.read(sub) : undefined;
    if (!row || !isRole(row[0])) throw unauthenticated('Invalid access token');
    this.assertActive({ disabled: row[1] === 'true' });
    return { actor: { kind: 'user', userId: sub, role: row[0] }, expiresAt: result.claims.exp };
  }

  private assertActive(user: Pick<User, 'disabled'>) {
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
    // Provisioned on first sight; the issuer stays the source of truth for the role. Creating the
    // account or changing its role is recorded with the change.
    let user: User;
    try {
      user = await this.o.db.$transaction(async (tx) => {
        const before = await tx.user.findUnique({ where: { externalId } });
        const person = before ? this.o.audit.person(before.id) : undefined;
        const scope = this.o.audit.serviceScope('oidc');
        // The issuer may not take the platform's last active admin away: that change is refused
        // (recorded as FAILED); the sign-in goes on with the role the account has.
        let granted = role;
        if (before && before.role !== role && !(await keepsAnAdmin(tx, before.id, { role, disabled: before.disabled }))) {
          granted = before.role;
          await this.o.audit.record(tx, scope, {
            action: 'updateUser',
            outcome: 'FAILED',
            subject: { type: 'User', id: person!, owner: person! },
            before: { role: before.role },
            after: { role, oidc: true, refused: 'last active admin' },
          });
        }
        const after = await tx.user.upsert({
          where: { externalId },
          create: { externalId, email, name, role },
          update: { role: granted, ...(name ? { name } : {}) },
        });
        const subject = { type: 'User', id: this.o.audit.person(after.id), owner: this.o.audit.person(after.id) };
        if (!before) await this.o.audit.record(tx, scope, { action: 'createUser', subject, after: { role: after.role, oidc: true } });
        else if (before.role !== after.role) {
          await this.o.audit.record(tx, scope, { action: 'updateUser', subject, before: { role: before.role }, after: { role: after.role, oidc: true } });
        }
        return after;
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

  /** Signs in; success and failure are both recorded (the account by pseudonym, an unknown email by its own). */
  async login(email: string, password: string, scope: AuditScope): Promise<Session> {
    if (email.length > 320 || password.length > 1024) throw badInput('Email or password too long');
    const user = await this.o.db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    const ok = await verifyPassword(user?.passwordHash, password);
    const subject = { type: 'User', id: user ? this.o.audit.person(user.id) : this.o.audit.pseudonyms.email(email) };
    if (!user || !ok || user.disabled) {
      // One answer whatever failed (a disabled account does not tell whether its password is right); the trail keeps the reason.
      await this.o.audit.write(scope, { action: 'login', outcome: 'DENIED', subject, after: { reason: user?.disabled && ok ? 'account disabled' : 'invalid credentials' } });
      throw unauthenticated('Invalid email or password');
    }
    return this.issue(user, this.o.audit.as(scope, this.actorOf(user)), 'login', { familyId: randomUUID() });
  }

  private actorOf(user: User): Actor {
    return { kind: 'user', userId: user.id, role: user.role };
  }

  /** Rotates a refresh token: the old one stops working, a new pair is returned. */
  async refresh(token: string, scope: AuditScope): Promise<Session> {
    if (!token.startsWith(REFRESH_PREFIX)) throw unauthenticated('Invalid refresh token');
    const now = new Date();
    const row = await this.o.db.refreshToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
    const familyId = row?.familyId ?? row?.id;
    if (row && row.revokedAt) {
      // A spent token presented again: it was stolen, or its holder's copy was. Every token of
      // its family (the sign-in it descends from) is revoked (OAuth 2.0 Security BCP, 4.14).
      await this.o.db.$transaction(async (tx) => {
        const res = await tx.refreshToken.updateMany({ where: { OR: [{ familyId }, { id: familyId }], revokedAt: null }, data: { revokedAt: now } });
        const person = this.o.audit.person(row.userId);
        await this.o.audit.record(tx, this.o.audit.as(scope, this.actorOf(row.user)), {
          action: 'refreshToken',
          outcome: 'DENIED',
          subject: { type: 'User', id: person, owner: person },
          after: { reason: 'refresh token reused', familyRevoked: res.count },
        });
      });
      throw unauthenticated('Invalid or expired refresh token');
    }
    if (!row || row.expiresAt <= now) throw unauthenticated('Invalid or expired refresh token');
    this.assertActive(row.user);
    // Revoking the old token and storing the new one commit together, with their audit entry.
    return this.issue(row.user, this.o.audit.as(scope, this.actorOf(row.user)), 'refreshToken', { familyId: familyId! }, async (tx) => {
      const revoked = await tx.refreshToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: now } });
      if (revoked.count !== 1) throw unauthenticated('Invalid or expired refresh token');
    });
  }

  async logout(token: string, scope: AuditScope): Promise<boolean> {
    const row = await this.o.db.refreshToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
    if (!row || row.revokedAt) return false;
    return this.o.db.$transaction(async (tx) => {
      const res = await tx.refreshToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (res.count === 0) return false;
      const person = this.o.audit.person(row.userId);
      await this.o.audit.record(tx, this.o.audit.as(scope, this.actorOf(row.user)), { action: 'logout', subject: { type: 'User', id: person, owner: person } });
      return true;
    });
  }

  private async issue(
    user: User,
    scope: AuditScope,
    action: 'login' | 'refreshToken',
    family: { familyId: string },
    before?: (tx: Prisma.TransactionClient) => Promise<void>,
  ): Promise<Session> {
    const refreshToken = newRefreshToken();
    const person = this.o.audit.person(user.id);
    await this.o.db.$transaction(async (tx) => {
      await before?.(tx);
      await tx.refreshToken.create({
        data: { userId: user.id, tokenHash: sha256(refreshToken), familyId: family.familyId, expiresAt: new Date(Date.now() + this.o.refreshTtlSeconds * 1000) },
      });
      await this.o.audit.record(tx, scope, { action, subject: { type: 'User', id: person, owner: person } });
    });
    const accessToken = await this.o.tokens.sign(user.id, user.role);
    return { accessToken, refreshToken, expiresIn: this.o.tokens.ttl, user: asOwnRecord(user) };
  }

  async createApiKey(caller: Caller, actor: Actor, name: string, scopes: ApiKeyScope[]) {
    if (actor.kind === 'apiKey') throw new AppError(ErrorCode.FORBIDDEN, 'API keys cannot create API keys');
    if (scopes.length === 0) throw badInput('An API key needs at least one scope');
    const secret = newApiKeySecret();
    const apiKey = await this.o.db.$transaction(async (tx) => {
      const key = await tx.apiKey.create({
        data: { userId: actor.userId, name, scopes: [...new Set(scopes)], prefix: secret.slice(0, 9), secretHash: sha256(secret) },
      });
      await this.o.audit.record(tx, caller.audit, {
        action: 'createApiKey',
        subject: { type: 'ApiKey', id: key.id, owner: this.o.audit.person(actor.userId) },
        after: { scopes: key.scopes },
      });
      return key;
    });
    return { apiKey, secret };
  }

  async listApiKeys(caller: Caller) {
    const keys = await this.o.db.apiKey.findMany({ where: accessible(caller.ability).ofType('ApiKey'), orderBy: { createdAt: 'desc' } });
    const others = keys.filter((k) => k.userId !== caller.actor?.userId);
    if (others.length > 0) {
      await this.o.audit.write(caller.audit, { action: 'apiKeys', subject: { type: 'ApiKey' }, after: { othersReturned: others.length } });
    }
    return keys;
  }

  async revokeApiKey(caller: Caller, id: string) {
    const key = await this.o.db.apiKey.findFirst({ where: { AND: [accessible(caller.ability, 'delete').ofType('ApiKey'), { id }] } });
    if (!key) throw missing('API key', await this.o.db.apiKey.count({ where: { id } }));
    return this.o.db.$transaction(async (tx) => {
      const updated = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: key.revokedAt ?? new Date() } });
      await this.o.audit.record(tx, caller.audit, {
        action: 'revokeApiKey',
        subject: { type: 'ApiKey', id: key.id, owner: this.o.audit.person(key.userId) },
        before: { revoked: key.revokedAt !== null },
        after: { revoked: true },
      });
      return updated;
    });
  }

  hashPassword(password: string) {
    return hashPassword(password);
  }
}
