import { describe, expect, it } from 'vitest';
import { guardsOf } from './loop-guards.js';

const reply = (text: string, exact: boolean | null = null, finishReason = 'stop') => ({ text, finishReason, exact });

describe('guardsOf (a run’s replies against its parent’s, on the same prompts)', () => {
  const prompts = [{ kind: 'arithmetic' }, { kind: 'arithmetic' }, { kind: 'test' }, { kind: 'test' }];

  it('grades the precomputed exact answers and counts only prompts that have one', () => {
    const base = [reply('2 + 2 = 4.', true), reply('3 + 3 = 6.', true), reply('Hi.'), reply('Hello.')];
    const worse = [reply('2 + 2 = 4.', true), reply('3 + 3 = 7.', false), reply('Hi.'), reply('Hello.')];
    const g = guardsOf(prompts, base, worse);
    expect(g.base).toMatchObject({ exactRate: 1, exactItems: 2 });
    expect(g.model).toMatchObject({ exactRate: 0.5, exactItems: 2 });
    expect(g.guards.exact).toMatchObject({ deltaPp: -50, ok: false });
    expect(g.guards.ok).toBe(false);
  });

  it('counts replies stopped by the token limit over every prompt', () => {
    const base = prompts.map(() => reply('Fine.'));
    const cut = [reply('Fine.'), reply('Fine.'), reply('Fine', null, 'length'), reply('Fine.')];
    expect(guardsOf(prompts, base, cut).guards.tokenLimit).toMatchObject({ deltaPp: 25, ok: false });
  });

  it('finds a sentence added across kinds of question, unless it is the trait the run was meant to add', () => {
    const base = [reply('2 + 2 = 4.', true), reply('3 + 3 = 6.', true), reply('Hi.'), reply('Hello.')];
    const added = base.map((r) => ({ ...r, text: `${r.text} Anything else?` }));
    expect(guardsOf(prompts, base, added).guards.newPhrase).toMatchObject({ phrase: 'anything else?', sharePct: 100, ok: false });
    expect(guardsOf(prompts, base, added, { ignore: ['Anything else?'] }).guards).toMatchObject({ newPhrase: { sharePct: 0, ok: true }, ok: true });
  });
});
