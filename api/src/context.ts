import type { Logger } from 'pino';
import type { AuthorizationContext } from './modules/rbac/index.js';
import type { Services } from './services.js';

/** What every resolver receives: the caller, their ability, and the services. */
export interface Context extends AuthorizationContext {
  requestId: string;
  log: Logger;
  services: Services;
  client: { ip: string | undefined; userAgent: string | undefined };
}
