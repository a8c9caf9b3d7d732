import { describe, expect, it } from 'vitest';
import {
  cleanDialogue,
  cleanText,
  detectFormat,
  dialogueHash,
  importDialogues,
  parseDialogues,
  type CleanLimits,
} from './dialogue-import.js';
import { type Turn } from './types.js';

const limits: CleanLimits = { maxTurnChars: 1000, maxTurns: 20 };
const u = (content: string): Turn => ({ role: 'user', content });
const a = (content: string): Turn => ({ role: 'assistant', content });
const s = (content: string): Turn => ({ role: 'system', content });

const openAi = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello!' },
  ],
};
const shareGpt = {
  conversations: [
    { from: 'human', value: '你好，请介绍一下长城。' },
    { from: 'gpt', value: '长城是中国古代的军事防御工程。' },
  ],
};
const openAiTurns = [s('Be brief.'), u('Hi'), a('Hello!')];
const shareGptTurns = [u('你好，请介绍一下长城。'), a('长城是中国古代的军事防御工程。')];

describe('parseDialogues', () => {
  it('reads a JSON array mixing OpenAI and ShareGPT records', () => {
    const result = parseDialogues(JSON.stringify([openAi, shareGpt], null, 2));
    expect(result.errors).toEqual([]);
    expect(result.dialogues).toEqual([
      { line: null, index: 0, turns: openAiTurns },
      { line: null, index: 1, turns: shareGptTurns },
    ]);
  });

  it('reads a single pretty-printed JSON object', () => {
    const result = parseDialogues(JSON.stringify(shareGpt, null, 2));
    expect(result).toEqual({ dialogues: [{ line: null, index: 0, turns: shareGptTurns }], errors: [] });
  });

  it('reads JSONL, skipping blank lines and keeping line numbers', () => {
    const text = `${JSON.stringify(openAi)}\n\n   \r\n${JSON.stringify(shareGpt)}\n`;
    const result = parseDialogues(text);
    expect(result.errors).toEqual([]);
    expect(result.dialogues).toEqual([
      { line: 1, index: 0, turns: openAiTurns },
      { line: 4, index: 1, turns: shareGptTurns },
    ]);
  });

  it('detects the format, and honours a hint', () => {
    expect(detectFormat('[{"messages": []}]')).toBe('json');
    expect(detectFormat('{\n "messages": []\n}')).toBe('json');
    expect(detectFormat('{"messages": []}\n{"messages": []}')).toBe('jsonl');
    // A one-line JSONL file read with the jsonl hint gets its line number.
    expect(parseDialogues(JSON.stringify(openAi), 'jsonl').dialogues[0]?.line).toBe(1);
    expect(parseDialogues(JSON.stringify(openAi), 'json').dialogues[0]?.line).toBeNull();
  });

  it('ignores a byte-order mark and returns nothing for empty input', () => {
    expect(parseDialogues(`\uFEFF${JSON.stringify([openAi])}`).dialogues).toHaveLength(1);
    expect(parseDialogues('  \n ')).toEqual({ dialogues: [], errors: [] });
  });

  it('joins the text parts of OpenAI content arrays, skipping other parts', () => {
    const record = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '这张图里有什么？' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            { type: 'text', text: 'Answer in English.' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }] },
      ],
    };
    expect(parseDialogues(JSON.stringify(record)).dialogues[0]?.turns).toEqual([
      u('这张图里有什么？\nAnswer in English.'),
      a('A cat.'),
    ]);
  });

  it('maps ShareGPT roles (case-insensitive) to chat roles', () => {
    const record = {
      conversations: [
        { from: 'system', value: 'S' },
        { from: 'Human', value: 'H' },
        { from: 'GPT', value: 'G' },
        { from: 'user', value: 'U' },
        { from: 'assistant', value: 'A' },
      ],
    };
    expect(parseDialogues(JSON.stringify(record)).dialogues[0]?.turns).toEqual([s('S'), u('H'), a('G'), u('U'), a('A')]);
  });

  it('reports malformed JSONL lines with their line numbers and reads the rest', () => {
    const lines = [
      JSON.stringify(openAi),
      '{"messages": [',
      '',
      JSON.stringify({ messages: [{ role: 'tool', content: 'x' }] }),
      JSON.stringify({ conversations: [{ from: 'human', value: 3 }] }),
      JSON.stringify({ text: 'no dialogue' }),
      '42',
      JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text' }] }] }),
      JSON.stringify(shareGpt),
    ];
    const result = parseDialogues(lines.join('\n'));
    expect(result.dialogues.map((d) => d.line)).toEqual([1, 9]);
    expect(result.errors.map((e) => e.line)).toEqual([2, 4, 5, 6, 7, 8]);
    expect(result.errors[0]?.message).toMatch(/^invalid JSON/);
    expect(result.errors[1]?.message).toContain('unsupported role "tool"');
    expect(result.errors[2]?.message).toContain('value is a number');
    expect(result.errors[3]?.message).toContain('no "messages" or "conversations"');
    expect(result.errors[4]?.message).toContain('record is a number');
    expect(result.errors[5]?.message).toContain('content part 0 has no text');
  });

  it('reports bad records of a JSON array by index', () => {
    const result = parseDialogues(JSON.stringify([openAi, { messages: 'nope' }, null, shareGpt]));
    expect(result.dialogues.map((d) => d.index)).toEqual([0, 3]);
    expect(result.errors).toEqual([
      { line: null, message: 'record at index 1: record has no "messages" or "conversations" array' },
      { line: null, message: 'record at index 2: record is null, expected an object' },
    ]);
  });

  it('reports an unparsable JSON document once, without throwing', () => {
    const result = parseDialogues('[{"messages": []},');
    expect(result.dialogues).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: null, message: expect.stringMatching(/^invalid JSON/) });
  });
});

