import { Automaton } from './automaton.js';
import { Brk, Kind, SHORT_RUN, foldedUnit, kindOf, slowFold } from './normalize.js';

export type SafetyLevelName = 'BLOCK' | 'MASK' | 'REVIEW';
const SEVERITY: Record<SafetyLevelName, number> = { REVIEW: 1, MASK: 2, BLOCK: 3 };

export interface TermSpec {
  id: string;
  term: string;
  level: SafetyLevelName;
  category: string;
  /** Whole-word: the match must not continue a Latin word on either side. */
  wholeWord: boolean;
}

/** A term occurrence: `start`/`end` are UTF-16 offsets into the original text (end exclusive). */
export interface Hit {
  term: TermSpec;
  start: number;
  end: number;
}

export interface Normalized {
  /** The term's view: its letters and digits, folded. */
  units: Uint16Array;
  /** 1 at each position a separator preceded in the term itself ("hate speech"). */
  gaps: Uint8Array;
}

/** Longest term, in view units: bounds the stream's hold-back. */
export const MAX_TERM_UNITS = 64;
/**
 * View units a stream holds beyond what a term could still reach: a match's right edge
 * (whole-word) and the single-letter chains that decide whether white space was inserted both
 * look at most this far ahead.
 */
export const LOOKAHEAD_UNITS = 4;

/**
 * The view of a text: for every kept character its folded unit, where it came from in the
 * original, and the separator run before it. Buffers are reused between scans (one per matcher).
 */
class View {
  unit = new Uint16Array(1024);
  brk = new Uint8Array(1024);
  /**
   * Where view units come from, kept sparsely by the scan: from view unit `offAt[k]` on, unit j
   * starts at original offset j + offVal[k] (a new pair wherever a separator, an invisible
   * character or an expansion shifted it).
   */
  offAt = new Int32Array(1024);
  offVal = new Int32Array(1024);
  offN = 0;
  length = 0;

  ensure(n: number) {
    if (n <= this.unit.length) return;
    let size = this.unit.length;
    while (size < n) size *= 2;
    const grow = <T extends Int32Array | Uint16Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.unit = grow(this.unit);
    this.brk = grow(this.brk);
    this.offAt = grow(this.offAt);
    this.offVal = grow(this.offVal);
  }

  /** The original offset view unit `j` of the last scan starts at. */
  startOf(j: number): number {
    let lo = 0;
    let hi = this.offN - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offAt[mid]! <= j) lo = mid;
      else hi = mid - 1;
    }
    return j + this.offVal[lo]!;
  }
}

/** Normalizes a term the way text is normalized (without matching): its view and its own gaps. */
export function normalizeTerm(term: string): Normalized {
  const view = new View();
  buildView(term, view);
  const units = view.unit.slice(0, view.length);
  const gaps = new Uint8Array(view.length);
  for (let i = 1; i < view.length; i++) gaps[i] = view.brk[i]! & Brk.SEP ? 1 : 0;
  return { units, gaps };
}

/** Fills `view` from `text` (used for terms; scans fuse this loop with the automaton). */
function buildView(text: string, view: View) {
  view.ensure(text.length * 2 + 8);
  let n = 0;
  let run = 0;
  let bits = 0;
  const push = (u: number, kind: number) => {
    view.ensure(n + 1);
    view.unit[n] = u;
    view.brk[n] = (run > 0 ? bits | (run > SHORT_RUN ? LONG_BREAK : 0) : 0) | (kind === Kind.WORD_CJK ? Brk.CJK : 0);
    n++;
    run = 0;
    bits = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const k = kindOf(unit);
    if (k === Kind.WORD || k === Kind.WORD_CJK) push(foldedUnit(unit), k);
    else if (k === Kind.DROP) run++;
    else if (k === Kind.MULTI) {
      const cp = text.codePointAt(i)!;
      const w = cp > 0xffff ? 2 : 1;
      for (const [u, kind] of slowFold(cp)) {
        if (kind === Kind.WORD || kind === Kind.WORD_CJK) push(u, kind);
        else {
          run++;
          bits |= sepBits(kind);
        }
      }
      i += w - 1;
    } else {
      run++;
      bits |= sepBits(k);
    }
  }
  view.length = n;
  return run;
}

