import type { TreeNodeData } from '@mantine/core';

export interface Versioned {
  id: string;
  parentId?: string | null;
  createdAt: string;
}

/**
 * The registry as a forest: each version under the one it was trained from (versions whose
 * parent is not listed are roots), oldest first at every level.
 */
export function lineage<V extends Versioned>(versions: V[], label: (v: V) => TreeNodeData['label']): TreeNodeData[] {
  const ids = new Set(versions.map((v) => v.id));
  const children = new Map<string | null, V[]>();
  for (const v of versions) {
    const parent = v.parentId && ids.has(v.parentId) ? v.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), v]);
  }
  const build = (parent: string | null, seen: Set<string>): TreeNodeData[] =>
    (children.get(parent) ?? [])
      .filter((v) => !seen.has(v.id))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((v) => {
        const kids = build(v.id, new Set([...seen, v.id]));
        return { value: v.id, label: label(v), ...(kids.length ? { children: kids } : {}) };
      });
  return build(null, new Set());
}
