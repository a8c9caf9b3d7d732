import { describe, expect, it } from 'vitest';
import { dropOldestTurns } from './generation.js';

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