describe('cleanText', () => {
  it('normalises line breaks and removes control characters except \\n and \\t', () => {
    expect(cleanText('a\r\nb\rc\u0000d\u0007e\u001bf\u007fg\u0085h')).toBe('a\nb\ncdefgh');
    expect(cleanText('a\tb')).toBe('a b');
  });

  it('collapses spaces/tabs and 3+ newlines, strips trailing line spaces, trims', () => {
    expect(cleanText('  a   b\t\t c  \n\n\n\n d \n \n \n e  ')).toBe('a b c\n\n d\n\n e');
    expect(cleanText('one\n\ntwo')).toBe('one\n\ntwo');
  });

  it('keeps the indentation of code lines', () => {
    expect(cleanText('def f(x):\n    if x:\n\treturn   x  ')).toBe('def f(x):\n    if x:\n\treturn x');
  });

  it('keeps Chinese text and full-width characters as they are', () => {
    expect(cleanText(' 你好，世界！ＡＢＣ \r\n')).toBe('你好，世界！ＡＢＣ');
  });
});

describe('cleanDialogue', () => {
  it('cleans every turn and drops empty ones', () => {
    const result = cleanDialogue([u(' Hi\r\n\r\n\r\n\r\nthere '), a('\u0000 '), a('Hello\u0007!')], limits);
    expect(result).toEqual({ turns: [u('Hi\n\nthere'), a('Hello!')] });
  });

  it('merges consecutive turns of the same role with a blank line', () => {
    const result = cleanDialogue([u('one'), u('two'), a('three'), a('four'), u('five'), a('six')], limits);
    expect(result).toEqual({ turns: [u('one\n\ntwo'), a('three\n\nfour'), u('five'), a('six')] });
  });

  it('keeps one leading system turn and drops later ones', () => {
    const result = cleanDialogue([s('A'), s('B'), u('q1'), s('late'), u('q2'), a('r')], limits);
    expect(result).toEqual({ turns: [s('A\n\nB'), u('q1\n\nq2'), a('r')] });
  });

  it('drops assistant turns before the first user turn', () => {
    expect(cleanDialogue([s('S'), a('Welcome!'), u('q'), a('r')], limits)).toEqual({ turns: [s('S'), u('q'), a('r')] });
  });

  it('drops trailing user turns', () => {
    expect(cleanDialogue([u('q1'), a('r1'), u('q2'), u('q3')], limits)).toEqual({ turns: [u('q1'), a('r1')] });
  });

  it('drops dialogues without a user turn followed by an assistant turn', () => {
    expect(cleanDialogue([], limits)).toEqual({ dropped: 'no-exchange' });
    expect(cleanDialogue([s('S'), u('q')], limits)).toEqual({ dropped: 'no-exchange' });
    expect(cleanDialogue([a('r')], limits)).toEqual({ dropped: 'no-exchange' });
    expect(cleanDialogue([u('q'), a('  \u0000 ')], limits)).toEqual({ dropped: 'no-exchange' });
  });

  it('drops a dialogue with a turn longer than maxTurnChars (in code points)', () => {
    const small = { maxTurnChars: 5, maxTurns: 20 };
    expect(cleanDialogue([u('q'), a('123456')], small)).toEqual({ dropped: 'turn-too-long' });
    expect(cleanDialogue([u('q'), a('12345')], small)).toEqual({ turns: [u('q'), a('12345')] });
    // Five Chinese characters and five emoji (10 UTF-16 units) both fit.
    expect(cleanDialogue([u('你好世界啊'), a('😀😀😀😀😀')], small)).toEqual({ turns: [u('你好世界啊'), a('😀😀😀😀😀')] });
    // Merged turns count as one; the limit applies after merging.
    expect(cleanDialogue([u('abc'), u('def'), a('r')], small)).toEqual({ dropped: 'turn-too-long' });
  });

  it('truncates to maxTurns, cutting at an assistant turn', () => {
    const turns = [s('S'), u('q1'), a('r1'), u('q2'), a('r2'), u('q3'), a('r3')];
    expect(cleanDialogue(turns, { maxTurnChars: 100, maxTurns: 5 })).toEqual({ turns: turns.slice(0, 5) });
    expect(cleanDialogue(turns, { maxTurnChars: 100, maxTurns: 4 })).toEqual({ turns: turns.slice(0, 3) });
    expect(cleanDialogue([u('q1'), a('r1'), u('q2'), a('r2')], { maxTurnChars: 100, maxTurns: 2 })).toEqual({
      turns: [u('q1'), a('r1')],
    });
  });

  it('ignores over-long turns that truncation removed', () => {
    const turns = [u('q1'), a('r1'), u('x'.repeat(50)), a('r2')];
    expect(cleanDialogue(turns, { maxTurnChars: 10, maxTurns: 3 })).toEqual({ turns: [u('q1'), a('r1')] });
  });

  it('rejects unusable limits', () => {
    expect(() => cleanDialogue([u('q'), a('r')], { maxTurnChars: 10, maxTurns: 1 })).toThrow(RangeError);
    expect(() => cleanDialogue([u('q'), a('r')], { maxTurnChars: 0, maxTurns: 4 })).toThrow(RangeError);
  });

  it('does not modify its input', () => {
    const turns = [u(' q '), u('q2'), a('r')];
    const copy = structuredClone(turns);
    cleanDialogue(turns, limits);
    expect(turns).toEqual(copy);
  });
});

