import { z } from 'zod';
import type { AuditFilterInput, AuditOutcome } from '@/gql/graphql';

/**
 * The audit view's state lives in the URL, so that a view can be shared: the filter, and the
 * entry that is open. Anything malformed in a shared link is dropped, not an error.
 */
export const OUTCOMES: readonly AuditOutcome[] = ['ALLOWED', 'DENIED', 'FAILED'];

export interface AuditView {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  outcome: AuditOutcome | '';
  /** Days, YYYY-MM-DD (from the start of `from` to the end of `to`, UTC). */
  from: string;
  to: string;
  /** The open entry. */
  entry: number | null;
}

export const EMPTY_VIEW: AuditView = { actor: '', action: '', subjectType: '', subjectId: '', outcome: '', from: '', to: '', entry: null };

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)));
const text = z.string().trim().max(200);

export function viewFromParams(params: URLSearchParams): AuditView {
  const pick = <T>(schema: z.ZodType<T>, key: string, fallback: T): T => {
    const r = schema.safeParse(params.get(key) ?? undefined);
    return r.success ? r.data : fallback;
  };
  const seq = Number(params.get('entry'));
  return {
    actor: pick(text, 'actor', ''),
    action: pick(text, 'action', ''),
    subjectType: pick(text, 'subjectType', ''),
    subjectId: pick(text, 'subjectId', ''),
    outcome: pick(z.enum(['ALLOWED', 'DENIED', 'FAILED']), 'outcome', ''),
    from: pick(day, 'from', ''),
    to: pick(day, 'to', ''),
    entry: Number.isSafeInteger(seq) && seq > 0 ? seq : null,
  };
}

export function paramsOf(view: AuditView): URLSearchParams {
  const p = new URLSearchParams();
  for (const key of ['actor', 'action', 'subjectType', 'subjectId', 'outcome', 'from', 'to'] as const) if (view[key]) p.set(key, view[key]);
  if (view.entry !== null) p.set('entry', String(view.entry));
  return p;
}

/** The api's filter for a view (days as whole UTC days). */
export function filterOf(view: AuditView): AuditFilterInput {
  return {
    ...(view.actor ? { actor: view.actor } : {}),
    ...(view.action ? { action: view.action } : {}),
    ...(view.subjectType ? { subjectType: view.subjectType } : {}),
    ...(view.subjectId ? { subjectId: view.subjectId } : {}),
    ...(view.outcome ? { outcome: view.outcome } : {}),
    ...(view.from ? { from: `${view.from}T00:00:00.000Z` } : {}),
    ...(view.to ? { to: `${view.to}T23:59:59.999Z` } : {}),
  };
}

/** The command that checks a downloaded export offline. */
export const verifyCommand = (file: string) => `npm run audit:verify -- --public-key audit-public-key.pem ${file}`;

/** Splits a verification over [from, to] into stretches, so that the page can show progress. */
export function stretches(from: number, to: number, size: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let a = from; a <= to; a += size) out.push({ from: a, to: Math.min(to, a + size - 1) });
  return out;
}
