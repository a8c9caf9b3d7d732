/**
 * Inter-annotator agreement statistics for human-feedback review: Cohen's kappa (plain and
 * weighted) for two reviewers, Krippendorff's alpha for any number of reviewers with missing
 * labels, and a per-reviewer summary. Pure functions, no dependencies.
 *
 * Labels are compared as JavaScript `Map` keys (SameValueZero): `1` and `'1'` are different
 * labels.
 */

/** A label a reviewer can give: a category name or a score. */
export type Label = string | number;

/** How far apart two values are, for {@link krippendorffAlpha}. */
export type MeasurementLevel = 'nominal' | 'ordinal' | 'interval';

/** Disagreement weights for {@link weightedCohenKappa}. */
export type KappaWeights = 'linear' | 'quadratic';

/** Occurrences of each label, in first-seen order. */
function countLabels<L extends Label>(labels: readonly L[]): Map<L, number> {
  const counts = new Map<L, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

function checkPaired(a: readonly unknown[], b: readonly unknown[]): void {
  if (a.length !== b.length) throw new RangeError(`label arrays differ in length (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new RangeError('no items to compare');
}

/**
 * Cohen's kappa for two reviewers who labelled the same items with nominal categories
 * (`a[i]` and `b[i]` are the two labels of item i).
 *
 * With n items, p_o the share of items both reviewers labelled alike and n_a(c), n_b(c) how
 * often each reviewer used category c:
 *
 *     p_e = Σ_c n_a(c)·n_b(c) / n²          (agreement expected by chance)
 *     κ   = (p_o − p_e) / (1 − p_e)
 *
 * κ = 1 is perfect agreement, 0 agreement at chance level, negative systematic disagreement
 * (−1 at the least, e.g. two balanced reviewers who always disagree).
 *
 * Degenerate case: when p_e = 1 (both reviewers gave every item one and the same label) κ is
 * 0/0; this returns 1 if p_o = 1 (perfect agreement), else 0. (With exact arithmetic p_e = 1
 * forces p_o = 1; the counts are integers here, so the 1 is what is returned in practice.)
 *
 * @throws RangeError when the arrays differ in length or are empty.
 */
export function cohenKappa<L extends Label>(a: readonly L[], b: readonly L[]): number {
  checkPaired(a, b);
  const n = a.length;
  let agree = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) agree++;
  const countsB = countLabels(b);
  let chance = 0; // Σ_c n_a(c)·n_b(c), i.e. n²·p_e: kept in integers so p_e = 1 is exact
  for (const [label, na] of countLabels(a)) chance += na * (countsB.get(label) ?? 0);
  const total = n * n;
  if (chance === total) return agree === n ? 1 : 0;
  // (p_o − p_e) / (1 − p_e), multiplied through by n².
  return (n * agree - chance) / (total - chance);
}

/**
 * Weighted Cohen's kappa for ordinal scores (e.g. a 1–5 rubric): near misses count as partial
 * agreement. `categories` lists every possible score in order; with i, j the positions of two
 * scores in it, the disagreement weight is
 *
 *     w_ij = |i − j|        ('linear')
 *     w_ij = (i − j)²       ('quadratic')
 *
 * and with o_ij the number of items scored i by `a` and j by `b`, n_a(i), n_b(j) the marginals:
 *
 *     κ_w = 1 − n · Σ_ij w_ij·o_ij / Σ_ij w_ij·n_a(i)·n_b(j)
 *
 * (observed over chance-expected disagreement; the scale of the weights cancels, so dividing
 * them by (k − 1) or (k − 1)² as some texts do changes nothing). With two categories it equals
 * {@link cohenKappa}.
 *
 * Degenerate case, as in {@link cohenKappa}: when no disagreement is expected by chance (both
 * reviewers used one and the same score throughout) this returns 1 if there is no observed
 * disagreement either, else 0.
 *
 * @throws RangeError when the arrays differ in length or are empty, when `categories` is empty
 *   or has duplicates, or when a label is not one of `categories`.
 */
export function weightedCohenKappa<L extends Label>(
  a: readonly L[],
  b: readonly L[],
  categories: readonly L[],
  weights: KappaWeights,
): number {
  checkPaired(a, b);
  const rank = new Map<L, number>();
  categories.forEach((c, i) => rank.set(c, i));
  if (rank.size === 0) throw new RangeError('no categories given');
  if (rank.size !== categories.length) throw new RangeError('categories contain duplicates');
  const rankOf = (label: L): number => {
    const r = rank.get(label);
    if (r === undefined) throw new RangeError(`label ${String(label)} is not one of the categories`);
    return r;
  };
  const weight = (i: number, j: number): number => (weights === 'linear' ? Math.abs(i - j) : (i - j) ** 2);

  const k = categories.length;
  const marginA = new Array<number>(k).fill(0);
  const marginB = new Array<number>(k).fill(0);
  let observed = 0; // Σ w_ij·o_ij
  for (let t = 0; t < a.length; t++) {
    const i = rankOf(a[t] as L);
    const j = rankOf(b[t] as L);
    observed += weight(i, j);
    marginA[i]! += 1;
    marginB[j]! += 1;
  }
  let expected = 0; // Σ w_ij·n_a(i)·n_b(j)
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) expected += weight(i, j) * marginA[i]! * marginB[j]!;
  }
  if (expected === 0) return observed === 0 ? 1 : 0;
  return 1 - (a.length * observed) / expected;
}

/**
 * Krippendorff's alpha, in the coincidence-matrix formulation of Krippendorff (2011),
 * "Computing Krippendorff's Alpha-Reliability".
 *
 * `units[u][j]` is coder j's value for unit (item) u; `null` / `undefined` (or a short row)
 * means coder j did not label it. Only units with at least two values ("pairable" values)
 * count. For such a unit with m_u values, every ordered pair of values from different coders
 * adds 1/(m_u − 1) to the coincidence matrix:
 *
 *     o_ck = Σ_u (number of c–k pairs in u) / (m_u − 1)
 *     n_c  = Σ_k o_ck,   n = Σ_c n_c   (the number of pairable values)
 *
 *     α = 1 − D_o / D_e = 1 − (n − 1) · Σ_c Σ_k o_ck·δ²_ck / Σ_c Σ_k n_c·n_k·δ²_ck
 *
 * with the difference function δ² of the level of measurement:
 *
 * - `'nominal'`:  δ²_ck = 0 if c = k, else 1 (any labels);
 * - `'ordinal'`:  δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², g running over the values that
 *   occur, in numeric order between c and k inclusive (numbers only);
 * - `'interval'`: δ²_ck = (c − k)² (numbers only).
 *
 * α = 1 is perfect reliability, 0 agreement at chance level, below 0 systematic disagreement.
 *
 * Returns NaN, for "undefined", when there are fewer than 2 pairable values in total or when no
 * disagreement is possible (every pairable value is the same, so Σ n_c·n_k·δ²_ck = 0 and
 * α = 1 − 0/0).
 *
 * @throws TypeError when an `'ordinal'` or `'interval'` value is not a finite number.
 */
export function krippendorffAlpha<L extends Label>(
  units: readonly (readonly (L | null | undefined)[])[],
  level: MeasurementLevel,
): number {
  // Coincidences, keyed by value: o.get(c).get(k) = o_ck.
  const o = new Map<L, Map<L, number>>();
  const add = (c: L, k: L, amount: number): void => {
    let row = o.get(c);
    if (!row) o.set(c, (row = new Map()));
    row.set(k, (row.get(k) ?? 0) + amount);
  };
  for (const unit of units) {
    const values: L[] = [];
    for (const v of unit) if (v !== null && v !== undefined) values.push(v);
    const m = values.length;
    if (m < 2) continue;
    if (level !== 'nominal') {
      for (const v of values) {
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new TypeError(`${level} alpha needs finite numbers, got ${String(v)}`);
        }
      }
    }
    // Counting by value: n_uc·n_uk pairs for c ≠ k, n_uc·(n_uc − 1) for c = k.
    const counts = countLabels(values);
    for (const [c, nc] of counts) {
      for (const [k, nk] of counts) add(c, k, (c === k ? nc * (nc - 1) : nc * nk) / (m - 1));
    }
  }

  const marginals = new Map<L, number>();
  let n = 0;
  for (const [c, row] of o) {
    let nc = 0;
    for (const v of row.values()) nc += v;
    marginals.set(c, nc);
    n += nc;
  }
  if (n < 2) return NaN;

  const delta2 = differenceFunction(level, marginals);
  let observed = 0; // Σ o_ck·δ²_ck
  let expected = 0; // Σ n_c·n_k·δ²_ck
  for (const [c, nc] of marginals) {
    for (const [k, nk] of marginals) {
      if (c === k) continue; // δ²_cc = 0 at every level
      const d = delta2(c, k);
      observed += (o.get(c)?.get(k) ?? 0) * d;
      expected += nc * nk * d;
    }
  }
  if (expected === 0) return NaN;
  return 1 - ((n - 1) * observed) / expected;
}

/** δ²_ck for a level of measurement, given the marginals n_c of the values that occur. */
function differenceFunction<L extends Label>(
  level: MeasurementLevel,
  marginals: ReadonlyMap<L, number>,
): (c: L, k: L) => number {
  switch (level) {
    case 'nominal':
      return (c, k) => (c === k ? 0 : 1);
    case 'interval':
      return (c, k) => ((c as number) - (k as number)) ** 2;
    case 'ordinal': {
      // cum[i] = n_0 + … + n_i over the values in numeric order, so that
      // Σ_{g=c..k} n_g = cum[hi] − cum[lo] + n_lo for the ranks lo ≤ hi of c and k.
      const sorted = [...marginals.keys()].sort((x, y) => (x as number) - (y as number));
      const rank = new Map<L, number>();
      const cum: number[] = [];
      let running = 0;
      sorted.forEach((value, i) => {
        rank.set(value, i);
        running += marginals.get(value) ?? 0;
        cum.push(running);
      });
      return (c, k) => {
        const rc = rank.get(c) ?? 0;
        const rk = rank.get(k) ?? 0;
        const lo = Math.min(rc, rk);
        const hi = Math.max(rc, rk);
        const nc = marginals.get(c) ?? 0;
        const nk = marginals.get(k) ?? 0;
        const between = cum[hi]! - cum[lo]! + (marginals.get(sorted[lo]!) ?? 0);
        return (between - (nc + nk) / 2) ** 2;
      };
    }
  }
}

/** One reviewer's agreement with the others, from {@link reviewerAgreement}. */
export interface ReviewerAgreement {
  reviewer: string;
  /** Mean of the pairwise kappas with each other reviewer counted; null when none counted. */
  meanKappa: number | null;
  /** How many other reviewers were counted (shared at least 2 items with this one). */
  pairs: number;
  /** Distinct items of this reviewer that some counted other reviewer also labelled. */
  sharedItems: number;
}

/** Options for {@link reviewerAgreement}. */
export interface ReviewerAgreementOptions<L extends Label> {
  /** Use {@link weightedCohenKappa} over these ordered categories instead of plain kappa. */
  weighted?: { categories: readonly L[]; weights: KappaWeights };
}

/**
 * Per-reviewer agreement: for each reviewer R, the unweighted mean over every other reviewer S
 * of Cohen's kappa between R and S on the items both labelled,
 *
 *     meanKappa(R) = (1 / |P_R|) · Σ_{S ∈ P_R} κ(R, S)
 *
 * where P_R is the set of other reviewers sharing at least 2 items with R (pairs with fewer
 * shared items are skipped: one item says nothing about chance agreement). A low mean flags a
 * reviewer who disagrees with the rest; read it together with `pairs` and `sharedItems`.
 *
 * `labels` maps reviewer → (item → label). Results come in the map's order.
 *
 * @throws RangeError from {@link weightedCohenKappa} when a label is not one of the categories.
 */
export function reviewerAgreement<L extends Label>(
  labels: ReadonlyMap<string, ReadonlyMap<string, L>>,
  options: ReviewerAgreementOptions<L> = {},
): ReviewerAgreement[] {
  const { weighted } = options;
  const kappa = (a: readonly L[], b: readonly L[]): number =>
    weighted ? weightedCohenKappa(a, b, weighted.categories, weighted.weights) : cohenKappa(a, b);

  const results: ReviewerAgreement[] = [];
  for (const [reviewer, mine] of labels) {
    let sum = 0;
    let pairs = 0;
    const shared = new Set<string>();
    for (const [other, theirs] of labels) {
      if (other === reviewer) continue;
      const a: L[] = [];
      const b: L[] = [];
      const items: string[] = [];
      for (const [item, label] of mine) {
        const their = theirs.get(item);
        if (their === undefined) continue;
        a.push(label);
        b.push(their);
        items.push(item);
      }
      if (items.length < 2) continue;
      sum += kappa(a, b);
      pairs++;
      for (const item of items) shared.add(item);
    }
    results.push({ reviewer, meanKappa: pairs > 0 ? sum / pairs : null, pairs, sharedItems: shared.size });
  }
  return results;
}
