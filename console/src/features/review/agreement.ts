/** The agreement page's arithmetic: periods, filters, and how to read alpha and kappa. */
import type { ReviewItemFilter, ReviewKind } from '@/gql/graphql';

export type Preset = '7' | '30' | '90' | 'all';

/** A period as the date inputs hold it: local dates, `YYYY-MM-DD`, empty for open-ended. */
export interface Period {
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
export const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** The last N days up to today (today included), or everything. */
export function presetRange(preset: Preset, now: Date): Period {
  if (preset === 'all') return { from: '', to: '' };
  const from = new Date(now);
  from.setDate(from.getDate() - Number(preset) + 1);
  return { from: localDate(from), to: localDate(now) };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The api's filter: from the start of the first day to the end of the last, in the reviewer's time zone. */
export function periodFilter(period: Period, kind: ReviewKind | null): ReviewItemFilter {
  return {
    from: DATE.test(period.from) ? new Date(`${period.from}T00:00:00`).toISOString() : null,
    to: DATE.test(period.to) ? new Date(`${period.to}T23:59:59.999`).toISOString() : null,
    kind,
  };
}

export type AlphaBand = 'reliable' | 'tentative' | 'unreliable' | 'none';

/** Krippendorff's own guide: α ≥ 0.800 reliable, 0.667 ≤ α < 0.800 for tentative conclusions only. */
export function alphaBand(alpha: number | null): AlphaBand {
  if (alpha === null || Number.isNaN(alpha)) return 'none';
  if (alpha >= 0.8) return 'reliable';
  if (alpha >= 0.667) return 'tentative';
  return 'unreliable';
}

/** Landis & Koch's reading of kappa, with the colours of the heat map (light to dark as agreement grows). */
export const KAPPA_BANDS = {
  poor: { bg: 'red.2', fg: 'dark.9', range: '< 0' },
  slight: { bg: 'orange.1', fg: 'dark.9', range: '0–0.20' },
  fair: { bg: 'yellow.2', fg: 'dark.9', range: '0.21–0.40' },
  moderate: { bg: 'lime.2', fg: 'dark.9', range: '0.41–0.60' },
  substantial: { bg: 'green.4', fg: 'dark.9', range: '0.61–0.80' },
  almostPerfect: { bg: 'teal.9', fg: 'white', range: '0.81–1' },
  none: { bg: 'gray.0', fg: 'dark.7', range: '' },
} as const;

export type KappaBand = keyof typeof KAPPA_BANDS;

export function kappaBand(kappa: number | null): KappaBand {
  if (kappa === null || Number.isNaN(kappa)) return 'none';
  if (kappa < 0) return 'poor';
  if (kappa <= 0.2) return 'slight';
  if (kappa <= 0.4) return 'fair';
  if (kappa <= 0.6) return 'moderate';
  if (kappa <= 0.8) return 'substantial';
  return 'almostPerfect';
}

/** `u_` and 24 hex digits is long for a column head: its first 8 digits tell reviewers apart (the whole one is in the title). */
export function shortPseudonym(p: string): string {
  const m = /^(u_[0-9a-f]{8})[0-9a-f]+$/i.exec(p);
  if (m) return m[1]!;
  return p.length > 12 ? `${p.slice(0, 11)}…` : p;
}
