import type { Logger } from 'pino';
import type { AuditScope } from './modules/audit/index.js';
import type { AuthorizationContext } from './modules/rbac/index.js';
import type { Services } from './services.js';

/** What every resolver receives: the caller, their ability, and the services. */
export interface Context extends AuthorizationContext {
  requestId: string;
  log: Logger;
  services: Services;
  /** Who called: address, user agent, and the request id the client sent if it is of the strict form (logged, never recorded in the trail). */
  client: { ip: string | undefined; userAgent: string | undefined; requestId?: string | undefined };
  /** Who the audit trail records for this request. */
  audit: AuditScope;
}

/** What services need of a request to authorize and audit a write. */
export type Caller = Pick<Context, 'actor' | 'ability' | 'authError' | 'audit'>;

/**
 * A client's own request id, kept (for the logs, to correlate) only in a strict short form. The
 * server always makes its own, which is the one the audit trail records and `x-request-id` returns.
 */
export function clientRequestId(header: unknown): string | undefined {
  return typeof header === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(header) ? header : undefined;
}
