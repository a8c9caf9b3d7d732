import type { MiddlewareFn } from 'type-graphql';
import { badInput, forbidden } from './errors.js';
import { declaredRules } from './modules/rbac/index.js';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** With the u flag a surrogate pair is one code point: only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/** The first text PostgreSQL cannot store in an argument, nested JSON (keys too) included: a NUL, or a lone UTF-16 surrogate. */
export const badText = (v: unknown): 'nul' | 'surrogate' | undefined => {
  if (typeof v === 'string') return v.includes('\u0000') ? 'nul' : LONE_SURROGATE.test(v) ? 'surrogate' : undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      const bad = badText(x);
      if (bad) return bad;
    }
    return undefined;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const bad = badText(k) ?? badText(x);
      if (bad) return bad;
    }
  }
  return undefined;
};

/**
 * The one global middleware, for root fields only (other fields pass straight through):
 * - deny any operation that declares no rule (`@Allow` / `@Public`);
 * - refuse arguments holding U+0000 or a lone UTF-16 surrogate, which PostgreSQL text and jsonb
 *   cannot store (anywhere in them: nested JSON and its keys too), before anything is written.
 */
export const guardRootFields: MiddlewareFn = ({ args, info }, next) => {
  if (!ROOT_TYPES.has(info.parentType.name)) return next();
  if (!declaredRules().has(info.fieldName)) throw forbidden(`Operation ${info.fieldName} declares no authorization rule`);
  const bad = badText(args);
  if (bad === 'nul') throw badInput('Text arguments may not contain the NUL character (U+0000)');
  if (bad === 'surrogate') throw badInput('Text arguments must be well-formed UTF-16 (a lone surrogate cannot be stored)');
  return next();
};
