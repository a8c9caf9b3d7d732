/**
 * What makes a dataset version reproducible: text normalized the same way for hashing, exact
 * deduplication by a hash of the normalized prompt and pair, and a train/test split decided by
 * the prompt's hash alone (stable across runs and versions: a prompt never changes side).
 */
import { createHash } from 'node:crypto';
import type { PreferencePair, Turn } from './types.js';

/** NFKC, lower case, white space collapsed: differences that do not make another example. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The prompt's hash: its turns' roles and normalized texts. */
export function promptKey(prompt: readonly Turn[]): string {
  return sha256(prompt.map((t) => `${t.role}\u0001${normalizeText(t.content)}`).join('\u0002'));
}

/** The pair's hash: the prompt's, the chosen and the rejected reply (normalized). */
export function pairKey(p: Pick<PreferencePair, 'prompt' | 'chosen' | 'rejected'>): string {
  return sha256(`${promptKey(p.prompt)}\u0003${normalizeText(p.chosen)}\u0003${normalizeText(p.rejected)}`);
}

/** Keeps the first of pairs with the same key; returns them and how many were dropped. */
export function dedupe<T extends Pick<PreferencePair, 'prompt' | 'chosen' | 'rejected'>>(pairs: Iterable<T>): { kept: T[]; duplicates: number } {
  const seen = new Set<string>();
  const kept: T[] = [];
  let duplicates = 0;
  for (const p of pairs) {
    const k = pairKey(p);
    if (seen.has(k)) duplicates++;
    else {
      seen.add(k);
      kept.push(p);
    }
  }
  return { kept, duplicates };
}

/** `test` when the prompt's hash falls in the first `testShare` of the hash space, else `train`. */
export function splitOf(prompt: readonly Turn[], testShare: number): 'train' | 'test' {
  return splitOfKey(promptKey(prompt), testShare);
}

/** {@link splitOf} from a stored {@link promptKey}. */
export function splitOfKey(key: string, testShare: number): 'train' | 'test' {
  if (!(testShare >= 0 && testShare <= 1)) throw new RangeError('testShare must be between 0 and 1');
  const x = parseInt(key.slice(0, 8), 16) / 0x1_0000_0000;
  return x < testShare ? 'test' : 'train';
}

/** `zh` when at least a third of the letters are Han characters, else `en` (the two languages served). */
export function guessLanguage(text: string): string {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return 'en';
  const han = letters.filter((c) => /\p{Script=Han}/u.test(c)).length;
  return han * 3 >= letters.length ? 'zh' : 'en';
}

/** A prompt's language: that of its last user turn (what the reply answers). */
export function promptLanguage(prompt: readonly Turn[]): string {
  for (let i = prompt.length - 1; i >= 0; i--) if (prompt[i]!.role === 'user') return guessLanguage(prompt[i]!.content);
  return guessLanguage('');
}
