/**
 * The feedback loop's guards: side effects a new model version must not have, measured on its
 * replies and its parent's to the same prompts (issue 20). Used by `pnpm demo:loop` (held-out
 * prompts through the platform) and by the api when a training run's model is registered (the
 * replies the training job wrote to OUT/guards.json).
 *
 * - exact answers: the share of prompts with one exact answer answered exactly may drop by at most 2 points;
 * - the token limit: the share of replies stopped by it (finish reason `length`) may rise by at most 1 point;
 * - a new repeated phrase: no sentence the parent never says to that kind of question may appear in
 *   more than 2 % of the new version's replies across more than one kind of question, and no more
 *   than 2 % of its replies may loop (`repeatedPhrase`) where the parent's did not.
 */
import { repeatedPhrase } from './candidate-check.js';
import { normalizeText } from './dataset.js';

export interface GuardReply {
  text: string;
  finishReason: string | null;
  /** Whether the reply gives the prompt's exact answer; null when the prompt has none. */
  exact: boolean | null;
}

/** One version's replies, measured. */
export interface GuardMeasures {
  /** Share of the prompts with one exact answer (arithmetic, capitals, conversions) answered exactly. */
  exactRate: number;
  exactItems: number;
  /** Share of replies stopped by the token limit (finish reason length). */
  tokenLimitRate: number;
  /** Share of replies that loop on a phrase (repeatedPhrase). */
  degenerateRate: number;
}

export interface Guards {
  exact: { deltaPp: number; limitPp: -2; ok: boolean };
  tokenLimit: { deltaPp: number; limitPp: 1; ok: boolean };
  newPhrase: { phrase: string | null; sharePct: number; newDegeneratePct: number; limitPct: 2; ok: boolean };
  ok: boolean;
}

/** Sentences of a reply, normalised as the dataset's dedup does, for counting across replies. */
export const sentencesOf = (text: string) =>
  text
    .split(/(?<=[.!?。！？])\s*/u)
    .map(normalizeText)
    .filter((x) => /[\p{L}\p{N}]/u.test(x));

/**
 * The guards from both versions' replies to the same prompts (`prompts[i].kind` groups them by kind
 * of question). `ignore`: sentences that are not a side effect (the trait a run was meant to add).
 */
export function guardsOf(
  prompts: readonly { kind: string }[],
  base: readonly GuardReply[],
  model: readonly GuardReply[],
  opts: { ignore?: readonly string[] } = {},
): { base: GuardMeasures; model: GuardMeasures; guards: Guards } {
  const n = Math.max(1, prompts.length);
  const baseLoops = base.map((r) => repeatedPhrase(r.text) !== null);
  const modelLoops = model.map((r) => repeatedPhrase(r.text) !== null);
  const measures = (rs: readonly GuardReply[], loops: boolean[]): GuardMeasures => {
    const graded = rs.map((r) => r.exact).filter((x): x is boolean => x !== null);
    return {
      exactRate: graded.length ? graded.filter(Boolean).length / graded.length : 0,
      exactItems: graded.length,
      tokenLimitRate: rs.filter((r) => r.finishReason === 'length').length / n,
      degenerateRate: loops.filter(Boolean).length / n,
    };
  };
  const b = measures(base, baseLoops);
  const m = measures(model, modelLoops);
  // A sentence the new version adds: one the parent never says to that kind of question (ignored
  // sentences aside), counted over the new version's replies, and only when it comes up for more
  // than one kind of question — a sentence said only to weekday questions is an answer, not an
  // unrelated sentence; the parent's greeting added to sums is one.
  const ignored = new Set((opts.ignore ?? []).map(normalizeText));
  const baseSays = new Set(base.flatMap((r, i) => sentencesOf(r.text).map((x) => `${prompts[i]!.kind}\u0000${x}`)));
  const added = new Map<string, { replies: number; kinds: Set<string> }>();
  model.forEach((r, i) => {
    const kind = prompts[i]!.kind;
    for (const x of new Set(sentencesOf(r.text))) {
      if (ignored.has(x) || baseSays.has(`${kind}\u0000${x}`)) continue;
      const a = added.get(x) ?? { replies: 0, kinds: new Set<string>() };
      a.replies++;
      a.kinds.add(kind);
      added.set(x, a);
    }
  });
  let phrase: string | null = null;
  let extra = 0;
  for (const [x, a] of added) if (a.kinds.size > 1 && a.replies > extra) [phrase, extra] = [x, a.replies];
  const newDegenerate = modelLoops.filter((loops, i) => loops && !baseLoops[i]).length;
  const sharePct = (100 * extra) / n;
  const newDegeneratePct = (100 * newDegenerate) / n;
  const exactDelta = 100 * (m.exactRate - b.exactRate);
  const limitDelta = 100 * (m.tokenLimitRate - b.tokenLimitRate);
  const guards: Guards = {
    exact: { deltaPp: exactDelta, limitPp: -2, ok: exactDelta >= -2 },
    tokenLimit: { deltaPp: limitDelta, limitPp: 1, ok: limitDelta <= 1 },
    newPhrase: { phrase: sharePct >= newDegeneratePct ? phrase : 'a reply that loops', sharePct: Math.max(sharePct, newDegeneratePct), newDegeneratePct, limitPct: 2, ok: sharePct <= 2 && newDegeneratePct <= 2 },
    ok: false,
  };
  guards.ok = guards.exact.ok && guards.tokenLimit.ok && guards.newPhrase.ok;
  return { base: b, model: m, guards };
}
