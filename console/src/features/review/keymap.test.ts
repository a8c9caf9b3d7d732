import { describe, expect, it } from 'vitest';
import en from '../../messages/en/review.json';
import zh from '../../messages/zh/review.json';
import { actionFor, actionsIn, KEYMAP, keyLabel, matchesKey, type KeyAction, type KeyLike, type KeyScope } from './keymap';

const press = (key: string, mods: Partial<Omit<KeyLike, 'key'>> = {}): KeyLike => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('keymap', () => {
  it('matches letters without Shift, symbols however they are typed, named keys with their modifiers', () => {
    expect(matchesKey(press('a'), 'a')).toBe(true);
    expect(matchesKey(press('A', { shiftKey: true }), 'a')).toBe(false);
    expect(matchesKey(press('a', { ctrlKey: true }), 'a')).toBe(false);
    expect(matchesKey(press('?', { shiftKey: true }), '?')).toBe(true);
    expect(matchesKey(press('ArrowUp'), 'Shift+ArrowUp')).toBe(false);
    expect(matchesKey(press('ArrowUp', { shiftKey: true }), 'Shift+ArrowUp')).toBe(true);
    expect(matchesKey(press('ArrowUp', { shiftKey: true }), 'ArrowUp')).toBe(false);
    expect(matchesKey(press('ArrowUp', { altKey: true }), 'Alt+ArrowUp')).toBe(true);
    expect(matchesKey(press('Enter', { ctrlKey: true }), 'Mod+Enter')).toBe(true);
    expect(matchesKey(press('Enter', { metaKey: true }), 'Mod+Enter')).toBe(true);
    expect(matchesKey(press('Enter', { ctrlKey: true }), 'Enter')).toBe(false);
  });

  it('the pairwise contract: a, b, t choose; 1, 2, 3 set the strength; Enter submits', () => {
    const scopes: KeyScope[] = ['general', 'pairwise'];
    expect(actionFor(press('a'), scopes, false)?.action).toBe('chooseA');
    expect(actionFor(press('b'), scopes, false)?.action).toBe('chooseB');
    expect(actionFor(press('t'), scopes, false)?.action).toBe('chooseTie');
    expect(['1', '2', '3'].map((k) => actionFor(press(k), scopes, false)?.action)).toEqual(['strength1', 'strength2', 'strength3']);
    expect(actionFor(press('Enter'), scopes, false)?.action).toBe('submit');
  });

  it('while typing, only Ctrl/⌘+Enter and Escape act', () => {
    const scopes: KeyScope[] = ['general', 'correction'];
    expect(actionFor(press('e'), scopes, true)).toBeUndefined();
    expect(actionFor(press('Enter'), scopes, true)).toBeUndefined();
    expect(actionFor(press('s'), scopes, true)).toBeUndefined();
    expect(actionFor(press('Enter', { ctrlKey: true }), scopes, true)?.action).toBe('submitFromField');
    expect(actionFor(press('Escape'), scopes, true)?.action).toBe('leaveField');
  });

  it('no key means two things on one screen', () => {
    for (const kind of ['pairwise', 'ranking', 'rubric', 'correction'] as const) {
      const keys = actionsIn(['general', kind]).flatMap((a) => KEYMAP[a].keys);
      expect(new Set(keys).size, kind).toBe(keys.length);
    }
    const skip = actionsIn(['skip']).flatMap((a) => KEYMAP[a].keys);
    expect(new Set(skip).size).toBe(skip.length);
  });

  it('every action is described in both languages, for the ? dialog', () => {
    for (const action of Object.keys(KEYMAP) as KeyAction[]) {
      expect(en.keys.actions[action], action).toBeTruthy();
      expect(zh.keys.actions[action], action).toBeTruthy();
    }
    for (const scope of ['general', 'pairwise', 'ranking', 'rubric', 'correction', 'skip'] as const) expect(zh.keys.scopes[scope]).toBeTruthy();
  });

  it('reads keys for people', () => {
    expect(keyLabel('Mod+Enter', true)).toBe('⌘+Enter');
    expect(keyLabel('Mod+Enter', false)).toBe('Ctrl+Enter');
    expect(keyLabel('Shift+ArrowUp', false)).toBe('Shift+↑');
  });
});
