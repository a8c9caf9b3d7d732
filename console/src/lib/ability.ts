import { createMongoAbility, type MongoAbility } from '@casl/ability';
import { ROLE_RULES, type Action, type RoleName, type SubjectName } from '@dialoop/api/rbac';

/**
 * What the signed-in person may do, from the same rules the api enforces (`@dialoop/api/rbac`):
 * menus and buttons follow it, and pages a role may not use show "not allowed". The api still
 * checks every operation; this only keeps the console from offering what it would refuse.
 */
export type ConsoleAbility = MongoAbility<[Action, SubjectName]>;

function interpolate(value: unknown, userId: string): unknown {
  if (value === '${user.id}') return userId;
  if (Array.isArray(value)) return value.map((v) => interpolate(v, userId));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, userId)]));
  return value;
}

export function abilityOf(role: RoleName | undefined, userId = ''): ConsoleAbility {
  const rules = role ? ROLE_RULES[role].map((r) => interpolate(r, userId)) : [];
  return createMongoAbility<[Action, SubjectName]>(rules as never);
}
