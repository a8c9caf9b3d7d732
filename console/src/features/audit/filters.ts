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

// Checked by hand, not with zod: zod is a hundred kilobytes of script the page would load (and
// evaluate) before its first request for these few checks.
const isDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`));
const isOutcome = (o: string): o is AuditOutcome => (OUTCOMES as readonly string[]).includes(o);

export function viewFromParams(params: URLSearchParams): AuditView {
  const text = (key: string) => {
    const v = (params.get(key) ?? '').trim();
    return v.length <= 200 ? v : '';
  };
  const day = (key: string) => {
    const v = params.get(key) ?? '';
    return isDay(v) ? v : '';
  };
  const outcome = params.get('outcome') ?? '';
  const seq = Number(params.get('entry'));
  return {
    actor: text('actor'),
    action: text('action'),
    subjectType: text('subjectType'),
    subjectId: text('subjectId'),
    outcome: isOutcome(outcome) ? outcome : '',
    from: day('from'),
    to: day('to'),
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

/** Rows per page of the entries table. */
export const ENTRIES_PAGE = 100;

/** The entries table's query key (queries.ts; server.ts fills it for a server-rendered page). */
export const entriesKey = (filter: AuditFilterInput) => ['audit', 'entries', filter] as const;

/** The command that checks a downloaded export offline. */
export const verifyCommand = (file: string) => `npm run audit:verify -- --public-key audit-public-key.pem ${file}`;

/** Splits a verification over [from, to] into stretches, so that the page can show progress. */
export function stretches(from: number, to: number, size: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let a = from; a <= to; a += size) out.push({ from: a, to: Math.min(to, a + size - 1) });
  return out;
}
