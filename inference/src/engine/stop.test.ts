import { describe, expect, it } from 'vitest';
import { StopMatcher } from './stop.js';

function run(stops: string[], pieces: string[]) {
  const m = new StopMatcher(stops);
  let out = '';
  for (const p of pieces) {
    const r = m.push(p);
    out += r.release;
    if (r.stopped) return { out, stopped: true };
  }
  return { out: out + m.flush(), stopped: false };
}

describe('StopMatcher', () => {
  it('passes text straight through without stop sequences', () => {
    expect(run([], ['a', 'b'])).toEqual({ out: 'ab', stopped: false });
  });

  it('catches a stop sequence split across pieces and never releases any of it', () => {
    const m = new StopMatcher(['END']);
    expect(m.push('abcE')).toEqual({ release: 'abc', stopped: false });
    expect(m.push('N')).toEqual({ release: '', stopped: false });
    expect(m.push('Dxyz')).toEqual({ release: '', stopped: true });
  });

  it('releases held-back text once it can no longer start a stop sequence', () => {
    expect(run(['END'], ['xE', 'Nd', '!'])).toEqual({ out: 'xENd!', stopped: false });
  });

  it('stops at the earliest of several sequences', () => {
    expect(run(['cd', 'b'], ['abcd'])).toEqual({ out: 'a', stopped: true });
  });

  it('handles multi-byte characters in stop sequences', () => {
    expect(run(['。'], ['45', '。再'])).toEqual({ out: '45', stopped: true });
  });
});
