export { AuthService, type Authenticated, type Session } from './auth.service.js';
export { AuthResolver } from './auth.resolver.js';
export { AccessTokens } from './tokens.js';
export { OidcVerifier } from './oidc.js';
export { hashPassword } from './passwords.js';
export { UserType, RoleEnum } from './auth.types.js';
