import { LOOKAHEAD_UNITS, applyHits, strongest, type Hit, type Matcher, type SafetyLevelName } from './matcher.js';
import { Kind, SHORT_RUN, kindOf } from './normalize.js';

export { LOOKAHEAD_UNITS };
/** Released text kept as left context for the next scan (run lengths, whole-word and chain checks look back). */
const CONTEXT_UNITS = SHORT_RUN + 16;

export interface Release {
  /** Text that may go to clients now. */
  text: string;
  /** A BLOCK term was found: nothing after `text` may be released. */
  blocked?: Hit | undefined;
}

interface Stage {
  push(delta: string): Release;
  end(): Release;
  /** Input units received but not yet released. */
  readonly held: number;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;


/**
 * The term filter on a stream of text: holds back just enough text that a term split across any
 * token boundary is seen whole before any of it is released — the pattern prefix the text ends in
 * (the automaton's depth: at most the longest term), any candidate not yet settled, plus
 * LOOKAHEAD_UNITS. Each push rescans the held text with the released tail as context, which costs
 * O(hold + delta) per token.
 */
export class TermStream implements Stage {
  private context = '';
  private pending = '';
  /** Units of text released so far (before masking), for the offsets of hits. */
  private released = 0;
  /** The end of what was emitted (after masking): masked text is scanned again with it. */
  private emitted = '';
  private readonly hold: number;
  /** Hits released so far (MASK and REVIEW; a BLOCK ends the stream), at offsets in the text released (before masking). */
  readonly hits: Hit[] = [];

  constructor(private readonly matcher: Matcher) {
    this.hold = matcher.maxUnits === 0 ? 0 : matcher.maxUnits + LOOKAHEAD_UNITS;
  }

  get held(): number {
    return this.pending.length;
  }

  push(delta: string): Release {
    this.pending += delta;
    return this.release(false);
  }

  end(): Release {
    return this.release(true);
  }

