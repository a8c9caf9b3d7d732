/**
 * The sample DPO and KTO files under test/fixtures are what the writers produce for a few
 * hand-built records (Chinese, a system message, several turns); `training/` loads them in its
 * Python tests with the checks TRL's trainers need. This test keeps the files and the writers in
 * step: run it with UPDATE_FIXTURES=1 to write them again after a deliberate format change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toTrlDpo, toTrlKto } from '../src/formats.js';
import type { LabelledReply, PreferencePair, Turn } from '../src/types.js';

const zh: Turn[] = [{ role: 'user', content: '天空为什么是蓝色的？' }];
const multi: Turn[] = [
  { role: 'system', content: 'You are a concise assistant.' },
  { role: 'user', content: 'Name a prime number.' },
  { role: 'assistant', content: '7.' },
  { role: 'user', content: 'Another one, please.' },
];
const base = { source: 'comparison', margin: 1, agreement: 1, chosenModel: 'dialoop-tiny', rejectedModel: 'dialoop-tiny' } as const;

const PAIRS: PreferencePair[] = [
  { ...base, prompt: zh, chosen: '因为瑞利散射：短波长的蓝光散射得最多。', rejected: '不知道。', language: 'zh' },
  { ...base, prompt: multi, chosen: '11.', rejected: 'Seven again: 7.', language: 'en', source: 'ranking', margin: 0.5, agreement: 0.75 },
  { ...base, prompt: [{ role: 'user', content: 'Say hi\nin two lines.' }], chosen: 'Hi!\nHello!', rejected: 'hi', language: 'en', source: 'correction', chosenModel: null },
];
const LABELLED: LabelledReply[] = [
  { prompt: zh, completion: '因为瑞利散射。', label: true, language: 'zh' },
  { prompt: multi, completion: '4.', label: false, language: 'en' },
];

const files = {
  'dpo.sample.jsonl': PAIRS.map(toTrlDpo),
  'kto.sample.jsonl': LABELLED.map(toTrlKto),
};

describe('sample files for training/', () => {
  for (const [name, lines] of Object.entries(files)) {
    it(`${name} is what the writer produces`, () => {
      const url = new URL(`./fixtures/${name}`, import.meta.url);
      const expected = `${lines.join('\n')}\n`;
      if (process.env.UPDATE_FIXTURES === '1') writeFileSync(url, expected);
      expect(readFileSync(url, 'utf8')).toBe(expected);
    });
  }
});
