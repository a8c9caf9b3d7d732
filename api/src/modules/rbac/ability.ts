import type { Ability, RawRuleOf } from '@casl/ability';
import { accessibleBy, createPrismaAbility, type PrismaQueryOf, type Subjects } from '@casl/prisma/runtime';
import type { ApiKey, Conversation, Message, Prisma, Rating, User } from '@dialoop/db';
import { API_KEY_SCOPES, ROLE_RULES, type Action, type ApiKeyScope, type RoleName, type RuleData } from './rules.js';

export type AppSubjects =
  | Subjects<{ User: User; ApiKey: ApiKey; Conversation: Conversation; Message: Message; Rating: Rating }>
  | 'Model'
  | 'AuditEntry'
  | 'AuditCheckpoint'
  | 'SafetyTerm'
  | 'RewriteRule'
  | 'SafetyEvent'
  | 'SafetyEscalation'
  | 'ReviewItem'
  | 'Review'
  | 'PreferencePair'
  | 'DatasetVersion'
  | 'DialogueImport'
  | 'ModelVersion'
  | 'TrainingRun'
  | 'InferenceServer'
  | 'all';
export type AppAbility = Ability<[Action, AppSubjects], PrismaQueryOf<Prisma.TypeMap>>;

/**
 * Prisma `where` conditions selecting the rows of `model` the ability allows for `action`.
 * With no rule for that action and model CASL answers `{ OR: [] }`, which matches nothing alone
 * but which Prisma drops inside `AND` (prisma/prisma#17367), matching every row: that answer
 * becomes `{ id: { in: [] } }`, which matches nothing wherever it stands.
 */
export const accessible = (ability: AppAbility, action: Action = 'read') => {
  const records = accessibleBy(ability, action);
  return {
    ofType<T extends Parameters<typeof records.ofType>[0]>(type: T): ReturnType<typeof records.ofType<T>> {
      const where: Record<string, unknown> = records.ofType(type);
      const none = Object.keys(where).length === 1 && Array.isArray(where.OR) && where.OR.length === 0;
      return (none ? { id: { in: [] } } : where) as ReturnType<typeof records.ofType<T>>;
    },
  };
};

/** The identity behind a request. */
export interface Actor {
  kind: 'user' | 'apiKey' | 'oidc';
  userId: string;
  role: RoleName;
  apiKeyId?: string;
  scopes?: ApiKeyScope[];
}

const asList = <T>(v: T | readonly T[]): T[] => (Array.isArray(v) ? [...(v as T[])] : [v as T]);

function interpolate(value: unknown, userId: string): unknown {
  if (value === '${user.id}') return userId;
  if (Array.isArray(value)) return value.map((v) => interpolate(v, userId));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, userId)]));
  }
  return value;
}

function scopeAllows(scopes: readonly ApiKeyScope[], action: Action, subject: string): boolean {
  return scopes.some((s) =>
    API_KEY_SCOPES[s].some((g) => (g.action as readonly string[]).includes(action) && (g.subject as readonly string[]).includes(subject)),
  );
}

/** Narrows a role's rules to an API key's scopes (action by action, subject by subject). */
function narrow(rules: RuleData[], scopes: readonly ApiKeyScope[]): RuleData[] {
  const out: RuleData[] = [];
  for (const rule of rules) {
    for (const action of asList(rule.action)) {
      for (const subject of asList(rule.subject)) {
        if (action === 'manage' || subject === 'all') continue; // keys never get blanket rules
        if (scopeAllows(scopes, action, subject)) out.push({ ...rule, action, subject });
      }
    }
  }
  return out;
}

/** Builds the per-request ability: anonymous callers get no rules at all. */
export function abilityFor(actor: Actor | null): AppAbility {
  if (!actor) return createPrismaAbility<AppAbility>([]);
  let rules = ROLE_RULES[actor.role];
  if (actor.kind === 'apiKey') rules = narrow(rules, actor.scopes ?? []);
  const raw = rules.map((r) => interpolate(r, actor.userId)) as RawRuleOf<AppAbility>[];
  return createPrismaAbility<AppAbility>(raw);
}