  private release(final: boolean): Release {
    if (this.hold === 0) {
      const text = this.pending;
      this.pending = '';
      return { text };
    }
    const text = this.context + this.pending;
    const from = this.context.length;
    const { hits, viewLength, tailRun, reach } = this.matcher.scan(text);
    const hold = Math.min(this.hold, reach + LOOKAHEAD_UNITS);
    // A long separator run at the end is a break no term spans: what is before it is settled.
    const done = final || tailRun > SHORT_RUN;
    // Everything up to `settled` has enough text after it to be judged; `cut` is what may go now.
    const settled = done ? text.length : viewLength > LOOKAHEAD_UNITS ? this.matcher.viewStart(viewLength - LOOKAHEAD_UNITS) : 0;
    let cut = done ? text.length : viewLength > hold ? this.matcher.viewStart(viewLength - hold) : 0;
    const live = hits.filter((h) => h.end > from && h.end <= settled);
    const blocked = live.filter((h) => h.term.level === 'BLOCK').sort((a, b) => a.start - b.start)[0];
    // Offsets in the whole text released (before masking), like the hits released before it.
    if (blocked) return { text: '', blocked: this.placed(blocked, this.released - from) };
    // Rules that move the cut back, applied until none does (each only lowers it):
    const known = new Set(hits.map((h) => `${h.term.id}:${h.start}:${h.end}`));
    for (let before = -1; before !== cut; ) {
      before = cut;
      // A match still open at the cut keeps all of itself back.
      for (const h of hits) if (h.end > from && h.start < cut && h.end > cut) cut = h.start;
      // A mask still to come changes how the letters just before it read (`t` + `**` is a single
      // letter): those stay back until it goes out with them, so the scan of the masked text sees them.
      for (const h of hits) {
        if (h.term.level !== 'MASK' || h.start < cut) continue;
        let p = h.start;
        for (let units = 0; p > from && units <= LOOKAHEAD_UNITS; ) {
          const k = kindOf(text.charCodeAt(--p));
          if (k === Kind.WORD || k === Kind.WORD_CJK || k === Kind.MULTI) units++;
        }
        if (p < cut) cut = p;
      }
      // Never where the text, ended there, would read as a term it is not: if a BLOCK stops the
      // stream later, what went out must not end in such a fragment ("meth" of "methods",
      // `s h i t` + `傻`).
      if (!done && cut > from) {
        for (const h of this.matcher.scan(text.slice(0, cut)).hits) {
          if (h.end > from && h.term.level !== 'REVIEW' && !known.has(`${h.term.id}:${h.start}:${h.end}`) && h.start < cut) cut = Math.max(from, h.start);
        }
      }
    }
    if (cut < from) cut = from;
    // Never between the halves of a surrogate pair (the low half may be in the next delta).
    if (!final && cut > from && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
    const released = live.filter((h) => h.end <= cut);
    let out = applyHits(text, released, from, cut).text;
    // `*` joins what surrounds it: masked text may read as a term with what went out before.
    // Each masking can join more (sh + masked + it): scanned again until nothing new, as `apply`
    // does, with what went out before and what is still held after (the same context as above).
    const after = text.slice(cut);
    for (let round = 0; round < 3 && out.length > 0 && (out.includes('*') || this.emitted.includes('*')); round++) {
      const joined = this.emitted + out + after;
      const lo = this.emitted.length;
      const hi = lo + out.length;
      const again = this.matcher.scan(joined).hits.filter((h) => h.end > lo && h.end <= hi && h.term.level !== 'REVIEW');
      const stop = again.find((h) => h.term.level === 'BLOCK');
      // `joined` places what goes out now at `lo`; masking keeps lengths (one `*` per code point) but for astral characters.
      if (stop) return { text: '', blocked: this.placed(stop, this.released - lo) };
      if (again.length === 0) break;
      out = applyHits(joined, again, lo, hi).text;
    }
    for (const h of released) {
      if (h.term.level !== 'BLOCK') this.hits.push({ term: h.term, start: this.released + h.start - from, end: this.released + h.end - from });
    }
    this.released += cut - from;
    this.emitted = (this.emitted + out).slice(-CONTEXT_UNITS);
    this.context = text.slice(Math.max(0, cut - CONTEXT_UNITS), cut);
    this.pending = text.slice(cut);
    return { text: out };
  }

  /** A hit of one scan, moved to offsets in the whole text (`shift` added, never below 0). */
  private placed(h: Hit, shift: number): Hit {
    return { term: h.term, start: Math.max(0, h.start + shift), end: Math.max(0, h.end + shift) };
  }
}

export interface RewriteSpec {
  id: string;
  /** A regular expression source, or the literal text when `regex` is false. */
  pattern: string;
  regex: boolean;
  caseSensitive: boolean;
  replacement: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiles a rule (throws SyntaxError on a bad pattern): a global, Unicode-aware expression. */
export function compileRewrite(rule: RewriteSpec): RegExp {
  return new RegExp(rule.regex ? rule.pattern : escapeRegExp(rule.pattern), `gu${rule.caseSensitive ? '' : 'i'}`);
}

/** Expands `$&`, `$1`…`$99`, `$<name>` and `$$` in a replacement, as String.prototype.replace does. */
function expand(replacement: string, m: RegExpExecArray): string {
  return replacement.replace(/\$(\$|&|\d{1,2}|<([^>]+)>)/g, (all, token: string, name: string | undefined) => {
    if (token === '$') return '$';
    if (token === '&') return m[0];
    if (name !== undefined) return m.groups?.[name] ?? '';
    const i = Number(token);
    return i < m.length ? (m[i] ?? '') : all;
  });
}

/**
 * One rewrite rule on a stream: holds back `hold` units (the literal's length, or the configured
 * window for a regular expression), so a match split across tokens is replaced whole.
 */
export class RewriteStream implements Stage {
  private buffer = '';
  private readonly hold: number;
  readonly applied: string[] = [];

