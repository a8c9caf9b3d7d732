/**
 * Preference pairs from what reviewers and users said, one rule per source. Each rule takes what
 * the api read for one review item (or one prompt's replies) and returns the pairs it yields;
 * none of them decides for an erased person (the api leaves their data out before calling).
 */
import { rankedPairs, type Ballot } from './consensus.js';
import type { PreferencePair, Turn } from './types.js';

export interface Reply {
  id: string;
  text: string;
  /** The model version that wrote it. */
  model: string | null;
}

export interface Comparison {
  reviewer: string;
  /** The better reply of the two (`A` is `replies[0]`), or a tie. */
  choice: 'A' | 'B' | 'TIE';
  /** How much better, 1 (slightly) to 3 (much). Ignored for a tie. */
  strength: number;
}

interface Context {
  prompt: Turn[];
  language: string;
}

const pair = (ctx: Context, chosen: Reply, rejected: Reply, source: PreferencePair['source'], margin: number, agreement: number | null): PreferencePair => ({
  prompt: ctx.prompt,
  chosen: chosen.text,
  rejected: rejected.text,
  source,
  margin,
  agreement,
  chosenModel: chosen.model,
  rejectedModel: rejected.model,
  language: ctx.language,
});

/**
 * Pairwise comparisons of two replies: each review votes its strength for its choice; the side
 * with more wins, by a margin of the net strength per review. Ties — a tie vote does not count
 * for either side, and equal totals — yield no pair. Agreement: the share of reviews that chose
 * the winner.
 */
export function fromComparisons(ctx: Context, replies: readonly [Reply, Reply], reviews: readonly Comparison[]): PreferencePair[] {
  if (reviews.length === 0) return [];
  let net = 0;
  for (const r of reviews) {
    if (r.choice === 'TIE') continue;
    if (!(r.strength >= 1 && r.strength <= 3)) throw new RangeError(`strength must be 1 to 3, not ${r.strength}`);
    net += r.choice === 'A' ? r.strength : -r.strength;
  }
  if (net === 0) return [];
  const winner = net > 0 ? 'A' : 'B';
  const agreeing = reviews.filter((r) => r.choice === winner).length;
  const [a, b] = replies;
  return [pair(ctx, winner === 'A' ? a : b, winner === 'A' ? b : a, 'comparison', Math.abs(net) / reviews.length, agreeing / reviews.length)];
}

/**
 * Rankings of N replies by several reviewers: merged by ranked pairs (`rankedPairs`); every
 * majority taken is a pair, its margin the net share of rankings for it, its agreement the share
 * of the rankings comparing the two that agree.
 */
export function fromRankings(ctx: Context, replies: readonly Reply[], rankings: readonly Ballot[]): PreferencePair[] {
  const byId = new Map(replies.map((r) => [r.id, r]));
  for (const b of rankings) for (const id of b.ranking) if (!byId.has(id)) throw new RangeError(`a ranking names an unknown reply: ${id}`);
  return rankedPairs(rankings).pairs.map((p) => pair(ctx, byId.get(p.winner)!, byId.get(p.loser)!, 'ranking', p.margin / p.compared, p.support / p.compared));
}

/**
 * A reviewer's correction of a reply: the corrected text over the original (margin 1). An edit
 * that changes nothing but white space yields no pair.
 */
export function fromCorrection(ctx: Context, original: Reply, corrected: string): PreferencePair[] {
  if (corrected.trim().replace(/\s+/g, ' ') === original.text.trim().replace(/\s+/g, ' ')) return [];
  return [pair(ctx, { id: `${original.id}:corrected`, text: corrected, model: null }, original, 'correction', 1, null)];
}

export interface RatedReply extends Reply {
  /** The mean of its ratings on a 1-5 scale (a thumb up counts 5, down 1). */
  score: number;
  ratings: number;
}

/**
 * Ratings of replies to the same prompt: every two replies with different scores give a pair,
 * the higher over the lower, by the score difference. Replies without ratings take no part.
 */
export function fromRatings(ctx: Context, replies: readonly RatedReply[]): PreferencePair[] {
  const rated = replies.filter((r) => r.ratings > 0);
  const out: PreferencePair[] = [];
  for (let i = 0; i < rated.length; i++) {
    for (let j = i + 1; j < rated.length; j++) {
      const [x, y] = [rated[i]!, rated[j]!];
      if (x.score === y.score) continue;
      const [hi, lo] = x.score > y.score ? [x, y] : [y, x];
      out.push(pair(ctx, hi, lo, 'rating', hi.score - lo.score, null));
    }
  }
  return out;
}
