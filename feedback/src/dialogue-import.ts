/**
 * The pure core of `pnpm feedback import`: existing multi-turn dialogue data in, clean
 * conversations (`Turn[][]`) out, ready for the api to store. No I/O here.
 *
 * Three steps:
 *   1. {@link parseDialogues} reads OpenAI chat records (`{"messages": [{role, content}]}`) or
 *      ShareGPT records (`{"conversations": [{from, value}]}`) from a JSON array, a single JSON
 *      object or JSONL. Bad records are reported (JSONL line or array index) and skipped.
 *   2. {@link cleanDialogue} normalises the text of every turn and the shape of the dialogue, or
 *      says why the dialogue is dropped.
 *   3. {@link importDialogues} runs both and removes exact duplicates (after normalisation).
 *
 * Indentation at the start of a line is kept (code); runs of spaces/tabs inside a line are collapsed;
 * turns of other roles (`tool`, `function`, ShareGPT `observation`, …) make the whole record bad
 * rather than being silently dropped, since removing them would change what the replies answer.
 */

import { createHash } from 'node:crypto';
import { type Turn } from './types.js';

/** The input format: a JSON document (array of records or one record) or JSON Lines. */
export type DialogueFormat = 'json' | 'jsonl';

/** One dialogue as read from the input, before cleaning. */
export interface RawDialogue {
  /** The 1-based line of a JSONL record; null for JSON input. */
  line: number | null;
  /** The 0-based position of the record in the input (array index, or the n-th JSONL record). */
  index: number;
  turns: Turn[];
}

/** A record that could not be read. */
export interface ParseError {
  /** The 1-based JSONL line; null for JSON input (the message then names the array index). */
  line: number | null;
  message: string;
}

/** The result of {@link parseDialogues}. */
export interface ParseResult {
  dialogues: RawDialogue[];
  errors: ParseError[];
}

/** Size limits applied by {@link cleanDialogue}. */
export interface CleanLimits {
  /** The most characters (Unicode code points) any kept turn may have; longer drops the dialogue. */
  maxTurnChars: number;
  /** The most turns (the system turn included) a dialogue keeps; longer ones are truncated. */
  maxTurns: number;
}

/** Why {@link cleanDialogue} dropped a dialogue (the keys of the report's `dropped`). */
export type DropReason =
  /** No user turn followed by an assistant turn (after cleaning and truncation). */
  | 'no-exchange'
  /** A kept turn is longer than `maxTurnChars`. */
  | 'turn-too-long';

/** The result of {@link cleanDialogue}: the clean turns, or why the dialogue was dropped. */
export type CleanResult = { turns: Turn[] } | { dropped: DropReason };

/** Options of {@link importDialogues}. */
export interface ImportOptions extends CleanLimits {
  /** The input format; detected from the text when absent. */
  format?: DialogueFormat;
}

/** What {@link importDialogues} did. `records === imported + duplicates + Σ dropped`. */
export interface ImportReport {
  /** Well-formed records read (bad records are only counted in `errors`). */
  records: number;
  /** Dialogues returned. */
  imported: number;
  /** Clean dialogues skipped because an identical one (after normalisation) came earlier. */
  duplicates: number;
  /** Dialogues dropped by cleaning, per reason. */
  dropped: Record<string, number>;
  /** Records that could not be read. */
  errors: ParseError[];
}

/** The result of {@link importDialogues}. */
export interface ImportResult {
  dialogues: Turn[][];
  report: ImportReport;
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** A record's shape was wrong; the message says how (caught per record, never escapes). */
class RecordError extends Error {}

/** ShareGPT `from` values and the role each stands for. */
const SHAREGPT_ROLES: Readonly<Record<string, Turn['role']>> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
};

/** The roles OpenAI chat records may use here. */
const OPENAI_ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);

/** True for a plain JSON object (not an array, not null). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a JSON value for error messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The text of OpenAI message content: a string, null (an assistant turn with only tool calls:
 * empty), or an array of parts whose `text` parts are joined by a newline (other part types, such
 * as images, are skipped).
 */
function openAiContent(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw new RecordError(`${where}: content is ${describe(content)}`);
  const texts: string[] = [];
  content.forEach((part, i) => {
    if (!isObject(part)) throw new RecordError(`${where}: content part ${i} is ${describe(part)}`);
    if (part.type !== 'text') return;
    if (typeof part.text !== 'string') throw new RecordError(`${where}: content part ${i} has no text`);
    texts.push(part.text);
  });
  return texts.join('\n');
}

/** The turns of an OpenAI chat record's `messages`. */
function openAiTurns(messages: unknown[]): Turn[] {
  return messages.map((message, i) => {
    const where = `message ${i}`;
    if (!isObject(message)) throw new RecordError(`${where} is ${describe(message)}`);
    const role = message.role;
    if (typeof role !== 'string' || !OPENAI_ROLES.has(role)) {
      throw new RecordError(`${where}: unsupported role ${JSON.stringify(role)}`);
    }
    return { role: role as Turn['role'], content: openAiContent(message.content, where) };
  });
}

