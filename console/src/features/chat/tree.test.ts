import { describe, expect, it } from 'vitest';
import { pathThrough } from './tree';

const m = (id: string, parentId: string | null, t: number) => ({ id, parentId, createdAt: new Date(1_700_000_000_000 + t * 1000).toISOString() });

describe('pathThrough', () => {
  const msgs = [m('u1', null, 1), m('a1', 'u1', 2), m('a2', 'u1', 3), m('u2', 'a1', 4), m('a3', 'u2', 5), m('u1b', null, 6), m('a4', 'u1b', 7)];

  it('follows the newest branch by default', () => {
    expect(pathThrough(msgs, {}).map((s) => s.message.id)).toEqual(['u1b', 'a4']);
  });

  it('follows chosen siblings and reports positions', () => {
    const path = pathThrough(msgs, { root: 'u1', u1: 'a1' });
    expect(path.map((s) => s.message.id)).toEqual(['u1', 'a1', 'u2', 'a3']);
    expect(path.map((s) => `${s.index + 1}/${s.siblings.length}`)).toEqual(['1/2', '1/2', '1/1', '1/1']);
  });

  it('falls back to the newest when a choice is gone', () => {
    expect(pathThrough(msgs, { root: 'u1', u1: 'gone' }).map((s) => s.message.id)).toEqual(['u1', 'a2']);
  });
});
