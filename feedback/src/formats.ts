/**
 * Dataset format writers: each function turns one record (a {@link PreferencePair}, a
 * {@link LabelledReply} or an {@link SftExample}) into one JSONL line — a JSON object on a single
 * line, without the trailing newline — in exactly the schema a training consumer documents.
 * Pure functions, no I/O.
 *
 * Every line is produced by `JSON.stringify`, so newlines inside text are escaped (`\n`) and the
 * line never spans two lines, while non-ASCII text (Chinese, emoji, …) stays unescaped: that is
 * valid UTF-8 JSON and every consumer below reads it as such.
 *
 * Only the keys a consumer documents are written; our own metadata (`source`, `margin`,
 * `agreement`, the model versions, `language`) never leaks into a line. Messages are written as
 * `{ "role", "content" }` and nothing else, whatever other properties a caller's objects carry.
 *
 * Validation is light: a prompt must be non-empty, end with a user turn, use only the roles
 * `system`, `user` and `assistant`, and have no empty (or whitespace-only) content; replies must
 * not be empty either. Anything else throws a `RangeError` that names the record's problem.
 */
import { type LabelledReply, type PreferencePair, type SftExample, type Turn } from './types.js';

/** The dataset formats the writers below produce. */
export type FormatId = 'dpo' | 'kto' | 'openai-preference' | 'hh' | 'sft';

/** What one format is, where it goes and who documents it. */
export interface FormatSpec {
  id: FormatId;
  /** The file name a dataset export writes this format's lines to. */
  file: string;
  /** The record type the writer takes. */
  input: 'PreferencePair' | 'LabelledReply' | 'SftExample';
  description: string;
  /** The consumer's documentation of the schema. */
  docUrl: string;
}

/** A chat message as the consumers take it: exactly `role` and `content`. */
interface Message {
  role: Turn['role'];
  content: string;
}

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);

function isBlank(text: unknown): boolean {
  return typeof text !== 'string' || !/\S/.test(text);
}

/** Checks each turn's role and content; `what` names the list in messages. */
function checkTurns(turns: readonly Turn[], what: string): void {
  if (!Array.isArray(turns) || turns.length === 0) throw new RangeError(`${what} is empty`);
  turns.forEach((turn, i) => {
    if (!ROLES.has(turn.role)) {
      throw new RangeError(`${what} turn ${i} has role ${JSON.stringify(turn.role)} (expected system, user or assistant)`);
    }
    if (isBlank(turn.content)) throw new RangeError(`${what} turn ${i} (${turn.role}) has empty content`);
  });
}

/** A prompt: non-empty, valid turns, ending with a user turn. */
function checkPrompt(prompt: readonly Turn[]): void {
  checkTurns(prompt, 'prompt');
  const last = prompt[prompt.length - 1];
  if (last?.role !== 'user') {
    throw new RangeError(`prompt must end with a user turn, but its last turn is ${last?.role ?? 'missing'}`);
  }
}

function checkReply(text: string, what: string): void {
  if (isBlank(text)) throw new RangeError(`${what} is empty`);
}

/** Copies turns as `{ role, content }` only. */
function toMessages(turns: readonly Turn[]): Message[] {
  return turns.map(({ role, content }) => ({ role, content }));
}

/*
 * The hot writers (DPO, KTO, OpenAI preference: one line per pair of a dataset export) assemble
 * their line from JSON.stringify of each string rather than of a nested object: the same bytes
 * (keys in the same order, the same escaping), about twice as fast on a million records.
 */
/** What JSON.stringify escapes in a string: `"`, `\\`, control characters and lone surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** JSON.stringify of a string, without its copy when nothing needs escaping (most text). */
const str = (s: string) => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);
const messageJson = (role: string, content: string) => `{"role":"${role}","content":${str(content)}}`;
const messagesJson = (turns: readonly Turn[]) => `[${turns.map((t) => messageJson(t.role, t.content)).join(',')}]`;
const assistantJson = (content: string) => `[{"role":"assistant","content":${str(content)}}]`;

function checkPair(pair: PreferencePair): void {
  checkPrompt(pair.prompt);
  checkReply(pair.chosen, 'chosen reply');
  checkReply(pair.rejected, 'rejected reply');
}

