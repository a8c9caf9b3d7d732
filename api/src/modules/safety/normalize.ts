import HKVariantsRev from 'opencc-js/dict/HKVariantsRev';
import TSCharacters from 'opencc-js/dict/TSCharacters';
import TWVariantsRev from 'opencc-js/dict/TWVariantsRev';

/**
 * How one UTF-16 code unit of input takes part in matching. Text is matched as its "view": each
 * character folded (NFKC compatibility forms, no accents, lower case, Traditional Chinese as
 * Simplified) with invisible characters and separators taken out. Separators are not forgotten:
 * the view records, before each character, what kind of separator run preceded it, and the
 * matcher decides per match whether that run was inserted to split a term (evasion) or was a real
 * break between words.
 */
export const Kind = {
  UNKNOWN: 0,
  /** Zero-width, invisible, combining marks, controls: removed. */
  DROP: 1,
  /** A letter or digit that folds to one code unit (`folded`). */
  WORD: 2,
  /** The same, in a script written without spaces (Han, kana). */
  WORD_CJK: 3,
  /** Punctuation or a symbol. */
  SEP: 4,
  /** White space. */
  SEP_SPACE: 5,
  /** Punctuation that ends a clause or quotes (， 。 、 ： “ 《 …): a real break between CJK words. */
  SEP_CLAUSE: 6,
  /** Folds to several code units (`multi`), or is a surrogate: taken through the slow path. */
  MULTI: 7,
} as const;

/** Bits of a view character's `brk`: the separator run before it. */
export const Brk = {
  SEP: 1,
  SPACE: 2,
  CLAUSE: 4,
  /** More than `SHORT_RUN` code units (separators and invisible characters): a break no term spans. */
  LONG: 8,
  /** Flag on the character itself: it is CJK. */
  CJK: 64,
} as const;
export const SHORT_RUN = 64;

/** Per code unit: its Kind (UNKNOWN until first seen). */
const kinds = new Uint8Array(65536);
/** Per code unit of Kind WORD or WORD_CJK: its folded unit. */
const folded = new Uint16Array(65536);
const multi = new Map<number, string>();

/** OpenCC's "from to[ alt]|…" format: the first candidate of each. */
function parseDict(dict: string, into: Map<string, string>) {
  for (const pair of dict.split('|')) {
    const [from, to] = pair.split(' ');
    if (from && to && !into.has(from)) into.set(from, to);
  }
}

function loadChineseTable(): Map<string, string> {
  const map = new Map<string, string>();
  // Regional variants to OpenCC's standard Traditional first, then Traditional to Simplified.
  const variants = new Map<string, string>();
  parseDict(HKVariantsRev, variants);
  parseDict(TWVariantsRev, variants);
  parseDict(TSCharacters, map);
  for (const [from, to] of variants) if (!map.has(from)) map.set(from, map.get(to) ?? to);
  return map;
}
const toSimplified = loadChineseTable();

const DROP_RE = /^[\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\p{Cf}\p{Cs}]$|^(?![\s])\p{Cc}$/u;
const SPACE_RE = /^\s$/u;
const WORD_RE = /^[\p{L}\p{N}\p{Co}]$/u;
const CJK_RE = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;
const CLAUSE = new Set([...',;:?!"()[]<>{}。、，；：？！…—「」『』“”‘’《》〈〉【】〔〕〖〗（）']);
const MARKS_RE = /[\p{Mn}\p{Me}\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;

/** The folded form of one character (a code point): possibly empty, possibly several units. */
export function foldChar(ch: string): string {
  if (DROP_RE.test(ch)) return '';
  // Lower case, plus the full case folds that lower-casing leaves (ß → ss, final sigma).
  let s = ch.normalize('NFKD').replace(MARKS_RE, '').toLowerCase().normalize('NFC').replace(/ß/g, 'ss').replace(/ς/g, 'σ');
  if (toSimplified.size > 0) {
    let out = '';
    for (const c of s) out += toSimplified.get(c) ?? c;
    s = out;
  }
  return s;
}

/** The kind of an already folded single character. */
function kindOfFolded(ch: string): number {
  if (DROP_RE.test(ch)) return Kind.DROP;
  if (SPACE_RE.test(ch)) return Kind.SEP_SPACE;
  if (WORD_RE.test(ch)) return CJK_RE.test(ch) ? Kind.WORD_CJK : Kind.WORD;
  if (CLAUSE.has(ch)) return Kind.SEP_CLAUSE;
  return Kind.SEP;
}

function compute(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) {
    kinds[unit] = Kind.MULTI;
    return Kind.MULTI;
  }
  const ch = String.fromCharCode(unit);
  const f = foldChar(ch);
  let kind: number;
  if (f.length === 0) kind = Kind.DROP;
  else if (f.length === 1) {
    kind = kindOfFolded(f);
    folded[unit] = f.charCodeAt(0);
  } else {
    kind = Kind.MULTI;
    multi.set(unit, f);
  }
  kinds[unit] = kind;
  return kind;
}

/** The kind of a code unit (computed on first sight, then a table read). */
export function kindOf(unit: number): number {
  const k = kinds[unit]!;
  return k === Kind.UNKNOWN ? compute(unit) : k;
}

export function foldedUnit(unit: number): number {
  return folded[unit]!;
}

/**
 * The view units of a character that takes the slow path: a code point folding to several
 * units, or one outside the Basic Multilingual Plane. Each is paired with its kind.
 */
export function slowFold(codePoint: number): ReadonlyArray<readonly [unit: number, kind: number]> {
  const cached = slowCache.get(codePoint);
  if (cached) return cached;
  const f = codePoint <= 0xffff ? (multi.get(codePoint) ?? foldChar(String.fromCharCode(codePoint))) : foldChar(String.fromCodePoint(codePoint));
  const out: Array<readonly [number, number]> = [];
  for (const c of f) {
    const kind = kindOfFolded(c);
    if (kind === Kind.DROP) continue;
    for (let i = 0; i < c.length; i++) out.push([c.charCodeAt(i), kind]);
  }
  // Bounded: text could hold any number of distinct code points.
  if (slowCache.size < 65_536) slowCache.set(codePoint, out);
  return out;
}
const slowCache = new Map<number, ReadonlyArray<readonly [number, number]>>();
