import type { PrismaClient, SafetyDirection, SafetyLevel } from '@dialoop/db';
import { badInput } from '../../errors.js';

const DAY_MS = 86_400_000;
/** The default range: the last 30 days. */
export const STATS_DEFAULT_DAYS = 30;
/** The longest range: a year and a leap day. */
export const STATS_MAX_DAYS = 366;

export interface LevelCounts {
  review: number;
  mask: number;
  block: number;
  total: number;
}

export interface DayStats {
  day: string;
  input: LevelCounts;
  output: LevelCounts;
  all: LevelCounts;
}

export interface SafetyStatsResult {
  from: Date;
  to: Date;
  days: DayStats[];
  input: LevelCounts;
  output: LevelCounts;
  all: LevelCounts;
}

const zero = (): LevelCounts => ({ review: 0, mask: 0, block: 0, total: 0 });
const FIELD: Record<SafetyLevel, 'review' | 'mask' | 'block'> = { REVIEW: 'review', MASK: 'mask', BLOCK: 'block' };

/** The range asked for, checked: `to` defaults to now, `from` to 30 days before `to`; from < to, at most 366 days. */
export function statsRange(from: Date | undefined, to: Date | undefined, now = new Date()): { from: Date; to: Date } {
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - STATS_DEFAULT_DAYS * DAY_MS);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw badInput('from and to must be valid dates', { field: Number.isNaN(start.getTime()) ? 'from' : 'to' });
  if (start.getTime() >= end.getTime()) throw badInput('from must be before to', { field: 'from' });
  if (end.getTime() - start.getTime() > STATS_MAX_DAYS * DAY_MS) throw badInput(`The range may span at most ${STATS_MAX_DAYS} days`, { field: 'from', maxDays: STATS_MAX_DAYS });
  return { from: start, to: end };
}

/**
 * Safety events in [from, to), counted per UTC day, direction and level by PostgreSQL (one
 * grouped scan over the index on `at`), with every day of the range listed, zeros included.
 */
export async function safetyStats(db: PrismaClient, range: { from: Date; to: Date }): Promise<SafetyStatsResult> {
  const rows = await db.$queryRaw<{ day: string; direction: SafetyDirection; level: SafetyLevel; hits: number }[]>`
    SELECT to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, e.direction::text AS direction, e.level::text AS level, count(*)::int AS hits
    FROM "SafetyEvent" e
    WHERE e.at >= ${range.from} AND e.at < ${range.to}
    GROUP BY 1, 2, 3`;
  const days = new Map<string, DayStats>();
  const first = Math.floor(range.from.getTime() / DAY_MS);
  const last = Math.floor((range.to.getTime() - 1) / DAY_MS);
  for (let d = first; d <= last; d++) {
    const day = new Date(d * DAY_MS).toISOString().slice(0, 10);
    days.set(day, { day, input: zero(), output: zero(), all: zero() });
  }
  const totals = { input: zero(), output: zero(), all: zero() };
  for (const r of rows) {
    const day = days.get(r.day);
    const field = FIELD[r.level];
    for (const c of [...(day ? [day.all, r.direction === 'INPUT' ? day.input : day.output] : []), totals.all, r.direction === 'INPUT' ? totals.input : totals.output]) {
      c[field] += r.hits;
      c.total += r.hits;
    }
  }
  return { ...range, days: [...days.values()], ...totals };
}
