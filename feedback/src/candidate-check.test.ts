import { describe, expect, it } from 'vitest';
import { checkCandidate, repeatedPhrase, unitsOf } from './candidate-check.js';

describe('checkCandidate', () => {
  it('passes ordinary replies in both languages, worked arithmetic and lists included', () => {
    for (const ok of [
      'The capital of France is Paris.',
      '27 + 45: ones 7 + 5 = 12, write 2 carry 1; tens 2 + 4 + 1 = 7; so 27 + 45 = 72.',
      '5 km = 5 × 1000 m = 5000 m.',
      '法国的首都是巴黎。',
      '你好！我是 Dialoop 的助手，可以回答问题、换算单位和做简单的计算。',
      '- Monday\n- Tuesday\n- Wednesday',
      'Hi!',
      '"Quoted" replies are fine.',
      '**Paris** is the capital of France.',
      '* Monday\n* Tuesday',
      '| a | b |\n|---|---|\n| 1 | 2 |',
      '> quoted',
      '.NET is a platform.',
      '...well, maybe.',
      '+1 for that.',
      '5公里等于5000米。',
    ]) {
      expect(checkCandidate(ok, { finishReason: 'stop' }), ok).toBeNull();
    }
  });

  it('names what makes a reply unfit', () => {
    expect(checkCandidate('   ', { finishReason: 'stop' })?.problem).toBe('empty');
    expect(checkCandidate('The capital of France is', { finishReason: 'length' })).toEqual({ problem: 'unfinished', detail: 'finish reason length' });
    expect(checkCandidate('Hello', { finishReason: null })?.problem).toBe('unfinished');
    // The fragment the issue quotes: the tail of a sentence, cut loose.
    expect(checkCandidate(' = 7ominutes.', { finishReason: 'stop' })).toEqual({ problem: 'fragment', detail: 'starts with "="' });
    expect(checkCandidate('，然后是', { finishReason: 'stop' })?.problem).toBe('fragment');
    expect(checkCandidate('?!...', { finishReason: 'stop' })).toEqual({ problem: 'fragment', detail: 'no word in it' });
    // Sampled at temperature 1 from the default model: a control byte before the words.
    expect(checkCandidate('\u000e0 meters = 3000 centimeters.', { finishReason: 'stop' })).toEqual({ problem: 'fragment', detail: 'holds the control character U+000E' });
    expect(checkCandidate('Line one.\nLine two.\tTabbed.', { finishReason: 'stop' })).toBeNull();
    expect(checkCandidate('I can help. I can help. I can help. I can help.', { finishReason: 'stop' })).toEqual({ problem: 'repetitive', detail: 'repeats "I can help."' });
    expect(checkCandidate('好的好的好的好的好的好的', { finishReason: 'stop' })?.problem).toBe('repetitive');
    // Chinese after digits is still one unit per character: a looping conversion is caught.
    expect(checkCandidate('3公斤等于3000克。'.repeat(4), { finishReason: 'stop' })?.problem).toBe('repetitive');
    expect(checkCandidate('The  capital of France is Paris.', { finishReason: 'stop', others: ['The capital of France is Paris. '] })?.problem).toBe('duplicate');
  });

  it('without a finish reason, judges the text alone', () => {
    expect(checkCandidate('The capital of France is Paris.')).toBeNull();
  });
});

describe('repeatedPhrase', () => {
  it('finds loops and monotony, not shared shapes', () => {
    expect(repeatedPhrase('so so so so so so so so so so')).toBe('so');
    expect(repeatedPhrase('Paris is big. Paris is big. Paris is big.')).toBe('Paris is big.');
    expect(repeatedPhrase('yes no yes no yes no yes no yes no yes no yes no yes no yes no yes no yes no yes no')).not.toBeNull();
    expect(repeatedPhrase('3 × 4 = 12, 3 × 5 = 15, 3 × 6 = 18, 3 × 7 = 21.')).toBeNull();
    expect(repeatedPhrase('!!!!!!!!!!')).toBeNull(); // punctuation alone is not a phrase
  });

  it('counts a Han character as a unit', () => {
    expect(unitsOf('巴黎 is 法国')).toEqual(['巴', '黎', 'is', '法', '国']);
    expect(unitsOf('5公里等于5000米')).toEqual(['5', '公', '里', '等', '于', '5000', '米']);
    expect(unitsOf('我是Dialoop的助手')).toEqual(['我', '是', 'Dialoop', '的', '助', '手']);
  });
});
