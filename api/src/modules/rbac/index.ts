export { abilityFor, accessible, type Actor, type AppAbility } from './ability.js';
export { Allow, Public, ReadField, asOwnRecord, assertCan, requireActor, authChecker, declaredRules, type OperationRule, type AuthorizationContext } from './allow.js';
export { ROLES, ROLE_RULES, PUBLIC_USER_FIELDS, API_KEY_SCOPES, SCOPE_NAMES, type RoleName, type ApiKeyScope, type Action, type SubjectName } from './rules.js';
