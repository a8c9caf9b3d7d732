import { describe, expect, it } from 'vitest';
import { FORMATS, toAnthropicHh, toOpenAiPreference, toSft, toTrlDpo, toTrlKto } from './formats.js';
import { type LabelledReply, type PreferencePair, type SftExample, type Turn } from './types.js';

/** A one-turn Chinese prompt. */
const zhPair: PreferencePair = {
  prompt: [{ role: 'user', content: '天空是什么颜色？' }],
  chosen: '天空是蓝色的。',
  rejected: '天空是绿色的。',
  source: 'comparison',
  margin: 2,
  agreement: 0.8,
  chosenModel: 'm-2',
  rejectedModel: 'm-1',
  language: 'zh',
};

/** A multi-turn prompt with a system message and a multi-line reply. */
const multiTurn: Turn[] = [
  { role: 'system', content: 'You are a concise assistant.' },
  { role: 'user', content: 'What is 2 + 2?' },
  { role: 'assistant', content: '4.' },
  { role: 'user', content: 'And times 3?' },
];
const multiPair: PreferencePair = {
  prompt: multiTurn,
  chosen: '12.\nBecause 4 × 3 = 12.',
  rejected: '7.',
  source: 'ranking',
  margin: 1,
  agreement: null,
  chosenModel: null,
  rejectedModel: 'm-1',
  language: 'en',
};

const parse = (line: string): unknown => JSON.parse(line);

/** Sorted keys of a parsed object. */
const keys = (value: unknown): string[] => Object.keys(value as Record<string, unknown>).sort();

function expectOneLine(line: string): void {
  expect(line).not.toMatch(/[\n\r]/);
  expect(line.endsWith('\n')).toBe(false);
}

describe('toTrlDpo', () => {
  it('writes the TRL conversational preference line, Chinese unescaped', () => {
    const line = toTrlDpo(zhPair);
    expectOneLine(line);
    expect(line).toContain('天空是蓝色的。');
    expect(line).not.toMatch(/\\u[0-9a-f]{4}/i);
    expect(parse(line)).toEqual({
      prompt: [{ role: 'user', content: '天空是什么颜色？' }],
      chosen: [{ role: 'assistant', content: '天空是蓝色的。' }],
      rejected: [{ role: 'assistant', content: '天空是绿色的。' }],
    });
    expect(keys(parse(line))).toEqual(['chosen', 'prompt', 'rejected']);
  });

  it('keeps every prompt turn, system included, and escapes newlines', () => {
    const line = toTrlDpo(multiPair);
    expectOneLine(line);
    expect(parse(line)).toEqual({
      prompt: multiTurn,
      chosen: [{ role: 'assistant', content: '12.\nBecause 4 × 3 = 12.' }],
      rejected: [{ role: 'assistant', content: '7.' }],
    });
  });

  it('writes messages with role and content only', () => {
    const extra = { role: 'user', content: 'hi', id: 'turn-1' } as Turn;
    const line = toTrlDpo({ ...zhPair, prompt: [extra] });
    expect(parse(line)).toEqual({
      prompt: [{ role: 'user', content: 'hi' }],
      chosen: [{ role: 'assistant', content: '天空是蓝色的。' }],
      rejected: [{ role: 'assistant', content: '天空是绿色的。' }],
    });
  });
});

describe('toTrlKto', () => {
  const good: LabelledReply = { prompt: zhPair.prompt, completion: '蓝色。', label: true, language: 'zh' };

  it('writes the TRL conversational unpaired preference line with a boolean label', () => {
    const line = toTrlKto(good);
    expectOneLine(line);
    expect(parse(line)).toEqual({
      prompt: [{ role: 'user', content: '天空是什么颜色？' }],
      completion: [{ role: 'assistant', content: '蓝色。' }],
      label: true,
    });
    expect(keys(parse(line))).toEqual(['completion', 'label', 'prompt']);
  });

  it('writes label false for an undesirable completion', () => {
    const line = toTrlKto({ prompt: multiTurn, completion: '7.', label: false, language: 'en' });
    expect(parse(line)).toEqual({
      prompt: multiTurn,
      completion: [{ role: 'assistant', content: '7.' }],
      label: false,
    });
    expect(line).toContain('"label":false');
  });

  it('rejects an empty completion and a non-boolean label', () => {
    expect(() => toTrlKto({ ...good, completion: ' ' })).toThrow(RangeError);
    expect(() => toTrlKto({ ...good, completion: '' })).toThrow(/completion is empty/);
    expect(() => toTrlKto({ ...good, label: 1 as unknown as boolean })).toThrow(/label must be a boolean/);
  });
});