const SEP = Brk.SEP;
const SEP_SPACE = Brk.SEP | Brk.SPACE;
const SEP_CLAUSE = Brk.SEP | Brk.CLAUSE;
/** A long run is a break whatever it holds (invisible characters only, too). */
const LONG_BREAK = Brk.LONG | Brk.SEP;

function sepBits(kind: number): number {
  if (kind === Kind.SEP_SPACE) return SEP_SPACE;
  if (kind === Kind.SEP_CLAUSE) return SEP_CLAUSE;
  return SEP;
}

interface Group {
  terms: TermSpec[];
  units: number;
  gaps: Uint8Array;
  /** Every term of the group is whole-word. */
  wholeWordOnly: boolean;
}

export interface ScanResult {
  hits: Hit[];
  /** View units in the text (for the stream's hold-back). */
  viewLength: number;
  /** Separator units after the last view unit: more than SHORT_RUN is a break no term spans. */
  tailRun: number;
  /** View units at the end that a term may still reach (a prefix in progress, a candidate not yet settled). */
  reach: number;
}

/**
 * Matches a fixed list of terms in text, however the text disguises them: compatibility forms,
 * case, accents, Traditional characters, invisible characters, and separators put between the
 * letters of a term. A separator run between two letters counts as inserted (and is skipped) when
 * - it is short (at most SHORT_RUN units, invisible characters included), and
 * - between two CJK characters, it holds no clause punctuation (， 。 、 ： “ …), or
 * - between two other letters, it holds no white space (s.h.i.t, s-h-i-t), or joins a chain of at
 *   least three single letters (s h i t, a s s);
 * otherwise it is a real break and a term cannot span it (unless the term has a break there too).
 */
export class Matcher {
  readonly automaton: Automaton;
  private readonly groups: Group[];
  private readonly view = new View();
  private cand = new Int32Array(256);
  readonly size: number;

  constructor(terms: TermSpec[]) {
    const byKey = new Map<string, Group>();
    const patterns: Uint16Array[] = [];
    this.groups = [];
    for (const t of terms) {
      const n = normalizeTerm(t.term);
      if (n.units.length === 0 || n.units.length > MAX_TERM_UNITS) continue;
      const key = String.fromCharCode(...n.units);
      let g = byKey.get(key);
      if (!g) {
        g = { terms: [], units: n.units.length, gaps: n.gaps, wholeWordOnly: true };
        byKey.set(key, g);
        this.groups.push(g);
        patterns.push(n.units);
      }
      g.terms.push(t);
      if (!t.wholeWord) g.wholeWordOnly = false;
    }
    this.size = terms.length;
    this.automaton = new Automaton(patterns);
  }

  /** Where view unit `i` of the last scan starts in its text. */
  viewStart(i: number): number {
    return this.view.startOf(i);
  }

  /** Longest term in view units. */
  get maxUnits(): number {
    return this.automaton.maxLength;
  }

  /**
   * Per code unit, for this matcher: 0 until first seen, then its kind, whether it is a letter
   * (and CJK) and its class (see `learn`), so the scan reads one table per input unit.
   */
  private readonly codeInfo = new Int32Array(65536);

  private learn(code: number): number {
    const k = kindOf(code);
    const word = k === Kind.WORD || k === Kind.WORD_CJK;
    const cls = word ? this.automaton.classOf[foldedUnit(code)]! : 0;
    // bit 0: known; 1: a letter or digit; 2: CJK; 3-5: the kind; 6 up: the class.
    const info = (cls << 6) | (k << 3) | (k === Kind.WORD_CJK ? 4 : 0) | (word ? 2 : 0) | 1;
    this.codeInfo[code] = info;
    return info;
  }

