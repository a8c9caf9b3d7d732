import { describe, expect, it } from 'vitest';
import { alphaBand, kappaBand, periodFilter, presetRange, shortPseudonym } from './agreement';

describe('agreement', () => {
  it('reads alpha as Krippendorff does and kappa as Landis and Koch', () => {
    expect([0.85, 0.7, 0.3, null].map(alphaBand)).toEqual(['reliable', 'tentative', 'unreliable', 'none']);
    expect([-0.2, 0.1, 0.3, 0.5, 0.7, 0.9, null].map(kappaBand)).toEqual(['poor', 'slight', 'fair', 'moderate', 'substantial', 'almostPerfect', 'none']);
  });

  it('a preset is the last N days, today included; "all" has no bounds', () => {
    expect(presetRange('7', new Date(2026, 2, 10, 15))).toEqual({ from: '2026-03-04', to: '2026-03-10' });
    expect(presetRange('all', new Date())).toEqual({ from: '', to: '' });
  });

  it('the filter runs from the first day’s start to the last day’s end, in local time', () => {
    const f = periodFilter({ from: '2026-03-04', to: '2026-03-10' }, 'PAIRWISE');
    expect(new Date(f.from!).getTime()).toBe(new Date(2026, 2, 4).getTime());
    expect(new Date(f.to!).getTime()).toBe(new Date(2026, 2, 10, 23, 59, 59, 999).getTime());
    expect(f.kind).toBe('PAIRWISE');
    expect(periodFilter({ from: '', to: 'nonsense' }, null)).toEqual({ from: null, to: null, kind: null });
  });

  it('shortens pseudonyms for column heads', () => {
    expect(shortPseudonym('u_2e72f15ad2c1f75e7cf205c2')).toBe('u_2e72f15a');
    expect(shortPseudonym('admin')).toBe('admin');
  });
});