/** The turns of a ShareGPT record's `conversations` (`from` compared case-insensitively). */
function shareGptTurns(conversations: unknown[]): Turn[] {
  return conversations.map((entry, i) => {
    const where = `conversation entry ${i}`;
    if (!isObject(entry)) throw new RecordError(`${where} is ${describe(entry)}`);
    const from = entry.from;
    const role = typeof from === 'string' ? SHAREGPT_ROLES[from.toLowerCase()] : undefined;
    if (role === undefined) throw new RecordError(`${where}: unsupported "from" ${JSON.stringify(from)}`);
    if (typeof entry.value !== 'string') throw new RecordError(`${where}: value is ${describe(entry.value)}`);
    return { role, content: entry.value };
  });
}

/**
 * The turns of one record, OpenAI (`messages`) or ShareGPT (`conversations`); `messages` wins
 * when both are present.
 * @throws RecordError when the record has neither shape or a turn is malformed.
 */
function recordTurns(record: unknown): Turn[] {
  if (!isObject(record)) throw new RecordError(`record is ${describe(record)}, expected an object`);
  if (Array.isArray(record.messages)) return openAiTurns(record.messages);
  if (Array.isArray(record.conversations)) return shareGptTurns(record.conversations);
  throw new RecordError('record has no "messages" or "conversations" array');
}

/** Adds one record to `result`: its turns, or an error at `line` / `index`. */
function addRecord(result: ParseResult, record: unknown, line: number | null, index: number): void {
  try {
    result.dialogues.push({ line, index, turns: recordTurns(record) });
  } catch (error) {
    if (!(error instanceof RecordError)) throw error;
    const message = line === null ? `record at index ${index}: ${error.message}` : error.message;
    result.errors.push({ line, message });
  }
}

/** Reads a JSON document: an array of records or a single record. */
function parseJson(text: string): ParseResult {
  const result: ParseResult = { dialogues: [], errors: [] };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    result.errors.push({ line: null, message: `invalid JSON: ${(error as Error).message}` });
    return result;
  }
  const records = Array.isArray(document) ? document : [document];
  records.forEach((record, index) => addRecord(result, record, null, index));
  return result;
}

/** Reads JSON Lines: one record per line, blank lines skipped, line numbers 1-based. */
function parseJsonl(text: string): ParseResult {
  const result: ParseResult = { dialogues: [], errors: [] };
  let index = 0;
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch (error) {
      result.errors.push({ line, message: `invalid JSON: ${(error as Error).message}` });
      index += 1;
      return;
    }
    addRecord(result, record, line, index);
    index += 1;
  });
  return result;
}

/**
 * The format of `text`: JSON when the whole text is one JSON value or starts with `[` (an array
 * that fails to parse is reported as one JSON error), otherwise JSONL. One JSONL line alone is
 * also valid JSON, which reads the same.
 */
export function detectFormat(text: string): DialogueFormat {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return 'json';
  try {
    JSON.parse(trimmed);
    return 'json';
  } catch {
    return 'jsonl';
  }
}

/**
 * Reads dialogues from `text` in OpenAI chat or ShareGPT form (both may be mixed), as a JSON
 * array of records, a single JSON record or JSONL (detected when `hint` is absent). A leading
 * byte-order mark is ignored. Never throws on bad data: bad records are returned in `errors`
 * (with their JSONL line, or their array index in the message) and skipped.
 */
export function parseDialogues(text: string, hint?: DialogueFormat): ParseResult {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { dialogues: [], errors: [] };
  const format = hint ?? detectFormat(body);
  return format === 'json' ? parseJson(body) : parseJsonl(body);
}

// ---------------------------------------------------------------------------------------------
// Cleaning
// ---------------------------------------------------------------------------------------------

/** C0 controls except \t and \n, DEL and C1 controls (\r is turned into \n before this). */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * The cleaned text of one turn: line breaks normalised to \n, control characters (other than \n
 * and \t) removed, runs of spaces/tabs inside a line collapsed to one space (leading indentation kept), trailing spaces on each line
 * removed, runs of 3+ newlines collapsed to 2, and the whole trimmed.
 */
export function cleanText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL_CHARS, '')
    // Runs inside a line become one space; a line's leading indentation (code) is kept.
    .replace(/([^ \t\n])[ \t]+/g, '$1 ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Keeps only the leading system turns (those before any other role); later ones are dropped. */
function dropLateSystemTurns(turns: Turn[]): Turn[] {
  const firstOther = turns.findIndex((turn) => turn.role !== 'system');
  if (firstOther === -1) return turns;
  return [...turns.slice(0, firstOther), ...turns.slice(firstOther).filter((turn) => turn.role !== 'system')];
}

/** Merges consecutive turns of the same role into one, their contents joined by a blank line. */
export function mergeSameRole(turns: Turn[]): Turn[] {
  const merged: Turn[] = [];
  for (const turn of turns) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.role === turn.role) {
      merged[merged.length - 1] = { role: last.role, content: `${last.content}\n\n${turn.content}` };
    } else {
      merged.push({ ...turn });
    }
  }
  return merged;
}

