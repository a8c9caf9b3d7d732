import { describe, expect, it } from 'vitest';
import { EVASIONS, TERMS } from '../../../test/fixtures/safety-cases.js';
import { Matcher, applyHits, type TermSpec } from './matcher.js';
import { ReplyFilter, RewriteStream, TermStream, compileRewrite, type RewriteSpec } from './stream.js';

const specs: TermSpec[] = TERMS.map((t, i) => ({ id: String(i), term: t.term, level: t.level, category: t.category, wholeWord: t.wholeWord }));
const matcher = new Matcher(specs);

/** Streams `tokens` through a fresh filter: what clients receive, and the block if any. */
function stream(tokens: string[], rules: RewriteSpec[] = []) {
  const filter = new ReplyFilter(
    new TermStream(matcher),
    rules.map((r) => new RewriteStream(r, compileRewrite(r), 32)),
  );
  let out = '';
  for (const t of tokens) {
    const r = filter.push(t);
    out += r.text;
    if (r.blocked) return { out, blocked: r.blocked };
  }
  const r = filter.end();
  return { out: out + r.text, blocked: r.blocked, hits: filter.hits };
}

/** The whole text filtered at once: what the stream must equal. */
function batch(text: string) {
  return matcher.apply(text);
}

/** One round of masking, without scanning the masked text again. */
function applyOnce(text: string): string {
  return applyHits(text, matcher.scan(text).hits, 0, text.length).text;
}

/** Every way of cutting `text` into two tokens, every cut into three around it, and one unit per token. */
function splits(text: string): string[][] {
  const units = [...text];
  const out: string[][] = [units];
  for (let i = 1; i < units.length; i++) {
    out.push([units.slice(0, i).join(''), units.slice(i).join('')]);
    for (let j = i + 1; j < Math.min(units.length, i + 3); j++) out.push([units.slice(0, i).join(''), units.slice(i, j).join(''), units.slice(j).join('')]);
  }
  return out;
}

