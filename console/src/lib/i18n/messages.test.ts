import { describe, expect, it } from 'vitest';
import { MESSAGES } from './messages';

function keys(obj: unknown, prefix = ''): string[] {
  if (obj && typeof obj === 'object') return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

describe('translations', () => {
  it('every key exists in English and in Chinese', () => {
    const en = new Set(keys(MESSAGES.en));
    const zh = new Set(keys(MESSAGES.zh));
    expect([...en].filter((k) => !zh.has(k)), 'missing in zh').toEqual([]);
    expect([...zh].filter((k) => !en.has(k)), 'missing in en').toEqual([]);
  });

  it('no string is empty, and Chinese strings are not left in English', () => {
    const leaves = (obj: unknown, prefix = ''): [string, string][] =>
      obj && typeof obj === 'object' ? Object.entries(obj).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k)) : [[prefix, String(obj)]];
    const zh = new Map(leaves(MESSAGES.zh));
    for (const [k, v] of leaves(MESSAGES.en)) {
      expect(v.trim(), `en ${k}`).not.toBe('');
      expect(zh.get(k)?.trim(), `zh ${k}`).not.toBe('');
      // Identical text in both languages is allowed only for names and symbols (no Latin word of 4+ letters).
      if (zh.get(k) === v) expect(/[A-Za-z]{4,}/.test(v.replace(/\{[^}]*\}/g, '')), `zh ${k} is untranslated: "${v}"`).toBe(false);
    }
  });
});
