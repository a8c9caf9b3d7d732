import { describe, expect, it } from 'vitest';
import { extractAnswer, isExactAnswer } from './answers.js';

describe('held-out answers', () => {
  it('takes the number after the last "=" and the capital after "is"/"是"', () => {
    expect(extractAnswer('arithmetic', '27 + 45: ones 7 + 5 = 12, write 2 carry 1; tens 2 + 4 + 1 = 7; so 27 + 45 = 72.')).toBe('72');
    expect(extractAnswer('conversion', '5 km = 5000 m.')).toBe('5000');
    expect(extractAnswer('capital', 'The capital of France is Paris.')).toBe('Paris');
    expect(extractAnswer('capital', '法国的首都是巴黎。')).toBe('巴黎');
    expect(extractAnswer('arithmetic', 'I do not know.')).toBeNull();
  });

  it('grades only the kinds with one exact answer', () => {
    expect(isExactAnswer({ kind: 'arithmetic', answer: '72' }, 'so 27 + 45 = 72.')).toBe(true);
    expect(isExactAnswer({ kind: 'arithmetic', answer: '72' }, 'so 27 + 45 = 71.')).toBe(false);
    expect(isExactAnswer({ kind: 'greeting', answer: null }, 'Hello!')).toBeNull();
  });
});
