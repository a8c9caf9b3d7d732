/**
 * A conversation is a tree (regenerations and edits are siblings); the transcript shows one path
 * through it. At each fork the person's choice wins, else the newest branch.
 */
export interface TreeMessage {
  id: string;
  parentId?: string | null;
  createdAt: string;
}

export interface PathStep<M extends TreeMessage> {
  message: M;
  siblings: M[];
  index: number;
}

export const ROOT = 'root';

export function childrenOf<M extends TreeMessage>(messages: readonly M[]): Map<string, M[]> {
  const map = new Map<string, M[]>();
  for (const m of messages) {
    const key = m.parentId ?? ROOT;
    const list = map.get(key) ?? [];
    list.push(m);
    map.set(key, list);
  }
  for (const list of map.values()) list.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return map;
}

export function pathThrough<M extends TreeMessage>(messages: readonly M[], chosen: Readonly<Record<string, string>>): PathStep<M>[] {
  const children = childrenOf(messages);
  const path: PathStep<M>[] = [];
  let key = ROOT;
  for (let guard = 0; guard <= messages.length; guard++) {
    const siblings = children.get(key);
    if (!siblings?.length) break;
    let index = siblings.findIndex((m) => m.id === chosen[key]);
    if (index < 0) index = siblings.length - 1;
    const message = siblings[index]!;
    path.push({ message, siblings, index });
    key = message.id;
  }
  return path;
}
