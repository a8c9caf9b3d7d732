import { subject as asSubject } from '@casl/ability';
import { Authorized, type AuthChecker } from 'type-graphql';
import { forbidden, unauthenticated } from '../../errors.js';
import type { AppAbility, Actor } from './ability.js';
import type { Action, SubjectName } from './rules.js';

/**
 * Every root operation declares who may call it, with `@Allow(action, subject)` (checked
 * against the caller's ability before the resolver runs) or `@Public()`. Operations are
 * registered by their schema name, which must equal the method name; a root field with no
 * declaration is refused at run time (`guardRootFields` in src/middleware.ts) and fails the
 * permission test.
 */
export type OperationRule = { public: true } | { public: false; action: Action; subject: SubjectName };

const PUBLIC = 'public';
const registry = new Map<string, OperationRule>();

/** The declared rule of each root operation, by field name. */
export const declaredRules = (): ReadonlyMap<string, OperationRule> => registry;

function register(name: string, rule: OperationRule) {
  if (registry.has(name)) throw new Error(`operation ${name} declares its rule twice`);
  registry.set(name, rule);
}

export function Allow(action: Action, subject: SubjectName): MethodDecorator {
  return (target, key, descriptor) => {
    register(String(key), { public: false, action, subject });
    Authorized(`${action}:${subject}`)(target, key, descriptor);
  };
}

export function Public(): MethodDecorator {
  return (target, key, descriptor) => {
    register(String(key), { public: true });
    Authorized(PUBLIC)(target, key, descriptor);
  };
}

const FIELD = 'field:';

/**
 * A field-level rule on an object type's field: the caller's ability must allow reading that
 * field of that very record (CASL `fields`), else the field fails with FORBIDDEN. For fields
 * that identify a person (User.id, email, name), which only admins and the person may read.
 */
export function ReadField(subjectType: 'User', field: string): PropertyDecorator & MethodDecorator {
  return Authorized(`${FIELD}${subjectType}:${field}`);
}

const OWN_RECORD = Symbol('dialoop.ownRecord');

/**
 * Marks the account a sign-in just proved (login, refreshToken): its caller is anonymous to the
 * request's ability but is that person, who may read every field of it.
 */
export function asOwnRecord<T extends object>(record: T): T {
  return Object.assign(record, { [OWN_RECORD]: true });
}

export interface AuthorizationContext {
  actor: Actor | null;
  ability: AppAbility;
  /** Why the credential sent was refused; public operations still run, anonymously. */
  authError?: Error | undefined;
}

/** The caller, or the reason there is none: the refused credential, else UNAUTHENTICATED. */
export function requireActor(ctx: AuthorizationContext): Actor {
  if (!ctx.actor) throw ctx.authError ?? unauthenticated();
  return ctx.actor;
}

/** Type-level check: may this caller perform `action` on some `subject`? Row-level checks filter in SQL. */
export function assertCan(ctx: AuthorizationContext, action: Action, subject: SubjectName): void {
  const actor = requireActor(ctx);
  if (!ctx.ability.can(action, subject)) {
    throw forbidden(actor.kind === 'apiKey' ? `This API key's scopes do not allow ${action} ${subject}` : `Your role may not ${action} ${subject}`);
  }
}

export const authChecker: AuthChecker<AuthorizationContext> = ({ context, root }, rules) => {
  const [rule] = rules;
  if (rule === PUBLIC) return true;
  if (typeof rule !== 'string') throw forbidden();
  if (rule.startsWith(FIELD)) {
    const [type, field] = rule.slice(FIELD.length).split(':') as ['User', string];
    if (root && typeof root === 'object' && (root as Record<symbol, unknown>)[OWN_RECORD] === true) return true;
    if (!root || typeof root !== 'object' || !context.ability.can('read', asSubject(type, { ...(root as object) }) as never, field)) {
      throw forbidden(`You may not read ${type}.${field} of this record`);
    }
    return true;
  }
  const [action, subject] = rule.split(':') as [Action, SubjectName];
  assertCan(context, action, subject);
  return true;
};