/**
 * TRL's conversational **preference** format (explicit prompt), read by `DPOTrainer` (and
 * `RewardTrainer`, ORPO, CPO, …):
 *
 * ```json
 * {"prompt": [{"role": "user", "content": "…"}],
 *  "chosen": [{"role": "assistant", "content": "…"}],
 *  "rejected": [{"role": "assistant", "content": "…"}]}
 * ```
 *
 * The prompt keeps every turn, system turns included (TRL's conversational messages take the
 * roles system, user and assistant; the model's chat template renders them).
 *
 * @see https://huggingface.co/docs/trl/dataset_formats#preference
 * @throws {RangeError} when the prompt is invalid or a reply is empty.
 */
export function toTrlDpo(pair: PreferencePair): string {
  checkPair(pair);
  return `{"prompt":${messagesJson(pair.prompt)},"chosen":${assistantJson(pair.chosen)},"rejected":${assistantJson(pair.rejected)}}`;
}

/**
 * TRL's conversational **unpaired preference** format, read by `KTOTrainer` (binary feedback:
 * thumbs up/down, good/bad scores):
 *
 * ```json
 * {"prompt": [{"role": "user", "content": "…"}],
 *  "completion": [{"role": "assistant", "content": "…"}],
 *  "label": true}
 * ```
 *
 * `label` is a JSON boolean: `true` for a desirable completion, `false` for an undesirable one.
 *
 * @see https://huggingface.co/docs/trl/dataset_formats#unpaired-preference
 * @see https://huggingface.co/docs/trl/kto_trainer
 * @throws {RangeError} when the prompt is invalid or the completion is empty.
 */
export function toTrlKto(reply: LabelledReply): string {
  checkPrompt(reply.prompt);
  checkReply(reply.completion, 'completion');
  if (typeof reply.label !== 'boolean') throw new RangeError(`label must be a boolean, got ${JSON.stringify(reply.label)}`);
  return `{"prompt":${messagesJson(reply.prompt)},"completion":${assistantJson(reply.completion)},"label":${reply.label}}`;
}

/**
 * OpenAI's **preference fine-tuning** (Direct Preference Optimization, fine-tuning method
 * `dpo`) training-file line:
 *
 * ```json
 * {"input": {"messages": [{"role": "user", "content": "…"}]},
 *  "preferred_output": [{"role": "assistant", "content": "…"}],
 *  "non_preferred_output": [{"role": "assistant", "content": "…"}]}
 * ```
 *
 * `input.messages` takes chat-completion messages, so system turns (and earlier assistant
 * turns) are kept as they are; the two outputs are the single final assistant message OpenAI
 * trains on ("the preferred and non-preferred messages need to be the last assistant message").
 * The optional `input.tools` and `input.parallel_tool_calls` are left out (we have no tools), and
 * no other top-level key is written: the documented line has exactly `input`,
 * `preferred_output` and `non_preferred_output`.
 *
 * @see https://platform.openai.com/docs/guides/direct-preference-optimization
 * @see https://platform.openai.com/docs/api-reference/fine-tuning/preference-input
 * @throws {RangeError} when the prompt is invalid or a reply is empty.
 */
export function toOpenAiPreference(pair: PreferencePair): string {
  checkPair(pair);
  return `{"input":{"messages":${messagesJson(pair.prompt)}},"preferred_output":${assistantJson(pair.chosen)},"non_preferred_output":${assistantJson(pair.rejected)}}`;
}

const HH_HUMAN = '\n\nHuman: ';
const HH_ASSISTANT = '\n\nAssistant: ';
/** Text that would read as a turn boundary inside an HH transcript. */
const HH_MARKER = /\n\n(?:Human|Assistant):/;

function checkHhText(text: string, what: string): void {
  if (HH_MARKER.test(text)) {
    throw new RangeError(`${what} contains "\\n\\nHuman:" or "\\n\\nAssistant:", which would split the HH transcript`);
  }
}

/**
 * Anthropic's **HH-RLHF** format (`Anthropic/hh-rlhf`, and the reward-model / PPO / DPO recipes
 * that read it): each line holds a pair of texts, `chosen` and `rejected`, each the whole
 * transcript — the shared prompt turns and then the reply — written as
 * `"\n\nHuman: …\n\nAssistant: …"`:
 *
 * ```json
 * {"chosen": "\n\nHuman: …\n\nAssistant: <chosen>",
 *  "rejected": "\n\nHuman: …\n\nAssistant: <rejected>"}
 * ```
 *
 * HH has no system role. **System turns are merged into the next Human turn**: their text,
 * then a blank line (`"\n\n"`), then the user's text — so instructions the replies were judged
 * against (e.g. "answer in Chinese") stay in the transcript instead of being dropped. (A prompt
 * ends with a user turn, so every system turn has a following Human turn to join.) Several system
 * turns in a row are joined with blank lines in order.
 *
 * Because a turn boundary is literally `"\n\nHuman:"` / `"\n\nAssistant:"`, content containing
 * either would be misread, and is rejected.
 *
 * @see https://huggingface.co/datasets/Anthropic/hh-rlhf
 * @see https://github.com/anthropics/hh-rlhf
 * @throws {RangeError} when the prompt is invalid, a reply is empty, or any text contains an HH
 *   turn marker.
 */
