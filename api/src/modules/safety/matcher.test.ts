import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVASIONS, TERMS } from '../../../test/fixtures/safety-cases.js';
import { Matcher, normalizeTerm, type TermSpec } from './matcher.js';

const specs: TermSpec[] = TERMS.map((t, i) => ({ id: String(i), term: t.term, level: t.level, category: t.category, wholeWord: t.wholeWord }));
const matcher = new Matcher(specs);

describe('the evasion table', () => {
  it('has at least 50 cases', () => expect(EVASIONS.length).toBeGreaterThanOrEqual(50));

  it.each(EVASIONS.map((e) => [e.how, e.term, e.text] as const))('%s (%s): %j is caught', (_how, term, text) => {
    const hits = matcher.scan(text).hits.map((h) => h.term.term);
    expect(hits).toContain(term);
  });
});

describe('masking', () => {
  it('replaces exactly the original characters, one * per code point, however normalization changed lengths', () => {
    const cases: Array<[string, string]> = [
      ['a ｓｈｉｔ b', 'a **** b'],
      ['x s\u200bhit y', 'x ***** y'],
      ['x s.h.i.t y', 'x ******* y'],
      ['x ŝhït y', 'x **** y'],
      // Combining marks are code points of their own: each becomes a *.
      ['x s\u0301hit y', 'x ***** y'],
      ['😀 傻\u200b逼 😀', '😀 *** 😀'],
      ['他媽的!', '***!'],
      ['no motherfucker here', 'no mother****er here'],
    ];
    for (const [text, masked] of cases) {
      const r = matcher.apply(text);
      expect(r.text, text).toBe(masked);
      const hit = r.hits[0]!;
      expect(text.slice(0, hit.start) + '*'.repeat([...text.slice(hit.start, hit.end)].length) + text.slice(hit.end)).toBe(masked);
    }
  });

  it('reports hit offsets into the original text', () => {
    const text = 'ab ＳＨ\u200bＩＴ cd';
    const [hit] = matcher.scan(text).hits;
    expect(text.slice(hit!.start, hit!.end)).toBe('ＳＨ\u200bＩＴ');
  });

  it('reports a BLOCK hit and leaves the text unmasked for the caller to refuse', () => {
    const r = matcher.apply('where to buy cocaine?');
    expect(r.blocked?.term.category).toBe('drugs');
  });
});

describe('text that expands when folded', () => {
  it('is scanned to its end, however many characters fold to several (ﬃ → ffi)', () => {
    for (const n of [300, 340, 345, 2000]) {
      const r = matcher.apply('ﬃ'.repeat(n) + ' please kill yourself now, shit');
      expect(r.blocked?.term.term, String(n)).toBe('kill yourself');
    }
  });
});

describe('masking', () => {
  it('scans the masked text again: * between letters joins them (coc + **** + aine)', () => {
    expect(matcher.apply('buy cocfuckaine now').blocked?.term.term).toBe('cocaine');
    expect(matcher.apply('我们去赌傻逼博吧').blocked?.term.term).toBe('赌博');
  });

  it('folds ß to ss and final sigma to sigma', () => {
    const m = new Matcher([{ id: 's', term: 'strasse', level: 'MASK', category: 'x', wholeWord: true }]);
    expect(m.apply('die Straße hier').text).toBe('die ****** hier');
  });
});

describe('words that merely contain a term, or letters that happen to spell one', () => {
  it.each([
    'I assume the class will assess the bass passage',
    'The method works',
    'Mr. S hit the ball',
    'as she said',
    'a sh it',
    'Grades A B C D are all passing',
    'Scunthorpe and Middlesex',
    '特色，情况很好',
    '我说 你好',
  ])('%j has no hit', (text) => {
    expect(matcher.scan(text).hits.map((h) => h.term.term)).toEqual([]);
  });
});

describe('the clean corpus', () => {
  for (const lang of ['en', 'zh']) {
    it(`has no false positives in ordinary ${lang === 'en' ? 'English' : 'Chinese'} (at least 500 sentences)`, () => {
      const lines = readFileSync(new URL(`../../../test/fixtures/clean-corpus-${lang}.txt`, import.meta.url), 'utf8').split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThanOrEqual(500);
      const misses = lines.flatMap((line) => matcher.scan(line).hits.map((h) => `${h.term.term} in ${JSON.stringify(line)}`));
      expect(misses).toEqual([]);
    });
  }
});

describe('terms', () => {
  it('normalize like text: "Hate Speech" keeps its gap', () => {
    const n = normalizeTerm('Hate Speech');
    expect(String.fromCharCode(...n.units)).toBe('hatespeech');
    expect([...n.gaps].indexOf(1)).toBe(4);
  });

  it('with the same normal form are one pattern, each reported', () => {
    const m = new Matcher([
      { id: 'a', term: 'Foo', level: 'MASK', category: 'x', wholeWord: true },
      { id: 'b', term: 'ｆｏｏ', level: 'REVIEW', category: 'y', wholeWord: false },
    ]);
    expect(m.scan('xfoo').hits.map((h) => h.term.id)).toEqual(['b']);
    expect(m.scan('a foo').hits.map((h) => h.term.id).sort()).toEqual(['a', 'b']);
  });

  it('with a gap span a separator run there of up to 64 units, not a longer one', () => {
    expect(matcher.scan('kill \n yourself').hits.map((h) => h.term.term)).toEqual(['kill yourself']);
    expect(matcher.scan('kill          yourself').hits.map((h) => h.term.term)).toEqual(['kill yourself']);
    expect(matcher.scan(`kill${' '.repeat(65)}yourself`).hits).toEqual([]);
  });

  it('an empty list matches nothing', () => {
    expect(new Matcher([]).scan('anything').hits).toEqual([]);
  });
});
