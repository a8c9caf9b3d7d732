import { GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import { DeniedAsNotFound } from '../../errors.js';
import type { Logger } from 'pino';
import type { AuditEvent, AuditLog, AuditScope } from './audit.service.js';

const DENIALS = new Set(['FORBIDDEN', 'UNAUTHENTICATED']);

/**
 * Records what an operation's errors say: a root field (or a field inside it) refused by
 * authentication or authorization, or another person's record answered as NOT_FOUND → DENIED;
 * a mutation that failed otherwise → FAILED. Called once per operation, over HTTP (an Apollo
 * plugin) and WebSocket (graphql-ws `onNext`). A refusal or failure the service recorded itself
 * (a failed sign-in) is not recorded twice; nothing rolled back leaves an ALLOWED entry.
 */
export async function auditOperationErrors(
  ctx: { audit: AuditScope; services: { audit: AuditLog }; log: Logger },
  operation: OperationDefinitionNode | null | undefined,
  errors: readonly GraphQLError[],
): Promise<void> {
  if (!operation || errors.length === 0) return;
  // Response keys to field names (an alias must not rename the action).
  const names = new Map<string, string>();
  for (const s of operation.selectionSet.selections) if (s.kind === Kind.FIELD) names.set(s.alias?.value ?? s.name.value, s.name.value);
  const events = new Map<string, AuditEvent>();
  for (const err of errors) {
    const path = err.path;
    if (!path || path.length === 0) continue;
    const action = names.get(String(path[0])) ?? String(path[0]);
    const code = String(err.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    const denied = DENIALS.has(code) || err.originalError instanceof DeniedAsNotFound;
    const outcome = denied ? 'DENIED' : operation.operation === 'mutation' && path.length === 1 ? 'FAILED' : undefined;
    const field = path.length > 1 ? path.filter((p) => typeof p === 'string').join('.') : undefined;
    const key = `${action}:${outcome}:${field ?? ''}`;
    if (!outcome || ctx.audit.recorded.has(`${action}:DENIED`) || ctx.audit.recorded.has(`${action}:FAILED`) || events.has(key)) continue;
    events.set(key, { action, outcome, after: { code, ...(field ? { field } : {}) } });
  }
  if (events.size === 0) return;
  try {
    await ctx.services.audit.write(ctx.audit, [...events.values()]);
  } catch (err) {
    ctx.log.error({ err }, 'could not record denied or failed operations in the audit trail');
  }
}

/**
 * The same record for an operation reached by a plain HTTP route (`POST /chat` is `sendMessage`):
 * refused by authentication or authorization, or another person's record answered as NOT_FOUND
 * → DENIED; a write that failed otherwise → FAILED; once per request, and not when the service
 * recorded it itself (a prompt refused by the content filter).
 */
export async function auditRouteError(
  ctx: { audit: AuditScope; services: { audit: AuditLog }; log: Logger },
  action: string,
  error: unknown,
  write: boolean,
): Promise<void> {
  const code = error instanceof GraphQLError ? String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'INTERNAL_SERVER_ERROR';
  const outcome = DENIALS.has(code) || error instanceof DeniedAsNotFound ? 'DENIED' : write ? 'FAILED' : undefined;
  if (!outcome || ctx.audit.recorded.has(`${action}:DENIED`) || ctx.audit.recorded.has(`${action}:FAILED`)) return;
  try {
    await ctx.services.audit.write(ctx.audit, { action, outcome, after: { code } });
  } catch (err) {
    ctx.log.error({ err }, 'could not record a denied or failed request in the audit trail');
  }
}
