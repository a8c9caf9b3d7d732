import { describe, expect, it } from 'vitest';
import { EMPTY_VIEW, filterOf, paramsOf, stretches, viewFromParams } from './filters';

describe('the audit view in the URL', () => {
  it('round-trips a view and drops what is malformed', () => {
    const view = { ...EMPTY_VIEW, actor: 'u_abc', outcome: 'DENIED' as const, from: '2026-12-01', to: '2026-12-05', entry: 42 };
    expect(viewFromParams(paramsOf(view))).toEqual(view);
    expect(viewFromParams(new URLSearchParams('outcome=MAYBE&from=yesterday&entry=-3&action=login'))).toEqual({ ...EMPTY_VIEW, action: 'login' });
    expect(viewFromParams(new URLSearchParams(`to=2026-13-40&entry=1.5&actor=${'x'.repeat(201)}&subjectId=%20s1%20`))).toEqual({ ...EMPTY_VIEW, subjectId: 's1' });
  });

  it('gives the api whole UTC days and only the fields set', () => {
    expect(filterOf({ ...EMPTY_VIEW, outcome: 'FAILED', from: '2026-12-01', to: '2026-12-01' })).toEqual({
      outcome: 'FAILED',
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-01T23:59:59.999Z',
    });
    expect(filterOf(EMPTY_VIEW)).toEqual({});
  });

  it('splits a verification into stretches that cover the range once', () => {
    expect(stretches(1, 250, 100)).toEqual([
      { from: 1, to: 100 },
      { from: 101, to: 200 },
      { from: 201, to: 250 },
    ]);
    expect(stretches(5, 5, 100)).toEqual([{ from: 5, to: 5 }]);
  });
});