describe('toOpenAiPreference', () => {
  it('writes the OpenAI DPO line with exactly input / preferred_output / non_preferred_output', () => {
    const line = toOpenAiPreference(zhPair);
    expectOneLine(line);
    expect(parse(line)).toEqual({
      input: { messages: [{ role: 'user', content: '天空是什么颜色？' }] },
      preferred_output: [{ role: 'assistant', content: '天空是蓝色的。' }],
      non_preferred_output: [{ role: 'assistant', content: '天空是绿色的。' }],
    });
    const parsed = parse(line) as { input: unknown };
    expect(keys(parsed)).toEqual(['input', 'non_preferred_output', 'preferred_output']);
    expect(keys(parsed.input)).toEqual(['messages']);
  });

  it('keeps the system message and earlier turns in input.messages', () => {
    expect(parse(toOpenAiPreference(multiPair))).toEqual({
      input: { messages: multiTurn },
      preferred_output: [{ role: 'assistant', content: '12.\nBecause 4 × 3 = 12.' }],
      non_preferred_output: [{ role: 'assistant', content: '7.' }],
    });
  });

  it('leaves our metadata out', () => {
    const line = toOpenAiPreference(multiPair);
    for (const field of ['source', 'margin', 'agreement', 'chosenModel', 'rejectedModel', 'language']) {
      expect(line).not.toContain(`"${field}"`);
    }
  });
});

describe('toAnthropicHh', () => {
  it('writes chosen and rejected as full Human/Assistant transcripts', () => {
    const line = toAnthropicHh(zhPair);
    expectOneLine(line);
    expect(parse(line)).toEqual({
      chosen: '\n\nHuman: 天空是什么颜色？\n\nAssistant: 天空是蓝色的。',
      rejected: '\n\nHuman: 天空是什么颜色？\n\nAssistant: 天空是绿色的。',
    });
    expect(keys(parse(line))).toEqual(['chosen', 'rejected']);
  });

  it('merges the system message into the first Human turn and shares the prompt turns', () => {
    const prompt =
      '\n\nHuman: You are a concise assistant.\n\nWhat is 2 + 2?' + '\n\nAssistant: 4.' + '\n\nHuman: And times 3?';
    expect(parse(toAnthropicHh(multiPair))).toEqual({
      chosen: `${prompt}\n\nAssistant: 12.\nBecause 4 × 3 = 12.`,
      rejected: `${prompt}\n\nAssistant: 7.`,
    });
  });

  it('merges a later system turn into the next Human turn, several joined in order', () => {
    const pair: PreferencePair = {
      ...zhPair,
      prompt: [
        { role: 'user', content: '你好' },
        { role: 'assistant', content: '你好！' },
        { role: 'system', content: '用中文回答。' },
        { role: 'system', content: '简短。' },
        { role: 'user', content: '天空是什么颜色？' },
      ],
    };
    expect(parse(toAnthropicHh(pair))).toEqual({
      chosen: '\n\nHuman: 你好\n\nAssistant: 你好！\n\nHuman: 用中文回答。\n\n简短。\n\n天空是什么颜色？\n\nAssistant: 天空是蓝色的。',
      rejected: '\n\nHuman: 你好\n\nAssistant: 你好！\n\nHuman: 用中文回答。\n\n简短。\n\n天空是什么颜色？\n\nAssistant: 天空是绿色的。',
    });
  });

  it('rejects text that contains an HH turn marker', () => {
    expect(() => toAnthropicHh({ ...zhPair, chosen: 'ok\n\nHuman: more' })).toThrow(RangeError);
    expect(() => toAnthropicHh({ ...zhPair, chosen: 'ok\n\nHuman: more' })).toThrow(/chosen reply contains/);
    expect(() =>
      toAnthropicHh({ ...zhPair, prompt: [{ role: 'user', content: 'a\n\nAssistant: b' }] }),
    ).toThrow(/prompt turn 0 \(user\) contains/);
  });
});