/**
 * The dialogue with assistant turns before the first user turn removed (chat templates expect
 * the user to speak first after the system turn).
 */
function dropLeadingAssistantTurns(turns: Turn[]): Turn[] {
  const system = turns[0]?.role === 'system' ? turns.slice(0, 1) : [];
  const rest = turns.slice(system.length);
  const firstUser = rest.findIndex((turn) => turn.role === 'user');
  return firstUser === -1 ? system : [...system, ...rest.slice(firstUser)];
}

/** The first `maxTurns` turns, cut back so that the last one is an assistant turn. */
function truncateAtAssistant(turns: Turn[], maxTurns: number): Turn[] {
  const kept = turns.slice(0, maxTurns);
  let end = kept.length;
  while (end > 0 && kept[end - 1]?.role !== 'assistant') end -= 1;
  return kept.slice(0, end);
}

/** True when some user turn is directly followed by an assistant turn. */
function hasExchange(turns: Turn[]): boolean {
  return turns.some((turn, i) => turn.role === 'user' && turns[i + 1]?.role === 'assistant');
}

/** The length of `text` in Unicode code points (a Chinese character or an emoji counts once). */
function codePointLength(text: string): number {
  return Array.from(text).length;
}

/** Throws a RangeError unless the limits are usable (a user and an assistant turn must fit). */
function checkLimits(limits: CleanLimits): void {
  if (!Number.isInteger(limits.maxTurns) || limits.maxTurns < 2) {
    throw new RangeError(`maxTurns must be an integer >= 2, got ${limits.maxTurns}`);
  }
  if (!(limits.maxTurnChars >= 1)) {
    throw new RangeError(`maxTurnChars must be >= 1, got ${limits.maxTurnChars}`);
  }
}

/**
 * Cleans one dialogue, in this order:
 *   1. each turn's text is cleaned ({@link cleanText}) and empty turns are dropped;
 *   2. system turns after the first non-system turn are dropped;
 *   3. consecutive turns of the same role are merged (joined by a blank line), so at most one
 *      leading system turn remains and user and assistant turns alternate;
 *   4. assistant turns before the first user turn are dropped;
 *   5. the first `maxTurns` turns (system included) are kept, cut back to end with an assistant
 *      turn (this also drops trailing user turns);
 *   6. the dialogue is dropped (`no-exchange`) unless a user turn is followed by an assistant
 *      turn, and (`turn-too-long`) if any kept turn has more than `maxTurnChars` code points.
 * @throws RangeError when `limits` are unusable (a programming error, not bad data).
 */
export function cleanDialogue(turns: Turn[], limits: CleanLimits): CleanResult {
  checkLimits(limits);
  const cleaned = turns
    .map((turn) => ({ role: turn.role, content: cleanText(turn.content) }))
    .filter((turn) => turn.content !== '');
  const shaped = dropLeadingAssistantTurns(mergeSameRole(dropLateSystemTurns(cleaned)));
  const kept = truncateAtAssistant(shaped, limits.maxTurns);
  if (!hasExchange(kept)) return { dropped: 'no-exchange' };
  if (kept.some((turn) => codePointLength(turn.content) > limits.maxTurnChars)) return { dropped: 'turn-too-long' };
  return { turns: kept };
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

/** Text normalised for duplicate detection: NFKC, lower case, white space collapsed and trimmed. */
function normalizeForHash(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/**
 * The sha256 (hex) of a dialogue's normalised form: its roles and normalised contents, so two
 * dialogues differing only in case, character width (full-/half-width) or white space match.
 */
export function dialogueHash(turns: Turn[]): string {
  const normalized = turns.map((turn) => [turn.role, normalizeForHash(turn.content)]);
  return createHash('sha256').update(JSON.stringify(normalized)).digest('hex');
}

/**
 * Parses `text` ({@link parseDialogues}), cleans every dialogue ({@link cleanDialogue}) and keeps
 * the first of each set of duplicates ({@link dialogueHash}). Input order is kept.
 * @throws RangeError when the limits in `options` are unusable.
 */
export function importDialogues(text: string, options: ImportOptions): ImportResult {
  checkLimits(options);
  const parsed = parseDialogues(text, options.format);
  const report: ImportReport = {
    records: parsed.dialogues.length,
    imported: 0,
    duplicates: 0,
    dropped: {},
    errors: parsed.errors,
  };
  const dialogues: Turn[][] = [];
  const seen = new Set<string>();
  for (const raw of parsed.dialogues) {
    const result = cleanDialogue(raw.turns, options);
    if ('dropped' in result) {
      report.dropped[result.dropped] = (report.dropped[result.dropped] ?? 0) + 1;
      continue;
    }
    const hash = dialogueHash(result.turns);
    if (seen.has(hash)) {
      report.duplicates += 1;
      continue;
    }
    seen.add(hash);
    dialogues.push(result.turns);
  }
  report.imported = dialogues.length;
  return { dialogues, report };
}
