export { AuthService, type Authenticated, type Session } from './auth.service.js';
export { AuthResolver } from './auth.resolver.js';
export { AccessTokens } from './tokens.js';
export { OidcVerifier } from './oidc.js';
export { AccountStatus, ACCOUNT_CHANNEL } from './account-status.js';
