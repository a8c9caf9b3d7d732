import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';

export interface ChatMessage {
  role: string;
  content: string;
}

interface TokenizerJson {
  added_tokens?: { id: number; content: string; special?: boolean }[];
  decoder?: { type?: string; decoders?: { type?: string }[] } | null;
  pre_tokenizer?: { type?: string; pretokenizers?: { type?: string }[] } | null;
  model?: { vocab?: Record<string, number> | [string, number][]; byte_fallback?: boolean };
}

type TokenizerConfig = Record<string, unknown> & { chat_template?: unknown };

/** GPT-2's byte -> printable character map, inverted: the ByteLevel symbols back to bytes. */
function byteLevelDecoder(): Map<string, number> {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, i) => [String.fromCharCode(cs[i]!), b]));
}

function usesType(node: { type?: string; decoders?: { type?: string }[]; pretokenizers?: { type?: string }[] } | null | undefined, type: string): boolean {
  if (!node) return false;
  if (node.type === type) return true;
  return [...(node.decoders ?? []), ...(node.pretokenizers ?? [])].some((d) => d.type === type);
}

function tokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'content' in value && typeof value.content === 'string') return value.content;
  return undefined;
}

const encoder = new TextEncoder();

/**
 * A Hugging Face tokenizer folder (tokenizer.json + tokenizer_config.json) with its chat
 * template, plus the byte sequence of every token, which streaming detokenization and
 * the UTF-8 logit mask work on.
 */
export class ChatTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly template: Template;
  /** bytes of each id; null for special tokens (no text); undefined for unused ids. */
  readonly tokenBytes: (Uint8Array | null)[];
  readonly specialIds: ReadonlySet<number>;
  readonly eosTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  private readonly templateVars: Record<string, unknown>;
  /** Matches any special-token string (undefined when the tokenizer has none). */
  private readonly specialPattern: RegExp | undefined;

  constructor(json: TokenizerJson, config: TokenizerConfig, vocabSize: number) {
    const template = config.chat_template;
    const templateText =
      typeof template === 'string'
        ? template
        : Array.isArray(template)
          ? (template as { name: string; template: string }[]).find((t) => t.name === 'default')?.template
          : undefined;
    if (!templateText) throw new Error('tokenizer_config.json has no chat_template');
    this.tokenizer = new Tokenizer(json, config);
    this.template = new Template(templateText);
    this.templateVars = {
      bos_token: tokenName(config.bos_token) ?? '',
      eos_token: tokenName(config.eos_token) ?? '',
      pad_token: tokenName(config.pad_token) ?? '',
      unk_token: tokenName(config.unk_token) ?? '',
    };

    const vocab = this.tokenizer.get_vocab(true);
    let size = vocabSize;
    for (const id of vocab.values()) size = Math.max(size, id + 1);
    this.tokenBytes = new Array<Uint8Array | null>(size);
    const byteLevel = usesType(json.decoder, 'ByteLevel') || usesType(json.pre_tokenizer, 'ByteLevel');
    const b2b = byteLevel ? byteLevelDecoder() : undefined;
    for (const [token, id] of vocab) {
      if (b2b) {
        const bytes: number[] = [];
        let ok = true;
        for (const ch of token) {
          const b = b2b.get(ch);
          if (b === undefined) {
            ok = false;
            break;
          }
          bytes.push(b);
        }
        this.tokenBytes[id] = ok ? Uint8Array.from(bytes) : encoder.encode(token);
      } else {
        const hex = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
        this.tokenBytes[id] = hex ? Uint8Array.of(parseInt(hex[1]!, 16)) : encoder.encode(token.replaceAll('\u2581', ' '));
      }
    }
    const special = new Set<number>();
    for (const t of json.added_tokens ?? []) {
      if (t.special) {
        special.add(t.id);
        this.tokenBytes[t.id] = null;
      } else {
        this.tokenBytes[t.id] = encoder.encode(t.content);
      }
    }
    this.specialIds = special;
    const specialStrings = (json.added_tokens ?? []).filter((t) => t.special).map((t) => t.content);
    this.specialPattern =
      specialStrings.length > 0
        ? new RegExp(specialStrings.sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'u')
        : undefined;
    const eos = tokenName(config.eos_token);
    this.eosTokenId = eos ? vocab.get(eos) : undefined;
    const pad = tokenName(config.pad_token);
    this.padTokenId = pad ? vocab.get(pad) : undefined;
  }

  get vocabSize(): number {
    return this.tokenBytes.length;
  }

  /** The most bytes of text one token stands for: a text of n bytes is at least n / this many tokens. */
  get maxTokenBytes(): number {
    this.longest ??= Math.max(1, ...this.tokenBytes.map((b) => b?.length ?? 0));
    return this.longest;
  }
  private longest: number | undefined;

  /**
   * The chat template's text for `messages`; a TemplateError when the template refuses them.
   * `continueFinal` (vLLM's `continue_final_message`): the last message is an assistant reply
   * begun elsewhere, and the text ends with its content, open, for the model to go on from.
   */
  renderChat(messages: readonly ChatMessage[], opts: { continueFinal?: boolean } = {}): string {
    let text: string;
    try {
      text = this.template.render({ ...this.templateVars, messages, add_generation_prompt: !opts.continueFinal });
    } catch (err) {
      throw new TemplateError((err as Error).message);
    }
    if (!opts.continueFinal) return text;
    const last = messages.at(-1);
    if (last?.role !== 'assistant') throw new TemplateError('continuing the final message needs an assistant message last');
    // As transformers does: cut after the last occurrence of the final message's content.
    const at = text.lastIndexOf(last.content);
    if (at < 0 || last.content.length === 0) throw new TemplateError('the template does not write the final message as given');
    return text.slice(0, at + last.content.length);
  }

  /**
   * Token ids of a chat. Special tokens count only where the template writes them: message
   * content is encoded as literal text, so a user who types `<|im_end|>` cannot forge a turn.
   * The template is rendered with a placeholder for each content, then the pieces are encoded.
   */
  encodeChat(messages: readonly ChatMessage[], opts: { continueFinal?: boolean } = {}): number[] {
    const marked = messages.map((m, i) => ({ ...m, content: `\uE000${i}\uE001` }));
    const rendered = this.renderChat(marked, opts);
    const ids: number[] = [];
    for (const piece of rendered.split(/(\uE000\d+\uE001)/u)) {
      if (!piece) continue;
      const slot = /^\uE000(\d+)\uE001$/u.exec(piece);
      append(ids, slot ? this.encodeLiteral(messages[Number(slot[1])]!.content) : this.encode(piece));
    }
    return ids;
  }

  /**
   * Encodes text so that any special-token string in it stays plain text: the text is cut after
   * the first character of each special string it holds (both halves then encode as plain text),
   * found in one pass, so the cost stays linear however many there are.
   */
  encodeLiteral(text: string): number[] {
    if (!this.specialPattern) return this.encode(text);
    const ids: number[] = [];
    const pattern = new RegExp(this.specialPattern.source, 'gu');
    let start = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      append(ids, this.encode(text.slice(start, m.index + 1)));
      start = m.index + 1;
      pattern.lastIndex = start;
    }
    append(ids, this.encode(text.slice(start)));
    return ids;
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: false });
  }
}

/** Appends without spreading (a spread of a long array overflows the call stack). */
function append(target: number[], more: readonly number[]) {
  for (const id of more) target.push(id);
}

/** The model's chat template refused the messages (its own `raise_exception`, or a render error). */
export class TemplateError extends Error {}