  constructor(
    private readonly rule: RewriteSpec,
    private readonly re: RegExp,
    regexHold: number,
  ) {
    this.hold = rule.regex ? regexHold : rule.pattern.length;
  }

  get held(): number {
    return this.buffer.length;
  }

  push(delta: string): Release {
    this.buffer += delta;
    return this.release(false);
  }

  end(): Release {
    return this.release(true);
  }

  private release(final: boolean): Release {
    const buf = this.buffer;
    const limit = final ? buf.length : Math.max(0, buf.length - this.hold);
    let cut = limit;
    let out = '';
    let last = 0;
    const re = this.re;
    re.lastIndex = 0;
    for (let m = re.exec(buf); m; m = re.exec(buf)) {
      if (m[0].length === 0) {
        re.lastIndex += 1;
        continue;
      }
      const end = m.index + m[0].length;
      if (m.index >= cut) break;
      // A match reaching into the held text may still grow: keep it back whole.
      if (end > limit) {
        cut = m.index;
        break;
      }
      out += buf.slice(last, m.index) + expand(this.rule.replacement, m);
      this.applied.push(this.rule.id);
      last = end;
    }
    if (cut < last) cut = last;
    if (!final && cut > last && isHighSurrogate(buf.charCodeAt(cut - 1))) cut--;
    out += buf.slice(last, cut);
    this.buffer = buf.slice(cut);
    return { text: out };
  }
}

/**
 * A reply's filters, in order: the rewrite rules, then the term filter (last, so a rewrite can
 * never produce a term that goes out unchecked). `onDelay` receives, for each upstream delta,
 * how long it was held: from its arrival until the last of its units left the last stage
 * (units are counted through the stages; a rewrite that changes length shifts this by its difference).
 */
export class ReplyFilter {
  private readonly stages: Stage[];
  private received = 0;
  private readonly marks: Array<{ end: number; at: number }> = [];
  private done = false;

  constructor(
    readonly terms: TermStream | undefined,
    readonly rewrites: RewriteStream[],
    private readonly onDelay?: (ms: number) => void,
    /** Milliseconds; the benchmark replays recorded streams on its own clock. */
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.stages = [...rewrites, ...(terms ? [terms] : [])];
  }

  /** Whether the filter holds text back at all. */
  get active(): boolean {
    return this.stages.length > 0;
  }

  push(delta: string): Release {
    if (this.done) return { text: '' };
    this.received += delta.length;
    this.marks.push({ end: this.received, at: this.clock() });
    return this.run((s, text) => s.push(text), delta);
  }

  /** Releases what is held (the reply ended, or was stopped). */
  end(): Release {
    if (this.done) return { text: '' };
    const r = this.run((s, text) => {
      const a = s.push(text);
      if (a.blocked) return a;
      const b = s.end();
      return { text: a.text + b.text, blocked: b.blocked };
    }, '');
    this.done = true;
    return r;
  }

  private run(step: (s: Stage, text: string) => Release, input: string): Release {
    let text = input;
    for (const stage of this.stages) {
      const r = step(stage, text);
      if (r.blocked) {
        this.done = true;
        return r;
      }
      text = r.text;
    }
    this.observe();
    return { text };
  }

  private observe() {
    if (!this.onDelay) return;
    const held = this.stages.reduce((n, s) => n + s.held, 0);
    const released = this.received - held;
    const now = this.clock();
    while (this.marks.length > 0 && this.marks[0]!.end <= released) this.onDelay(now - this.marks.shift()!.at);
  }

  /** The hits released (MASK and REVIEW). */
  get hits(): Hit[] {
    return this.terms?.hits ?? [];
  }

  /** The strongest level among the hits released (null: none). */
  get level(): SafetyLevelName | null {
    return strongest(this.hits)?.term.level ?? null;
  }
}
