/**
 * Keys and values of token sequences the engine has already run, kept so that a prompt
 * starting with one of them skips that part of its prefill: the next turn of a conversation
 * (its prompt is the previous prompt, the reply and a new message) and prompts that share a
 * system prompt. Attention keys and values at a position depend only on the tokens up to it,
 * so the first k positions of any stored sequence serve every prompt sharing its first k tokens.
 *
 * Bounded by bytes; the least recently used entries go first. An entry that is a prefix of a
 * newer one is dropped, since the newer one serves everything it did.
 */
export interface PrefixEntry {
  readonly tokens: Int32Array;
  /** One [kvHeads, tokens.length, headDim] array per key and value buffer, in cache order. */
  readonly kv: Float32Array[];
  readonly bytes: number;
}

export interface PrefixHit {
  entry: PrefixEntry;
  /** Positions of the entry that the prompt shares (and may reuse). */
  length: number;
}

export interface PrefixCacheStats {
  entries: number;
  bytes: number;
}

function commonPrefix(a: ArrayLike<number>, b: ArrayLike<number>, limit: number): number {
  const n = Math.min(a.length, b.length, limit);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export class PrefixCache {
  /** Insertion order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<number, PrefixEntry>();
  private nextKey = 1;
  bytes = 0;
  evictions = 0;

  constructor(
    readonly maxBytes: number,
    /** Shorter shared prefixes are not worth a lookup hit (nor stored). */
    readonly minTokens = 8,
  ) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The entry sharing the longest prefix with `prompt`, at most `limit` positions (a prompt
   * keeps at least its last token to run, for the logits of the next one).
   */
  lookup(prompt: readonly number[], limit = prompt.length - 1): PrefixHit | null {
    if (!this.enabled || limit < this.minTokens) return null;
    let best: PrefixHit | null = null;
    let bestKey = 0;
    for (const [key, entry] of this.entries) {
      if (entry.tokens[0] !== prompt[0]) continue;
      const length = commonPrefix(entry.tokens, prompt, limit);
      if (length >= this.minTokens && length > (best?.length ?? 0)) {
        best = { entry, length };
        bestKey = key;
      }
    }
    if (best) this.touch(bestKey, best.entry);
    return best;
  }

  /**
   * Stores the keys and values of `tokens` (`kv` as in PrefixEntry). Returns false when
   * nothing was stored: too short, larger than the whole bound, or already covered by an entry.
   */
  insert(tokens: Int32Array, kv: Float32Array[]): boolean {
    if (!this.enabled || tokens.length < this.minTokens) return false;
    const bytes = kv.reduce((n, a) => n + a.byteLength, 0);
    if (bytes > this.maxBytes) return false;
    for (const [key, e] of this.entries) {
      const shared = commonPrefix(e.tokens, tokens, Math.max(e.tokens.length, tokens.length));
      if (shared === tokens.length) {
        // Covered by a longer or equal entry: keep that one, now the most recently used.
        this.touch(key, e);
        return false;
      }
      if (shared === e.tokens.length) this.remove(key, e);
    }
    this.entries.set(this.nextKey++, { tokens, kv, bytes });
    this.bytes += bytes;
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(key, e);
      this.evictions++;
    }
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private touch(key: number, entry: PrefixEntry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private remove(key: number, entry: PrefixEntry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