describe('dialogueHash', () => {
  it('matches dialogues differing only in case, width and white space', () => {
    const base = dialogueHash([u('Hello World 123'), a('你好，世界')]);
    expect(dialogueHash([u('hello   world\n１２３'), a('你好,世界')])).toBe(base);
    expect(dialogueHash([u('ＨＥＬＬＯ world 123'), a(' 你好，世界 ')])).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells apart different contents and different roles', () => {
    const base = dialogueHash([u('q'), a('r')]);
    expect(dialogueHash([u('q'), a('r!')])).not.toBe(base);
    expect(dialogueHash([s('q'), a('r')])).not.toBe(base);
  });
});

describe('importDialogues', () => {
  it('imports, cleans, deduplicates and reports', () => {
    const lines = [
      JSON.stringify({ messages: [{ role: 'user', content: 'Hello World' }, { role: 'assistant', content: 'Hi!' }] }),
      JSON.stringify({ conversations: [{ from: 'human', value: 'ＨＥＬＬＯ   world' }, { from: 'gpt', value: 'hi!\r\n' }] }),
      'not json',
      JSON.stringify({ messages: [{ role: 'user', content: 'only a question' }] }),
      JSON.stringify({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'x'.repeat(200) }] }),
      JSON.stringify(shareGpt),
      JSON.stringify({ messages: [{ role: 'user', content: 'q\u0000' }, { role: 'assistant', content: [{ type: 'text', text: 'r' }] }] }),
    ];
    const { dialogues, report } = importDialogues(lines.join('\n'), { maxTurnChars: 100, maxTurns: 10 });
    expect(dialogues).toEqual([[u('Hello World'), a('Hi!')], shareGptTurns, [u('q'), a('r')]]);
    expect(report).toEqual({
      records: 6,
      imported: 3,
      duplicates: 1,
      dropped: { 'no-exchange': 1, 'turn-too-long': 1 },
      errors: [{ line: 3, message: expect.stringMatching(/^invalid JSON/) }],
    });
  });

  it('imports a JSON array and a single object, honouring the format option', () => {
    const options = { maxTurnChars: 100, maxTurns: 10 };
    expect(importDialogues(JSON.stringify([openAi, shareGpt, openAi]), options)).toMatchObject({
      dialogues: [openAiTurns, shareGptTurns],
      report: { records: 3, imported: 2, duplicates: 1, dropped: {}, errors: [] },
    });
    expect(importDialogues(JSON.stringify(shareGpt), { ...options, format: 'json' }).dialogues).toEqual([shareGptTurns]);
  });

  it('never throws on bad data', () => {
    for (const text of ['', '[', '{', 'null', '"text"', '[1, 2]', '{"messages": null}']) {
      expect(() => importDialogues(text, limits)).not.toThrow();
    }
    expect(importDialogues('[1, 2]', limits).report.errors).toHaveLength(2);
  });
});