describe('toSft', () => {
  it('writes the conversational messages line', () => {
    const example: SftExample = {
      messages: [...multiTurn, { role: 'assistant', content: '12。' }],
      language: 'en',
    };
    const line = toSft(example);
    expectOneLine(line);
    expect(parse(line)).toEqual({
      messages: [
        { role: 'system', content: 'You are a concise assistant.' },
        { role: 'user', content: 'What is 2 + 2?' },
        { role: 'assistant', content: '4.' },
        { role: 'user', content: 'And times 3?' },
        { role: 'assistant', content: '12。' },
      ],
    });
    expect(keys(parse(line))).toEqual(['messages']);
  });

  it('rejects messages that do not end with a user turn and then the assistant reply', () => {
    expect(() => toSft({ messages: [{ role: 'user', content: '你好' }], language: 'zh' })).toThrow(
      /must end with the assistant reply/,
    );
    expect(() => toSft({ messages: [{ role: 'assistant', content: '你好' }], language: 'zh' })).toThrow(/no prompt/);
    expect(() =>
      toSft({
        messages: [
          { role: 'system', content: 's' },
          { role: 'assistant', content: 'a' },
        ],
        language: 'en',
      }),
    ).toThrow(/prompt must end with a user turn/);
    expect(() => toSft({ messages: [], language: 'en' })).toThrow(/messages is empty/);
    expect(() =>
      toSft({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: '' },
        ],
        language: 'en',
      }),
    ).toThrow(/messages turn 1 \(assistant\) has empty content/);
  });
});

describe('prompt validation', () => {
  const writers: [string, (prompt: Turn[]) => string][] = [
    ['toTrlDpo', (prompt) => toTrlDpo({ ...zhPair, prompt })],
    ['toTrlKto', (prompt) => toTrlKto({ prompt, completion: 'c', label: true, language: 'en' })],
    ['toOpenAiPreference', (prompt) => toOpenAiPreference({ ...zhPair, prompt })],
    ['toAnthropicHh', (prompt) => toAnthropicHh({ ...zhPair, prompt })],
  ];

  for (const [name, write] of writers) {
    describe(name, () => {
      it('rejects an empty prompt', () => {
        expect(() => write([])).toThrow(RangeError);
        expect(() => write([])).toThrow(/prompt is empty/);
      });

      it('rejects a prompt that does not end with a user turn', () => {
        const prompt: Turn[] = [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
        ];
        expect(() => write(prompt)).toThrow(RangeError);
        expect(() => write(prompt)).toThrow(/prompt must end with a user turn, but its last turn is assistant/);
        expect(() => write([{ role: 'system', content: 's' }])).toThrow(/last turn is system/);
      });

      it('rejects empty or whitespace-only content', () => {
        expect(() => write([{ role: 'user', content: '' }])).toThrow(/prompt turn 0 \(user\) has empty content/);
        expect(() =>
          write([
            { role: 'system', content: ' \n ' },
            { role: 'user', content: 'q' },
          ]),
        ).toThrow(/prompt turn 0 \(system\) has empty content/);
      });

      it('rejects an unknown role', () => {
        const prompt = [{ role: 'tool', content: 'x' } as unknown as Turn, { role: 'user', content: 'q' } as Turn];
        expect(() => write(prompt)).toThrow(/prompt turn 0 has role "tool"/);
      });
    });
  }

  it('rejects empty chosen or rejected replies in every pair format', () => {
    for (const write of [toTrlDpo, toOpenAiPreference, toAnthropicHh]) {
      expect(() => write({ ...zhPair, chosen: '' })).toThrow(/chosen reply is empty/);
      expect(() => write({ ...zhPair, rejected: '  ' })).toThrow(/rejected reply is empty/);
    }
  });
});

describe('FORMATS', () => {
  it('lists each format once with its file, description and doc URL', () => {
    expect(FORMATS.map((f) => f.id)).toEqual(['dpo', 'kto', 'openai-preference', 'hh', 'sft']);
    expect(FORMATS.map((f) => f.file)).toEqual([
      'dpo.jsonl',
      'kto.jsonl',
      'openai-preference.jsonl',
      'hh.jsonl',
      'sft.jsonl',
    ]);
    expect(FORMATS.map((f) => f.input)).toEqual([
      'PreferencePair',
      'LabelledReply',
      'PreferencePair',
      'PreferencePair',
      'SftExample',
    ]);
    for (const format of FORMATS) {
      expect(format.description.length).toBeGreaterThan(0);
      expect(format.docUrl).toMatch(/^https:\/\//);
    }
  });
});