describe('the term filter on a stream', () => {
  it.each(EVASIONS.map((e) => [e.how, e.term, e.text] as const))('%s (%s): no split of %j leaks', (_how, _term, core) => {
    const text = `Well, ${core} — as I said.`;
    const whole = batch(text);
    for (const tokens of splits(text)) {
      const r = stream(tokens);
      if (whole.blocked) {
        // Nothing of the term, or after it, went out.
        expect(r.blocked?.term.term).toBe(whole.blocked.term.term);
        expect(text.startsWith(r.out)).toBe(true);
        expect(r.out.length).toBeLessThanOrEqual(whole.blocked.start);
      } else {
        expect(r.blocked).toBeUndefined();
        expect(r.out).toBe(whole.text);
      }
      expect(matcher.scan(r.out).hits.filter((h) => h.term.level !== 'REVIEW')).toEqual([]);
    }
  });

  it('equals filtering the whole text, for random texts cut at random', () => {
    let seed = 0;
    const rand = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const pieces = ['sh', 'it', ' ', '.', 's h i t', '傻', '逼', '賭', '博', 'a', 'ss', 'hole', '\u200b', 'ｆｕｃｋ', 'x', '，', 'kill', ' your', 'self', '😀', 'é', '\u0301'];
    for (let round = 0; round < 4 * 1500; round++) {
      if (round % 1500 === 0) seed = [7, 11, 23, 31][round / 1500]!;
      let text = '';
      const n = 3 + rand(20);
      for (let i = 0; i < n; i++) text += pieces[rand(pieces.length)];
      const tokens: string[] = [];
      for (let at = 0; at < text.length; ) {
        const len = 1 + rand(5);
        tokens.push(text.slice(at, at + len));
        at += len;
      }
      const whole = batch(text);
      const r = stream(tokens);
      // Nothing the filter stops or masks is left in what went out, however it was cut.
      expect(matcher.scan(r.out).hits.filter((h) => h.term.level !== 'REVIEW'), JSON.stringify(tokens)).toEqual([]);
      // Masking can join letters around it into a new term (sh + masked + it): the whole text is
      // masked again, while a stream cannot take back what went out (a first letter of the joined
      // term may be out already). Elsewhere they agree exactly.
      const firstBlocked = matcher.scan(text).hits.some((h) => h.term.level === 'BLOCK');
      const reformed = whole.blocked ? !firstBlocked : whole.text !== applyOnce(text);
      if (reformed) continue;
      if (whole.blocked) {
        expect(r.blocked, text).toBeDefined();
        expect(r.out.length, text).toBeLessThanOrEqual(whole.blocked.start);
      } else expect(r.out, JSON.stringify(tokens)).toBe(whole.text);
    }
  });

  it('holds back no more than the longest term plus a few units', () => {
    const filter = new ReplyFilter(new TermStream(matcher), []);
    let out = '';
    for (const t of 'The quick brown fox jumps over the lazy dog again and again.'.split(/(?<= )/)) out += filter.push(t).text;
    expect(out.length).toBeGreaterThan(30);
  });

  it('releases runs without letters (emoji, dashes, blank lines) once they form a break, not at the end', () => {
    for (const unit of ['😀', '-', ' \n']) {
      const filter = new ReplyFilter(new TermStream(matcher), []);
      let out = '';
      for (let i = 0; i < 200; i++) out += filter.push(unit).text;
      expect(out.length, JSON.stringify(unit)).toBeGreaterThan(190 * unit.length);
      expect(out + filter.end().text).toBe(unit.repeat(200));
      // No delta ends between the halves of a surrogate pair.
      expect(/[\ud800-\udbff]$/.test(out)).toBe(false);
    }
  });

  it('never releases a fragment that reads as a whole-word term before a BLOCK stops the stream', () => {
    for (const tokens of [['Use methodsx赌博'], [...'Use methodsx赌博']]) {
      const r = stream(tokens);
      expect(r.blocked?.term.term).toBe('赌博');
      expect(matcher.scan(r.out).hits).toEqual([]);
    }
  });

  it('never releases text that, cut there, reads as a term it is not (s h i t + 傻) before a BLOCK', () => {
    const r = stream(['ass y', 'o', 'ur.s ', 'h i', ' t傻é', '\ud83d', '\ude00賭ｆｕ', 'ｃｋ博', '，博.傻']);
    expect(r.blocked).toBeDefined();
    expect(matcher.scan(r.out).hits).toEqual([]);
  });

  it('stops a term that masking joins together (coc + masked + aine)', () => {
    for (const tokens of [['buy cocfuckaine now'], [...'buy cocfuckaine now']]) expect(stream(tokens).blocked?.term.term).toBe('cocaine');
  });

  it('releases text after a long run of invisible characters instead of holding it', () => {
    const filter = new ReplyFilter(new TermStream(matcher), []);
    let out = filter.push('x').text;
    for (let i = 0; i < 200; i++) out += filter.push('\u200b').text;
    expect(out.length).toBeGreaterThan(100);
  });

  it('records output hits at their offsets in the released text', () => {
    const tokens = ['A long enough opening sentence, then ', 'sh', 'it and more words to release it all.'];
    const r = stream(tokens);
    const text = tokens.join('');
    expect(r.hits?.map((h) => text.slice(h.start, h.end))).toEqual(['shit']);
  });

  it('places the BLOCK hit that stops it in the whole text, as the hits released before it', () => {
    const text = `${'A long opening that the filter releases well before the term comes. '.repeat(3)}Then: buy cocaine now, and more.`;
    const at = text.indexOf('cocaine');
    for (const tokens of [[text], [...text], [text.slice(0, at + 3), text.slice(at + 3)], [text.slice(0, 150), text.slice(150, at + 2), text.slice(at + 2)]]) {
      const r = stream(tokens);
      expect([r.blocked?.start, r.blocked?.end], JSON.stringify(tokens.length)).toEqual([at, at + 'cocaine'.length]);
    }
  });

  it('records each released hit once', () => {
    const r = stream(['you ', 'sh', 'it and ', 'nazi ', 'stuff and more text to release it all']);
    expect(r.hits?.map((h) => h.term.term)).toEqual(['shit', 'nazi']);
  });
});

describe('rewrite rules on a stream', () => {
  const rules: RewriteSpec[] = [
    { id: 'r1', pattern: 'OpenAI', regex: false, caseSensitive: false, replacement: 'Dialoop' },
    { id: 'r2', pattern: '\\[internal:[a-z0-9-]+\\]', regex: true, caseSensitive: true, replacement: '' },
    { id: 'r3', pattern: 'v(\\d+)\\.(\\d+)', regex: true, caseSensitive: true, replacement: 'version $1.$2' },
  ];
  const text = 'I was made by openai [internal:abc-12] in v2.10, said OPENAI.';
  const expected = 'I was made by Dialoop  in version 2.10, said Dialoop.';

  it('apply the same at every token boundary as to the whole text', () => {
    for (const tokens of splits(text)) expect(stream(tokens, rules).out, JSON.stringify(tokens)).toBe(expected);
  });

  it('run before the term filter, so a rewrite cannot produce a term unchecked', () => {
    const r = stream(['call me ', 'BAS', 'TARD'], [{ id: 'x', pattern: 'BASTARD', regex: false, caseSensitive: true, replacement: 'bastard' }]);
    expect(r.out).toBe('call me *******');
  });
});
