/**
 * Whether a generated reply is fit to be put in front of a reviewer beside another one: a reviewer
 * never compares a reply with garbage. Pure and language-neutral (English and Chinese alike): the
 * api's candidate generator asks it of every candidate it makes, and the loop demo's guards use
 * `repeatedPhrase` to count degenerate replies.
 */

import { normalizeText } from './dataset.js';

export const CANDIDATE_PROBLEMS = ['empty', 'unfinished', 'fragment', 'repetitive', 'duplicate'] as const;
export type CandidateProblem = (typeof CANDIDATE_PROBLEMS)[number];

export interface CandidateVerdict {
  problem: CandidateProblem;
  /** What was found, for the log: the repeated phrase, the leading character, the finish reason. */
  detail: string;
}

/**
 * The units a reply is made of: a Han, kana or Hangul character each (Chinese has no spaces), a
 * run of letters or digits, or one other visible character. Whitespace is not a unit.
 */
const CJK = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]';
const UNIT = new RegExp(`${CJK}|(?:(?!${CJK})[\\p{L}\\p{M}\\p{N}_])+|[^\\s\\p{L}\\p{M}\\p{N}_]`, 'gu');

export function unitsOf(text: string): string[] {
  return text.match(UNIT) ?? [];
}

const WORDLIKE = /[\p{L}\p{N}]/u;

/** Repeats back to back that make a reply a loop: a phrase of `n` units `k` times in a row, k ≥ 3, n·k ≥ 9. */
const LOOP_MIN_REPEATS = 3;
const LOOP_MIN_UNITS = 9;
const LOOP_MAX_PHRASE = 16;
/** A longer reply whose three-unit phrases are mostly the same few (distinct / all below this). */
const MIN_TRIGRAM_VARIETY = 0.4;
const VARIETY_MIN_UNITS = 24;

/**
 * The phrase a reply repeats degenerately, or null: a phrase said three times or more in a row
 * ("I can help. I can help. I can help."), or a long reply made of the same few phrases. Worked
 * arithmetic and lists, whose lines share a shape but not their words, pass.
 */
export function repeatedPhrase(text: string): string | null {
  const u = unitsOf(text);
  for (let n = 1; n <= LOOP_MAX_PHRASE && n * LOOP_MIN_REPEATS <= u.length; n++) {
    for (let i = 0; i + n * LOOP_MIN_REPEATS <= u.length; i++) {
      let k = 1;
      while (i + (k + 1) * n <= u.length && same(u, i, i + k * n, n)) k++;
      if (k >= LOOP_MIN_REPEATS && k * n >= LOOP_MIN_UNITS && u.slice(i, i + n).some((x) => WORDLIKE.test(x))) return join(u.slice(i, i + n));
    }
  }
  if (u.length >= VARIETY_MIN_UNITS) {
    const counts = new Map<string, number>();
    for (let i = 0; i + 3 <= u.length; i++) {
      const g = u.slice(i, i + 3).join('\u0000');
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    const total = u.length - 2;
    if (counts.size / total < MIN_TRIGRAM_VARIETY) {
      const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
      return join(top![0].split('\u0000'));
    }
  }
  return null;
}

function same(u: string[], a: number, b: number, n: number): boolean {
  for (let j = 0; j < n; j++) if (u[a + j] !== u[b + j]) return false;
  return true;
}

/** Units back to text: a space between two word units, none around Han characters or punctuation. */
function join(units: string[]): string {
  let out = '';
  for (const x of units) out += out && /[\p{L}\p{N}]$/u.test(out) && /^[\p{L}\p{N}]/u.test(x) && !/\p{Script=Han}/u.test(x + out.at(-1)) ? ` ${x}` : x;
  return out;
}

/**
 * Characters no reply starts with: it is the tail of a sentence, cut loose ("= 7ominutes.").
 * Markdown's openings (`*`, `>`, `|`, `-`), "...", ".NET" and "+1" are not among them.
 */
const FRAGMENT_START = /^[=,;:%)\]}、，。；：！？）】》」』]/u;

const normalise = (s: string) => s.replace(/\s+/gu, ' ').trim();

/**
 * What makes `text` unfit to be a candidate, or null when it is fit: empty; unfinished (the
 * model did not end it: `finishReason` other than "stop", e.g. "length" at the token limit);
 * a fragment (no word in it, a stray control character, or it starts mid-sentence, with an
 * operator or closing punctuation);
 * repetitive (see `repeatedPhrase`); or a duplicate of a candidate the item already has.
 */
export function checkCandidate(text: string, opts: { finishReason?: string | null; others?: readonly string[] } = {}): CandidateVerdict | null {
  const t = normalise(text);
  if (!t) return { problem: 'empty', detail: 'no text' };
  if (opts.finishReason !== undefined && opts.finishReason !== 'stop') return { problem: 'unfinished', detail: `finish reason ${opts.finishReason ?? 'none'}` };
  if (!WORDLIKE.test(t)) return { problem: 'fragment', detail: 'no word in it' };
  // A stray control character (a sampled byte from the vocabulary's tail) is never meant.
  const control = /[\p{Cc}]/u.exec(text.replace(/[\n\t\r]/g, ''));
  if (control) return { problem: 'fragment', detail: `holds the control character U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` };
  const lead = FRAGMENT_START.exec(t);
  if (lead) return { problem: 'fragment', detail: `starts with "${lead[0]}"` };
  const phrase = repeatedPhrase(t);
  if (phrase !== null) return { problem: 'repetitive', detail: `repeats "${phrase}"` };
  // The same text as the dataset's dedup sees it (normalizeText): such a pair would teach nothing.
  const key = normalizeText(t);
  if (opts.others?.some((o) => normalizeText(o) === key)) return { problem: 'duplicate', detail: 'the same text as another candidate' };
  return null;
}
