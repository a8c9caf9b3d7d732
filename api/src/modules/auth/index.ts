export { AuthService, type Authenticated, type Session } from './auth.service.js';
export { AuthResolver } from './auth.resolver.js';
export { AccessTokens } from './tokens.js';
export { OidcVerifier } from './oidc.js';