  /** The scan's state while it takes the slow path. */
  private readonly slow = { n: 0, run: 0, bits: 0, s: 0, nc: 0, delta: 0, offN: 0 };

  /** One code point that folds to several units (or a surrogate pair); returns the index of its last unit. */
  private slowUnit(text: string, i: number): number {
    const st = this.slow;
    const view = this.view;
    const automaton = this.automaton;
    const { classOf } = automaton;
    const cp = text.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    const units = slowFold(cp);
    // Room for these units and one per unit still to read, so the fast path never overflows.
    view.ensure(st.n + units.length + (text.length - i) + 8);
    for (const [fu, kind] of units) {
      if (kind !== Kind.WORD && kind !== Kind.WORD_CJK) {
        st.run++;
        st.bits |= sepBits(kind);
        continue;
      }
      if (i - st.n !== st.delta) {
        st.delta = i - st.n;
        view.offAt[st.offN] = st.n;
        view.offVal[st.offN++] = st.delta;
      }
      view.brk[st.n] = (st.run > 0 ? st.bits | (st.run > SHORT_RUN ? LONG_BREAK : 0) : 0) | (kind === Kind.WORD_CJK ? Brk.CJK : 0);
      st.run = 0;
      st.bits = 0;
      const c = classOf[fu]!;
      st.s = c === 0 ? 0 : automaton.step(st.s, c);
      if (automaton.hasOut[st.s] === 1) st.nc = this.candidate(st.nc, st.s, st.n);
      st.n++;
    }
    return i + w - 1;
  }

  /** Every valid occurrence of every term, in order of end. */
  scan(text: string): ScanResult {
    const view = this.view;
    const len = text.length;
    view.ensure(len + 8);
    const { table, fail, dfa, dense, rowOf, slotOfRow } = this.automaton;
    let offAt = view.offAt;
    let offVal = view.offVal;
    let brkArr = view.brk;
    // brk is written only where it is not 0 (a separator before, or a CJK character).
    brkArr.fill(0, 0, len + 8);
    offAt[0] = 0;
    offVal[0] = 0;
    let offN = 1;
    let delta = 0;
    let n = 0;
    let run = 0;
    let bits = 0;
    // The state: a DFA row (r ≥ 0), or else a double-array slot (`slot`, when r is -1).
    let r = 0;
    let slot = 0;
    let nc = 0;
    const info = this.codeInfo;
    for (let i = 0; i < len; i++) {
      const code = text.charCodeAt(i);
      let inf = info[code]!;
      if (inf === 0) inf = this.learn(code);
      if ((inf & 2) !== 0) {
        if (i - n !== delta) {
          delta = i - n;
          offAt[offN] = n;
          offVal[offN++] = delta;
        }
        if (run > 0) {
          brkArr[n] = bits | (run > SHORT_RUN ? LONG_BREAK : 0) | ((inf & 4) << 4);
          run = 0;
          bits = 0;
        } else if ((inf & 4) !== 0) brkArr[n] = Brk.CJK;
        const c = inf >>> 6;
        if (c === 0) r = 0;
        else if (c <= dense && r >= 0) {
          // The common case: one DFA read.
          const v = dfa[r * dense + c - 1]!;
          r = v >> 1;
          if ((v & 1) === 1) nc = this.candidate(nc, slotOfRow[r]!, n);
        } else {
          let s = r >= 0 ? slotOfRow[r]! : slot;
          for (;;) {
            const t = (table[2 * s]! >> 1) + c;
            if (table[2 * t + 1] === s) {
              s = t;
              break;
            }
            if (s === 0) break;
            s = fail[s]!;
          }
          slot = s;
          r = rowOf[s]!;
          if ((table[2 * s]! & 1) === 1) nc = this.candidate(nc, s, n);
        }
        n++;
      } else {
        const k = (inf >> 3) & 7;
        if (k === 1) {
          // Invisible: no separator, but a long run of them is a break like a long separator run.
          run++;
          continue;
        }
        if (k !== 7) {
          run++;
          bits |= k === 5 ? SEP_SPACE : k === 6 ? SEP_CLAUSE : SEP;
          continue;
        }
        // Slow path (rare): several units, or a surrogate pair; kept out of this loop.
        const st = this.slow;
        st.n = n;
        st.run = run;
        st.bits = bits;
        st.s = r >= 0 ? slotOfRow[r]! : slot;
        st.nc = nc;
        st.delta = delta;
        st.offN = offN;
        i = this.slowUnit(text, i);
        ({ n, run, bits, nc, delta, offN } = st);
        slot = st.s;
        r = rowOf[slot]!;
        ({ offAt, offVal, brk: brkArr } = view);
      }
    }
    view.length = n;
    view.offN = offN;
    // The text's end is a real break, like the start.
    const hits: Hit[] = [];
    for (let j = 0; j < nc; j += 2) {
      const g = this.groups[this.cand[j]!]!;
      const e = this.cand[j + 1]!;
      const st = e - g.units + 1;
      const edges = this.edge(st, n) && this.edge(e + 1, n);
      // Most candidates are a whole-word term inside other words: the edges decide cheaply.
      if (!edges && g.wholeWordOnly) continue;
      if (!this.inner(g, st, e, n)) continue;
      const start = view.startOf(st);
      const last = view.startOf(e);
      // The last character's end: a surrogate pair is two units.
      const end = last + (text.charCodeAt(last) >= 0xd800 && text.charCodeAt(last) <= 0xdbff ? 2 : 1);
      for (const term of g.terms) if (edges || !term.wholeWord) hits.push({ term, start, end });
    }
    // What a stream must still hold: the pattern prefix the text ends in, and any candidate
    // ending so near the end that what follows could still change its verdict.
    let reach = this.automaton.depth[r >= 0 ? slotOfRow[r]! : slot]!;
    for (let j = 0; j < nc; j += 2) {
      if (this.cand[j + 1]! >= n - 1 - LOOKAHEAD_UNITS) reach = Math.max(reach, this.groups[this.cand[j]!]!.units);
    }
    return { hits, viewLength: n, tailRun: run, reach };
  }

