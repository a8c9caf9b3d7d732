/**
 * Every keyboard shortcut of the reviewers' workspace, as named actions: the labelling and
 * adjudication screens bind handlers to these names, the `?` dialog lists them (with the
 * translations under `review.keys.<action>`), and each one also has a button on the page.
 *
 * Single keys never fire while the focus is in a text field (a textarea, the tags or comment
 * input); the actions marked `inText` (submitting with Ctrl/⌘+Enter, Escape) do.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';

/** Where a shortcut applies: everywhere on an item, for one kind of item, or in the skip dialog. */
export type KeyScope = 'general' | 'pairwise' | 'ranking' | 'rubric' | 'correction' | 'skip';

export interface Binding {
  scope: KeyScope;
  /** `Mod` is Ctrl, or ⌘ on a Mac; `Shift+`, `Alt+` as written; letters are matched without Shift. */
  keys: readonly string[];
  /** Also fires while typing in a text field. */
  inText?: boolean;
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const KEYMAP = {
  showHelp: { scope: 'general', keys: ['?'] },
  submit: { scope: 'general', keys: ['Enter'] },
  submitFromField: { scope: 'general', keys: ['Mod+Enter'], inText: true },
  skip: { scope: 'general', keys: ['s'] },
  focusTags: { scope: 'general', keys: ['g'] },
  focusComment: { scope: 'general', keys: ['c'] },
  leaveField: { scope: 'general', keys: ['Escape'], inText: true },

  chooseA: { scope: 'pairwise', keys: ['a'] },
  chooseB: { scope: 'pairwise', keys: ['b'] },
  chooseTie: { scope: 'pairwise', keys: ['t'] },
  strength1: { scope: 'pairwise', keys: ['1'] },
  strength2: { scope: 'pairwise', keys: ['2'] },
  strength3: { scope: 'pairwise', keys: ['3'] },

  focusPrevious: { scope: 'ranking', keys: ['ArrowUp', 'k'] },
  focusNext: { scope: 'ranking', keys: ['ArrowDown', 'j'] },
  moveUp: { scope: 'ranking', keys: ['Shift+ArrowUp', 'Alt+ArrowUp'] },
  moveDown: { scope: 'ranking', keys: ['Shift+ArrowDown', 'Alt+ArrowDown'] },

  score: { scope: 'rubric', keys: DIGITS },
  previousCriterion: { scope: 'rubric', keys: ['ArrowUp', 'k'] },
  nextCriterion: { scope: 'rubric', keys: ['ArrowDown', 'j'] },
  previousCandidate: { scope: 'rubric', keys: ['['] },
  nextCandidate: { scope: 'rubric', keys: [']'] },

  editText: { scope: 'correction', keys: ['e'] },

  skipReason: { scope: 'skip', keys: ['1', '2', '3', '4', '5'] },
  confirmSkip: { scope: 'skip', keys: ['Enter'] },
} as const satisfies Record<string, Binding>;

export type KeyAction = keyof typeof KEYMAP;

/** The actions of some scopes, in the keymap's order (for the help dialog and for dispatch). */
export function actionsIn(scopes: readonly KeyScope[]): KeyAction[] {
  return (Object.keys(KEYMAP) as KeyAction[]).filter((a) => scopes.includes(KEYMAP[a].scope));
}

interface ParsedKey {
  key: string;
  mod: boolean;
  shift: boolean;
  alt: boolean;
}

export function parseKey(spec: string): ParsedKey {
  const parts = spec.split('+');
  // "Mod+Enter" → ["Mod", "Enter"]; a lone "+" would be ["", ""], which no binding uses.
  const key = parts.pop() ?? '';
  return { key, mod: parts.includes('Mod'), shift: parts.includes('Shift'), alt: parts.includes('Alt') };
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

const isLetter = (k: string) => /^[a-z]$/i.test(k);
const isNamed = (k: string) => k.length > 1;

/** Whether a key press is this binding (`a`, `?`, `Enter`, `Shift+ArrowUp`, `Mod+Enter`…). */
export function matchesKey(e: KeyLike, spec: string): boolean {
  const b = parseKey(spec);
  const mod = e.ctrlKey || e.metaKey;
  if (mod !== b.mod || e.altKey !== b.alt) return false;
  if (isLetter(b.key)) return !e.shiftKey && e.key.toLowerCase() === b.key.toLowerCase();
  // Named keys (Enter, arrows) care about Shift; printed symbols (?, [, digits) may need it to be typed.
  if (isNamed(b.key) && e.shiftKey !== b.shift) return false;
  return e.key === b.key;
}

/** The first action of these scopes that a key press is, with the binding that matched. */
export function actionFor(e: KeyLike, scopes: readonly KeyScope[], typing: boolean): { action: KeyAction; key: string } | undefined {
  for (const action of actionsIn(scopes)) {
    const binding: Binding = KEYMAP[action];
    if (typing && !binding.inText) continue;
    const key = binding.keys.find((k) => matchesKey(e, k));
    if (key) return { action, key };
  }
  return undefined;
}

const NOT_TEXT = new Set(['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image']);

/** Whether the element takes typed text (shortcuts stay out of its way). */
export function isTextEntry(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable) return true;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) return !NOT_TEXT.has(el.type);
  return false;
}

/** Enter on a button or link activates it; the page's own Enter must not fire as well. */
function activatesOnEnter(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return Boolean(el.closest('button, a[href], summary, [role="button"], [role="link"], [role="tab"], [role="menuitem"], [role="option"]'));
}

/** How a binding reads in the help dialog and beside buttons. */
export function keyLabel(spec: string, mac: boolean): string {
  const names: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→', Escape: 'Esc', Enter: 'Enter' };
  const b = parseKey(spec);
  return [b.mod ? (mac ? '⌘' : 'Ctrl') : null, b.alt ? (mac ? '⌥' : 'Alt') : null, b.shift ? 'Shift' : null, names[b.key] ?? b.key].filter(Boolean).join('+');
}

export const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export type KeyHandlers = Partial<Record<KeyAction, (key: string, e: KeyboardEvent) => void>>;

/**
 * Binds handlers to the actions of some scopes while `enabled`: one keydown listener on the
 * window. An action without a handler lets the key through.
 */
export function useShortcuts(scopes: readonly KeyScope[], handlers: KeyHandlers, enabled = true) {
  const latest = useRef({ scopes, handlers, enabled });
  useLayoutEffect(() => {
    latest.current = { scopes, handlers, enabled };
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { scopes: s, handlers: h, enabled: on } = latest.current;
      if (!on || e.defaultPrevented || e.isComposing) return;
      const hit = actionFor(e, s, isTextEntry(e.target));
      if (!hit) return;
      if (hit.key === 'Enter' && activatesOnEnter(e.target)) return;
      const handler = h[hit.action];
      if (!handler) return;
      e.preventDefault();
      handler(hit.key, e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
