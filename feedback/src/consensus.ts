/**
 * Merging reviewers' rankings of the replies to one prompt into one consensus order, by ranked
 * pairs (Tideman, 1987): count, for every two replies, how many reviewers put each above the
 * other; take the majorities from the largest margin down, skipping any that would contradict
 * those already taken (a cycle); the order is what the taken majorities say. Unlike a mean rank,
 * it never lets one reviewer's extreme ranking outvote a majority, and it is deterministic.
 *
 * The taken majorities are the preference pairs a ranking item yields: `winner` over `loser`,
 * with the margin and how many reviewers compared the two.
 */

export interface Ballot {
  /** Reply ids, best first; a reply left out is not compared with the others. */
  ranking: readonly string[];
  /** How much this ranking counts (1 by default). */
  weight?: number;
}

export interface LockedPair {
  winner: string;
  loser: string;
  /** Weight of rankings with the winner above, minus those with it below. */
  margin: number;
  /** Weight of rankings that put the winner above the loser. */
  support: number;
  /** Weight of rankings that compared the two. */
  compared: number;
}

export interface Consensus {
  /** Every reply that appears in a ranking, best first. */
  order: string[];
  /** The majorities taken, largest margin first. */
  pairs: LockedPair[];
}

export function rankedPairs(ballots: readonly Ballot[]): Consensus {
  const ids = [...new Set(ballots.flatMap((b) => b.ranking))].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const n = ids.length;
  // above[i * n + j]: weight of rankings putting i above j.
  const above = new Float64Array(n * n);
  for (const b of ballots) {
    const w = b.weight ?? 1;
    if (!(w > 0)) throw new RangeError('a ballot weight must be positive');
    if (new Set(b.ranking).size !== b.ranking.length) throw new RangeError('a ranking names a reply twice');
    const r = b.ranking.map((id) => index.get(id)!);
    for (let x = 0; x < r.length; x++) for (let y = x + 1; y < r.length; y++) above[r[x]! * n + r[y]!]! += w;
  }
  const majorities: LockedPair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const ij = above[i * n + j]!;
      const ji = above[j * n + i]!;
      if (ij > ji) majorities.push({ winner: ids[i]!, loser: ids[j]!, margin: ij - ji, support: ij, compared: ij + ji });
    }
  }
  // Largest margin first; then more support; then by ids, so equal inputs give equal outputs.
  majorities.sort((a, b) => b.margin - a.margin || b.support - a.support || a.winner.localeCompare(b.winner) || a.loser.localeCompare(b.loser));
  const beats = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x === to) return true;
      if (seen.has(x)) continue;
      seen.add(x);
      stack.push(...beats.get(x)!);
    }
    return false;
  };
  const pairs: LockedPair[] = [];
  for (const m of majorities) {
    // Taking winner → loser closes a cycle when the loser already (transitively) beats the winner.
    if (reaches(m.loser, m.winner)) continue;
    beats.get(m.winner)!.add(m.loser);
    pairs.push(m);
  }
  // Best first: repeatedly take the replies no remaining one beats (ties by id).
  const order: string[] = [];
  const left = new Set(ids);
  while (left.size > 0) {
    const top = [...left].filter((x) => ![...left].some((y) => y !== x && beats.get(y)!.has(x)));
    for (const x of top) left.delete(x);
    order.push(...top);
  }
  return { order, pairs };
}