  private candidate(nc: number, state: number, end: number): number {
    const { out, outLink } = this.automaton;
    const brk = this.view.brk;
    for (let st = out[state]! >= 0 ? state : outLink[state]!; st >= 0; st = outLink[st]!) {
      const group = out[st]!;
      const g = this.groups[group]!;
      // A whole-word term must start a word: known already (most candidates end here).
      const first = end - g.units + 1;
      if (g.wholeWordOnly && first > 0 && (brk[first]! & (Brk.SEP | Brk.CJK)) === 0 && (brk[first - 1]! & Brk.CJK) === 0) continue;
      if (nc + 2 > this.cand.length) {
        const c2 = new Int32Array(this.cand.length * 2);
        c2.set(this.cand);
        this.cand = c2;
      }
      this.cand[nc++] = group;
      this.cand[nc++] = end;
    }
    return nc;
  }

  /** Whether a candidate at view units [st, e] crosses only inserted separators (or the term's own). */
  private inner(g: Group, st: number, e: number, n: number): boolean {
    const brk = this.view.brk;
    for (let i = st + 1; i <= e; i++) {
      if ((brk[i]! & Brk.SEP) === 0) continue;
      // A term's own gap ("hate speech") spans any short run; a long one is a break for every term.
      if (g.gaps[i - st] === 1 && (brk[i]! & Brk.LONG) === 0) continue;
      if (!this.inserted(i, n)) return false;
    }
    return true;
  }

  /** Whether view unit `i` starts a new word: the text's edge, a separator, or a script change. */
  private edge(i: number, n: number): boolean {
    if (i <= 0 || i >= n) return true;
    const b = this.view.brk;
    if ((b[i]! & Brk.SEP) !== 0) return true;
    return (b[i]! & Brk.CJK) !== 0 || (b[i - 1]! & Brk.CJK) !== 0;
  }

