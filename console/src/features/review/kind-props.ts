import type { Draft, Item } from './draft';

/** What each kind's controls get: the item, the draft, a way to change it, and whether their keys are live. */
export interface KindProps {
  item: Item;
  draft: Draft;
  update(change: Partial<Draft> | ((d: Draft) => Partial<Draft>)): void;
  /** False while a dialog is open or a submit is in flight. */
  keysEnabled: boolean;
}
