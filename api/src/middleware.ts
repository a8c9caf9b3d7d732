import type { MiddlewareFn } from 'type-graphql';
import { badInput, forbidden } from './errors.js';
import { declaredRules } from './modules/rbac/index.js';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

const hasNul = (v: unknown): boolean => {
  if (typeof v === 'string') return v.includes('\u0000');
  if (Array.isArray(v)) return v.some(hasNul);
  if (v && typeof v === 'object') return Object.values(v).some(hasNul);
  return false;
};

/**
 * The one global middleware, for root fields only (other fields pass straight through):
 * - deny any operation that declares no rule (`@Allow` / `@Public`);
 * - refuse arguments holding U+0000, which PostgreSQL text cannot store.
 */
export const guardRootFields: MiddlewareFn = ({ args, info }, next) => {
  if (!ROOT_TYPES.has(info.parentType.name)) return next();
  if (!declaredRules().has(info.fieldName)) throw forbidden(`Operation ${info.fieldName} declares no authorization rule`);
  if (hasNul(args)) throw badInput('Text arguments may not contain the NUL character (U+0000)');
  return next();
};
