import type { Logger } from 'pino';
import type { AuditScope } from './modules/audit/index.js';
import type { AuthorizationContext } from './modules/rbac/index.js';
import type { Services } from './services.js';

/** What every resolver receives: the caller, their ability, and the services. */
export interface Context extends AuthorizationContext {
  requestId: string;
  log: Logger;
  services: Services;
  client: { ip: string | undefined; userAgent: string | undefined };
  /** Who the audit trail records for this request. */
  audit: AuditScope;
}

/** What services need of a request to authorize and audit a write. */
export type Caller = Pick<Context, 'actor' | 'ability' | 'authError' | 'audit'>;
