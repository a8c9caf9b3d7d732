/**
 * The review being written, kept in localStorage under one key per item, so that a reload, a
 * crash or signing in again brings it back. Drafts are labels, never secrets (no token is stored
 * here). A draft is removed only once the review it holds is in.
 */
import { useCallback, useEffect, useState } from 'react';
import type { PairwiseChoice, ReviewItemFieldsFragment } from '@/gql/graphql';

export type Item = ReviewItemFieldsFragment;
export type Strength = 1 | 2 | 3;

export interface Draft {
  choice: PairwiseChoice | null;
  strength: Strength | null;
  /** Candidate ids, best first. */
  ranking: string[] | null;
  /** The candidate scored (RUBRIC) or corrected (CORRECTION). */
  candidateId: string | null;
  /** RUBRIC: candidate id → criterion id → score. */
  scores: Record<string, Record<string, number>>;
  /** RUBRIC: candidates whose scores are already in (one submit per candidate). */
  scored: string[];
  /** CORRECTION: candidate id → corrected text. */
  texts: Record<string, string>;
  tags: string[];
  comment: string;
}

/** Labelling and adjudicating keep separate drafts of the same item. */
export type DraftScope = 'label' | 'adjudication';

const PREFIX: Record<DraftScope, string> = { label: 'dialoop.review.draft.', adjudication: 'dialoop.review.adjudication.' };

/** `dialoop.review.draft.<itemId>` (labelling) or `dialoop.review.adjudication.<itemId>`. */
export const draftKey = (itemId: string, scope: DraftScope = 'label') => `${PREFIX[scope]}${itemId}`;

export function emptyDraft(item: Pick<Item, 'kind' | 'candidates'>): Draft {
  return {
    choice: null,
    strength: null,
    ranking: item.kind === 'RANKING' ? item.candidates.map((c) => c.id) : null,
    candidateId: item.candidates[0]?.id ?? null,
    scores: {},
    scored: [],
    texts: {},
    tags: [],
    comment: '',
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A stored draft made to fit the item as it is now (unknown candidates dropped, a ranking completed). */
export function reconcile(item: Pick<Item, 'kind' | 'candidates' | 'rubric'>, raw: unknown): Draft {
  const base = emptyDraft(item);
  if (!isObj(raw)) return base;
  const ids = new Set(item.candidates.map((c) => c.id));
  const choice = raw.choice === 'A' || raw.choice === 'B' || raw.choice === 'TIE' ? raw.choice : null;
  const strength = raw.strength === 1 || raw.strength === 2 || raw.strength === 3 ? raw.strength : null;
  let ranking = base.ranking;
  if (ranking && Array.isArray(raw.ranking)) {
    const kept = strings(raw.ranking).filter((id, i, all) => ids.has(id) && all.indexOf(id) === i);
    ranking = [...kept, ...ranking.filter((id) => !kept.includes(id))];
  }
  const scores: Draft['scores'] = {};
  if (isObj(raw.scores)) {
    for (const [cid, byCriterion] of Object.entries(raw.scores)) {
      if (!ids.has(cid) || !isObj(byCriterion)) continue;
      const kept: Record<string, number> = {};
      for (const c of item.rubric) {
        const v = byCriterion[c.id];
        if (typeof v === 'number' && Number.isInteger(v) && v >= c.min && v <= c.max) kept[c.id] = v;
      }
      scores[cid] = kept;
    }
  }
  const texts: Draft['texts'] = {};
  if (isObj(raw.texts)) for (const [cid, text] of Object.entries(raw.texts)) if (ids.has(cid) && typeof text === 'string') texts[cid] = text;
  return {
    choice,
    strength,
    ranking,
    candidateId: typeof raw.candidateId === 'string' && ids.has(raw.candidateId) ? raw.candidateId : base.candidateId,
    scores,
    scored: strings(raw.scored).filter((id) => ids.has(id)),
    texts,
    tags: strings(raw.tags).slice(0, 10),
    comment: typeof raw.comment === 'string' ? raw.comment : '',
  };
}

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

export function loadDraft(item: Item, scope: DraftScope = 'label'): Draft | null {
  const raw = storage()?.getItem(draftKey(item.id, scope));
  if (!raw) return null;
  try {
    return reconcile(item, JSON.parse(raw));
  } catch {
    return null;
  }
}

export function saveDraft(itemId: string, draft: Draft, scope: DraftScope = 'label') {
  try {
    storage()?.setItem(draftKey(itemId, scope), JSON.stringify(draft));
  } catch {
    // A full or disabled storage only costs the crash protection, never the review itself.
  }
}

export function removeDraft(itemId: string, scope: DraftScope = 'label') {
  storage()?.removeItem(draftKey(itemId, scope));
}

/**
 * The draft of one item: restored from storage when the item is shown, written back on every
 * change. `restored` says the page opened on a draft that was kept.
 */
export function useDraft(item: Item | null, scope: DraftScope = 'label') {
  const [state, setState] = useState<{ itemId: string | null; draft: Draft | null; restored: boolean }>({ itemId: null, draft: null, restored: false });
  const itemId = item?.id ?? null;
  if (state.itemId !== itemId) {
    // Adjusting state to a new item while rendering (React's pattern for derived state).
    const stored = item ? loadDraft(item, scope) : null;
    setState({ itemId, draft: item ? (stored ?? emptyDraft(item)) : null, restored: Boolean(stored) });
  }
  const update = useCallback(
    (change: Partial<Draft> | ((d: Draft) => Partial<Draft>)) => {
      setState((s) => {
        if (!s.draft || !s.itemId) return s;
        const next = { ...s.draft, ...(typeof change === 'function' ? change(s.draft) : change) };
        saveDraft(s.itemId, next, scope);
        return { ...s, draft: next };
      });
    },
    [scope],
  );
  const discard = useCallback(() => {
    if (itemId) removeDraft(itemId, scope);
  }, [itemId, scope]);
  // Another tab writing the same item's draft (the same reviewer in two windows) is followed.
  useEffect(() => {
    if (!item) return;
    const onStorage = (e: StorageEvent) => {
      if (e.key !== draftKey(item.id, scope) || !e.newValue) return;
      try {
        const next = reconcile(item, JSON.parse(e.newValue));
        setState((s) => (s.itemId === item.id ? { ...s, draft: next } : s));
      } catch {
        /* not a draft */
      }
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [item, scope]);
  const current = state.itemId === itemId ? state.draft : null;
  return { draft: current, restored: state.itemId === itemId && state.restored, update, discard };
}