  /** Whether the separator run before view unit `i` was inserted between a term's letters. */
  private inserted(i: number, n: number): boolean {
    const b = this.view.brk;
    const here = b[i]!;
    if (here & Brk.LONG) return false;
    const cjkLeft = (b[i - 1]! & Brk.CJK) !== 0;
    const cjkRight = (here & Brk.CJK) !== 0;
    if (cjkLeft && cjkRight) return (here & Brk.CLAUSE) === 0;
    if (cjkLeft || cjkRight) return false;
    if ((here & Brk.SPACE) === 0) return true;
    // White space between Latin letters: only inside a chain of ≥ 3 single letters.
    const single = (j: number) => j >= 0 && j < n && (b[j]! & Brk.CJK) === 0 && (j === 0 || (b[j]! & Brk.SEP) !== 0) && (j + 1 >= n || (b[j + 1]! & Brk.SEP) !== 0);
    if (!single(i - 1) || !single(i)) return false;
    let chain = 2;
    for (let j = i - 1; chain < 3 && j > 0 && (b[j]! & Brk.LONG) === 0 && single(j - 1); j--) chain++;
    for (let j = i + 1; chain < 3 && j < n && (b[j]! & Brk.LONG) === 0 && single(j); j++) chain++;
    return chain >= 3;
  }

  /**
   * Applies the levels to a whole text: the first BLOCK hit if any; otherwise the text with every
   * MASK hit's original characters replaced by as many `*` (one per code point). The masked text
   * is scanned again, since `*` joins what surrounds it (`coc` + masked + `aine` reads cocaine):
   * until nothing more is found, at most three times.
   */
  apply(text: string): { text: string; hits: Hit[]; blocked: Hit | undefined } {
    const all: Hit[] = [];
    let current = text;
    for (let round = 0; round < 3; round++) {
      const { hits } = this.scan(current);
      if (round > 0 && hits.every((h) => h.term.level === 'REVIEW')) break;
      const r = applyHits(current, hits, 0, current.length);
      all.push(...(round === 0 ? hits : hits.filter((h) => h.term.level !== 'REVIEW')));
      if (r.blocked) return { text: current, hits: all, blocked: r.blocked };
      if (r.text === current) break;
      current = r.text;
    }
    return { text: current, hits: all, blocked: undefined };
  }
}

/** The strongest hit of a list (BLOCK over MASK over REVIEW; earliest first). */
export function strongest(hits: Hit[]): Hit | undefined {
  let best: Hit | undefined;
  for (const h of hits) if (!best || SEVERITY[h.term.level] > SEVERITY[best.term.level] || (SEVERITY[h.term.level] === SEVERITY[best.term.level] && h.start < best.start)) best = h;
  return best;
}

/** Masks the MASK hits inside text[from, to), returned as that slice; reports the first BLOCK hit. */
export function applyHits(text: string, hits: Hit[], from: number, to: number): { text: string; blocked: Hit | undefined } {
  const blocked = hits.filter((h) => h.term.level === 'BLOCK' && h.end > from).sort((a, b) => a.start - b.start)[0];
  const spans = hits.filter((h) => h.term.level === 'MASK' && h.end > from && h.start < to).map((h) => [Math.max(h.start, from), Math.min(h.end, to)] as const);
  if (spans.length === 0) return { text: text.slice(from, to), blocked };
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = from;
  for (const [s, e] of spans) {
    if (e <= at) continue;
    const begin = Math.max(s, at);
    out += text.slice(at, begin) + mask(text.slice(begin, e));
    at = e;
  }
  return { text: out + text.slice(at, to), blocked };
}

/** As many `*` as the text has code points. */
export function mask(text: string): string {
  let n = 0;
  for (const _ of text) n++;
  return '*'.repeat(n);
}
