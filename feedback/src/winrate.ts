/**
 * Head-to-head win rate of one model version against another from reviewers' pairwise choices,
 * with a confidence interval.
 *
 * A tie counts half a win (as Chatbot Arena's and AlpacaEval's win rates do). The interval is
 * Wilson's score interval for a binomial proportion (Wilson 1927), which keeps within [0, 1] and
 * stays honest for small samples and rates near 0 or 1, where the normal approximation does not;
 * with ties as half-wins the count of "successes" is wins + ties / 2 out of all judgments.
 */
export interface HeadToHead {
  wins: number;
  losses: number;
  ties: number;
}

export interface WinRate extends HeadToHead {
  /** Judgments: wins + losses + ties. */
  n: number;
  /** (wins + ties / 2) / n; null with no judgment. */
  rate: number | null;
  /** Wilson score interval at `confidence`; null with no judgment. */
  low: number | null;
  high: number | null;
  confidence: number;
}

/** The standard normal quantile for a two-sided interval (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be in (0, 1)');
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export function winRate(h: HeadToHead, confidence = 0.95): WinRate {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be in (0, 1)');
  for (const k of ['wins', 'losses', 'ties'] as const) {
    if (!Number.isInteger(h[k]) || h[k] < 0) throw new RangeError(`${k} must be a non-negative integer`);
  }
  const n = h.wins + h.losses + h.ties;
  if (n === 0) return { ...h, n, rate: null, low: null, high: null, confidence };
  const p = (h.wins + h.ties / 2) / n;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { ...h, n, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), confidence };
}
