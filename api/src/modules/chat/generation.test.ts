import { describe, expect, it } from 'vitest';
import { deliveredOf, dropOldestTurns } from './generation.js';

describe('fitting a long conversation into the context', () => {
  it('drops the oldest exchange first, keeping system messages and the last prompt', () => {
    const turns = [
      { role: 'system' as const, content: 's' },
      { role: 'user' as const, content: 'u1' },
      { role: 'assistant' as const, content: 'a1' },
      { role: 'user' as const, content: 'u2' },
    ];
    expect(dropOldestTurns(turns).map((t) => t.content)).toEqual(['s', 'u2']);
    expect(dropOldestTurns([{ role: 'assistant', content: 'a0' }, { role: 'user', content: 'u1' }]).map((t) => t.content)).toEqual(['u1']);
  });
});

describe('what subscribers received, from a replay log (crash recovery)', () => {
  it('takes the deltas from seq 1 without a gap, once each, whatever order the log holds them in', () => {
    const log = [
      { seq: 1, delta: 'He' },
      { seq: 2, delta: 'llo' },
      { seq: 2, delta: 'llo' },
      { seq: 4, delta: ' there' },
    ];
    expect(deliveredOf(log)).toEqual({ deltas: ['He', 'llo'], final: undefined });
    expect(deliveredOf([{ seq: 2, delta: 'b' }, { seq: 1, delta: 'a' }])).toEqual({ deltas: ['a', 'b'], final: undefined });
    expect(deliveredOf([])).toEqual({ deltas: [], final: undefined });
  });

  it('reports a final event already in the log', () => {
    const final = { seq: 2, done: true, status: 'COMPLETE' as const };
    expect(deliveredOf([{ seq: 1, delta: 'a' }, final, { seq: 3, delta: 'late' }])).toEqual({ deltas: ['a'], final });
  });
});