export function toAnthropicHh(pair: PreferencePair): string {
  checkPair(pair);
  let transcript = '';
  let pendingSystem: string[] = [];
  pair.prompt.forEach((turn, i) => {
    checkHhText(turn.content, `prompt turn ${i} (${turn.role})`);
    if (turn.role === 'system') {
      pendingSystem.push(turn.content);
    } else if (turn.role === 'user') {
      transcript += HH_HUMAN + [...pendingSystem, turn.content].join('\n\n');
      pendingSystem = [];
    } else {
      // Pending system text (a system turn just before this assistant turn) waits for the next
      // Human turn; the prompt ends with one.
      transcript += HH_ASSISTANT + turn.content;
    }
  });
  checkHhText(pair.chosen, 'chosen reply');
  checkHhText(pair.rejected, 'rejected reply');
  return JSON.stringify({
    chosen: transcript + HH_ASSISTANT + pair.chosen,
    rejected: transcript + HH_ASSISTANT + pair.rejected,
  });
}

/**
 * A supervised fine-tuning example as a conversation: TRL's conversational **language
 * modeling** format (read by `SFTTrainer`), which is also the line OpenAI's supervised
 * fine-tuning (chat) takes:
 *
 * ```json
 * {"messages": [{"role": "system", "content": "…"},
 *               {"role": "user", "content": "…"},
 *               {"role": "assistant", "content": "…"}]}
 * ```
 *
 * The messages must be a valid prompt (ending with a user turn) followed by the assistant
 * reply to imitate: the last message is an assistant turn, the one before it a user turn.
 *
 * @see https://huggingface.co/docs/trl/dataset_formats#language-modeling
 * @see https://platform.openai.com/docs/guides/supervised-fine-tuning
 * @throws {RangeError} when a message is invalid or the messages do not end with a user turn
 *   and then an assistant reply.
 */
export function toSft(example: SftExample): string {
  checkTurns(example.messages, 'messages');
  const last = example.messages[example.messages.length - 1];
  if (last?.role !== 'assistant') {
    throw new RangeError(`messages must end with the assistant reply to learn, but the last turn is ${last?.role ?? 'missing'}`);
  }
  const prompt = example.messages.slice(0, -1);
  if (prompt.length === 0) throw new RangeError('messages hold only the assistant reply: there is no prompt before it');
  checkPrompt(prompt);
  return JSON.stringify({ messages: toMessages(example.messages) });
}

/** Every format the writers produce, in the order a dataset export lists them. */
export const FORMATS: readonly FormatSpec[] = [
  {
    id: 'dpo',
    file: 'dpo.jsonl',
    input: 'PreferencePair',
    description: 'TRL conversational preference (prompt / chosen / rejected) for DPOTrainer and reward models',
    docUrl: 'https://huggingface.co/docs/trl/dataset_formats#preference',
  },
  {
    id: 'kto',
    file: 'kto.jsonl',
    input: 'LabelledReply',
    description: 'TRL conversational unpaired preference (prompt / completion / label) for KTOTrainer',
    docUrl: 'https://huggingface.co/docs/trl/dataset_formats#unpaired-preference',
  },
  {
    id: 'openai-preference',
    file: 'openai-preference.jsonl',
    input: 'PreferencePair',
    description: 'OpenAI preference fine-tuning (DPO): input.messages / preferred_output / non_preferred_output',
    docUrl: 'https://platform.openai.com/docs/guides/direct-preference-optimization',
  },
  {
    id: 'hh',
    file: 'hh.jsonl',
    input: 'PreferencePair',
    description: 'Anthropic HH-RLHF: chosen / rejected full "\\n\\nHuman: … \\n\\nAssistant: …" transcripts',
    docUrl: 'https://huggingface.co/datasets/Anthropic/hh-rlhf',
  },
  {
    id: 'sft',
    file: 'sft.jsonl',
    input: 'SftExample',
    description: 'Conversational supervised fine-tuning ({"messages": [...]}) for TRL SFTTrainer and OpenAI chat fine-tuning',
    docUrl: 'https://huggingface.co/docs/trl/dataset_formats#language-modeling',
  },
];
