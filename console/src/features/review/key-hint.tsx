'use client';
import { Group, Kbd } from '@mantine/core';
import { useSyncExternalStore } from 'react';
import { isMac, keyLabel, KEYMAP, type KeyAction } from './keymap';

const noop = () => () => undefined;

/** Whether keys read as on a Mac (⌘) — known only in the browser. */
export function useMac(): boolean {
  return useSyncExternalStore(noop, isMac, () => false);
}

/** The value for `aria-keyshortcuts` of the control an action also has. */
export function ariaKeys(action: KeyAction, mac: boolean): string {
  return KEYMAP[action].keys.map((k) => k.replace('Mod', mac ? 'Meta' : 'Control')).join(' ');
}

/** The first key of an action, shown beside its button (hidden from screen readers: they get aria-keyshortcuts). */
export function KeyHint({ action, index = 0 }: { action: KeyAction; index?: number }) {
  const mac = useMac();
  const key = KEYMAP[action].keys[index];
  if (!key) return null;
  return (
    <Group component="span" gap={2} aria-hidden="true" wrap="nowrap" ml={6} style={{ display: 'inline-flex' }}>
      <Kbd size="xs">{keyLabel(key, mac)}</Kbd>
    </Group>
  );
}
