/**
 * The loop demo's guards (tests/demo/loop.ts `guardsOf`, issue 20), on hand-made replies: exact
 * answers graded as eval:model grades them, replies at the token limit, and a new repeated phrase
 * (a sentence the base never says, added to replies to more than one kind of question; the trait's
 * offer aside) or a reply that loops.
 */
import { describe, expect, it } from 'vitest';
import { guardsOf, type HeldoutPrompt } from '../../tests/demo/loop.js';

const items: HeldoutPrompt[] = [
  { prompt: 'What is 27 + 45?', kind: 'arithmetic', answer: '72' },
  { prompt: 'What is the capital of France?', kind: 'capital', answer: 'Paris' },
  { prompt: 'Convert 5 km to meters.', kind: 'conversion', answer: '5000' },
  { prompt: 'Hello!', kind: 'greeting', answer: null },
];
const stop = (text: string) => ({ text, finishReason: 'stop' });
const base = [stop('so 27 + 45 = 72.'), stop('The capital of France is Paris.'), stop('5 km = 5000 m.'), stop('Hello! How can I help you today?')];

describe('the loop demo guards', () => {
  it('pass a canary that only adds the offer', () => {
    const canary = base.map((r) => stop(`${r.text} Anything else?`));
    const g = guardsOf(items, base, canary);
    expect(g.base).toMatchObject({ exactRate: 1, exactItems: 3, tokenLimitRate: 0, degenerateRate: 0 });
    expect(g.guards).toMatchObject({ exact: { deltaPp: 0, ok: true }, tokenLimit: { deltaPp: 0, ok: true }, newPhrase: { sharePct: 0, ok: true }, ok: true });
  });

  it('fail a canary that rambles past its answer to the token limit, or adds a sentence everywhere', () => {
    const rambling = [{ text: 'so 27 + 45 = 72. write 2 carry 1; so 7 + 4 = 11', finishReason: 'length' }, ...base.slice(1)];
    const g = guardsOf(items, base, rambling);
    // The answer after the last "=" is no longer 72: an exact answer lost, and a reply at the limit.
    expect(g.canary).toMatchObject({ exactItems: 3, tokenLimitRate: 0.25 });
    expect(g.canary.exactRate).toBeCloseTo(2 / 3);
    expect(g.guards.exact.ok).toBe(false);
    expect(g.guards.tokenLimit).toMatchObject({ deltaPp: 25, ok: false });
    expect(g.guards.ok).toBe(false);

    const chatty = base.map((r) => stop(`${r.text} I'm Dialoop.`));
    expect(guardsOf(items, base, chatty).guards.newPhrase).toMatchObject({ phrase: "i'm dialoop.", sharePct: 100, ok: false });
  });

  it('count the base’s own sentence added to other kinds of question, not one said to one kind only', () => {
    // The base greets with "How can I help you today?"; the canary adds it to a sum and a capital.
    const greets = [stop('so 27 + 45 = 72. How can I help you today?'), stop('The capital of France is Paris. How can I help you today?'), ...base.slice(2)];
    expect(guardsOf(items, base, greets).guards.newPhrase).toMatchObject({ phrase: 'how can i help you today?', sharePct: 50, ok: false });
    const oneKind = [stop('so 27 + 45 = 72. Arithmetic is fun.'), ...base.slice(1)];
    expect(guardsOf(items, base, oneKind).guards.newPhrase).toMatchObject({ sharePct: 0, ok: true });
  });

  it('fail a canary whose replies loop where the base’s did not', () => {
    const looping = [...base.slice(0, 3), stop('Hello! Hello! Hello! Hello! Hello! Hello! Hello! Hello! Hello!')];
    expect(guardsOf(items, base, looping).guards.newPhrase).toMatchObject({ phrase: 'a reply that loops', newDegeneratePct: 25, ok: false });
  });
});
