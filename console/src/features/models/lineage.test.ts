import { describe, expect, it } from 'vitest';
import { lineage } from './lineage';

const v = (id: string, parentId: string | null, day: number) => ({ id, parentId, createdAt: `2026-12-0${day}T00:00:00Z` });

describe('lineage', () => {
  it('puts each version under its parent, oldest first, and versions of unknown parents at the root', () => {
    const tree = lineage([v('c', 'a', 3), v('b', 'a', 2), v('a', null, 1), v('d', 'b', 4), v('x', 'gone', 5)], (x) => x.id);
    expect(tree).toEqual([
      { value: 'a', label: 'a', children: [{ value: 'b', label: 'b', children: [{ value: 'd', label: 'd' }] }, { value: 'c', label: 'c' }] },
      { value: 'x', label: 'x' },
    ]);
  });
});
