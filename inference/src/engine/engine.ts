import '../no-telemetry.js';
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { ModelFolder, ModelSpec } from '../model/folder.js';
import { kvNames, type LoadedSession } from '../model/session.js';
import type { ChatTokenizer } from '../model/tokenizer.js';
import { UTF8_BOUNDARY, Utf8Masks, advanceUtf8, type Utf8State } from '../model/utf8.js';
import { BatchKvCache, type RowSource } from './kv-cache.js';
import { PrefixCache } from './prefix-cache.js';
import { Sampler } from './sampler.js';
import type { FinishReason, GenerationCallbacks, GenerationRequest, SequenceHandle } from './sequence.js';
import { StopMatcher } from './stop.js';

export interface EngineOptions {
  maxBatch: number;
  maxQueue: number;
  /**
   * Prompt tokens prefilled per step, shared by the prompts joining (each gets at least
   * MIN_CHUNK); a longer prompt is prefilled in chunks, a decode step of the running batch
   * between two chunks.
   */
  prefillChunkTokens?: number;
  /** Bound of the prefix cache in bytes; 0 turns it off. */
  prefixCacheBytes?: number;
}

/** The fewest prompt tokens a joining prompt advances by per prefill step. */
const MIN_CHUNK = 16;
const DEFAULT_PREFILL_CHUNK_TOKENS = 256;

function bindMetrics(m: Metrics, model: string) {
  const finished = (finish_reason: FinishReason) => m.requests.labels({ model, finish_reason });
  return {
    timeToFirstToken: m.timeToFirstToken.labels({ model }),
    interTokenLatency: m.interTokenLatency.labels({ model }),
    tokensGenerated: m.tokensGenerated.labels({ model }),
    promptTokens: m.promptTokens.labels({ model }),
    running: m.running.labels({ model }),
    queued: m.queued.labels({ model }),
    batchSize: m.batchSize.labels({ model }),
    kvRepack: m.kvRepack.labels({ model }),
    kvCacheBytes: m.kvCacheBytes.labels({ model }),
    cancelToFree: m.cancelToFree.labels({ model }),
    prefixHits: m.prefixHits.labels({ model }),
    prefixMisses: m.prefixMisses.labels({ model }),
    prefixReusedTokens: m.prefixReusedTokens.labels({ model }),
    prefixBytes: m.prefixBytes.labels({ model }),
    prefixEntries: m.prefixEntries.labels({ model }),
    prefixEvictions: m.prefixEvictions.labels({ model }),
    rejected: m.rejected.labels({ model }),
    stepTime: { prefill: m.stepTime.labels({ model, phase: 'prefill' }), decode: m.stepTime.labels({ model, phase: 'decode' }) },
    finished: { stop: finished('stop'), length: finished('length'), cancelled: finished('cancelled') },
  };
}

export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('the server is at capacity; retry later');
    this.name = 'QueueFullError';
  }
}

class Sequence implements SequenceHandle {
  readonly sampler: Sampler;
  readonly stopper: StopMatcher;
  readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  utf8: Utf8State = UTF8_BOUNDARY;
  lastToken = -1;
  generated = 0;
  /** Tokens sampled so far, in order (the prefix cache stores prompt + reply). */
  readonly generatedIds: number[] = [];
  /** Prompt tokens whose keys and values are in the cache (reused from the prefix cache, or prefilled). */
  fed = 0;
  done = false;
  failed = false;
  cancelledAt: number | null = null;
  readonly enqueuedAt = performance.now();
  firstTokenAt: number | null = null;
  lastTokenAt: number | null = null;

  constructor(
    readonly id: number,
    readonly req: GenerationRequest,
    readonly cb: GenerationCallbacks,
    private readonly onCancel: (s: Sequence) => void,
  ) {
    this.sampler = new Sampler(req.sampling);
    this.stopper = new StopMatcher(req.stop);
  }

  cancel(): void {
    if (this.done || this.cancelledAt !== null) return;
    this.cancelledAt = performance.now();
    this.onCancel(this);
  }
}

/**
 * Continuous batching over one ONNX decoder. Between steps, finished and cancelled
 * sequences leave the batch (their KV rows are dropped) and queued ones join. Joining
 * prompts are prefilled together in chunks (chunked prefill): each loop turn runs one chunk
 * of every joining prompt (`prefillChunkTokens` shared among them) and then one decode step
 * of the running batch, so a long prompt never stalls the running streams for more than a
 * chunk, and a prompt arriving meanwhile joins at the next chunk rather than waiting for the
 * others' whole prefill. A prompt whose last chunk ran samples its first token, and its rows
 * move, left-padded, into the running batch's cache (BatchKvCache). Each decode step is one
 * `session.run` for every running sequence; it reads the new keys and values from the graph's
 * `new_key_values.*` outputs where the export has them (Dialoop's own models), else from the
 * `present.*` outputs of the Optimum layout.
 *
 * With a prefix cache (PrefixCache), a finished sequence's keys and values (prompt and reply)
 * are kept, and a joining prompt that starts with a kept sequence (the next turn of a
 * conversation, a shared system prompt, a regenerate) starts from those positions instead of
 * prefilling them.
 */
export class Engine {
  private readonly queue: Sequence[] = [];
  private rows: Sequence[] = [];
  /** Sequences taken from the queue whose prompts are being prefilled, row r of joinCache each. */
  private joining: Sequence[] = [];
  private readonly joinCache: BatchKvCache;
  /** The running rows' KV cache, row r belonging to rows[r]. */
  private readonly cache: BatchKvCache;
  private readonly prefix: PrefixCache;
  /** Bytes of keys and values per cached position (every layer). */
  private readonly bytesPerPosition: number;
  private readonly chunkTokens: number;
  /** Output names that carry the keys and values of a step, and the past inputs, in cache order. */
  private readonly kvOutputs: string[];
  private readonly kvInputs: string[];
  private readonly kvOutputsAreNew: boolean;
  private readonly session: ort.InferenceSession;
  private readonly hasPositionIds: boolean;
  private looping = false;
  private closed = false;
  private nextId = 1;
  private readonly masks: Utf8Masks;
  private readonly masksNoEos: Utf8Masks;
  private readonly eos: ReadonlySet<number>;
  private readonly padId: bigint;
  /** This model's metric series, bound once: the token path does no label lookups. */
  private readonly m: ReturnType<typeof bindMetrics>;
  readonly spec: ModelSpec;
  readonly tokenizer: ChatTokenizer;

  constructor(
    folder: ModelFolder,
    { session, hasPositionIds, hasNewKeyValues }: LoadedSession,
    private readonly opts: EngineOptions,
    metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.spec = folder.spec;
    this.tokenizer = folder.tokenizer;
    this.m = bindMetrics(metrics, this.spec.id);
    this.session = session;
    this.hasPositionIds = hasPositionIds;
    this.eos = new Set(this.spec.eosTokenIds);
    // Special tokens other than end-of-sequence have no text: never sample them.
    const banned = new Set([...this.tokenizer.specialIds].filter((id) => !this.eos.has(id)));
    if (this.tokenizer.padTokenId !== undefined && !this.eos.has(this.tokenizer.padTokenId)) banned.add(this.tokenizer.padTokenId);
    this.masks = new Utf8Masks(this.tokenizer.tokenBytes, banned);
    this.masksNoEos = new Utf8Masks(this.tokenizer.tokenBytes, new Set([...banned, ...this.eos]));
    this.padId = BigInt(this.tokenizer.padTokenId ?? this.spec.eosTokenIds[0] ?? 0);
    const { numLayers, numKvHeads, headDim, maxPositions } = this.spec;
    this.cache = new BatchKvCache({ layers: numLayers, kvHeads: numKvHeads, headDim, maxPositions });
    this.joinCache = new BatchKvCache({ layers: numLayers, kvHeads: numKvHeads, headDim, maxPositions });
    this.prefix = new PrefixCache(opts.prefixCacheBytes ?? 0);
    this.bytesPerPosition = 2 * numLayers * numKvHeads * headDim * 4;
    this.chunkTokens = Math.max(MIN_CHUNK, opts.prefillChunkTokens ?? DEFAULT_PREFILL_CHUNK_TOKENS);
    // Exported from the start (at 0), so that rates and ratios over them have data at once.
    for (const c of [this.m.prefixHits, this.m.prefixMisses, this.m.prefixReusedTokens, this.m.prefixEvictions]) c.inc(0);
    this.m.prefixBytes.set(0);
    this.m.prefixEntries.set(0);
    this.kvOutputsAreNew = hasNewKeyValues;
    this.kvOutputs = kvNames(hasNewKeyValues ? 'new_key_values' : 'present', numLayers);
    this.kvInputs = kvNames('past_key_values', numLayers);
  }

  /** Sequences queued, joining or decoding. */
  get pending(): number {
    return this.queue.length + this.joining.length + this.rows.length;
  }

  /** Cancels everything and releases the session. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of [...this.queue, ...this.joining, ...this.rows]) s.cancel();
    this.queue.length = 0;
    this.prefix.clear();
    await this.session.release();
  }

  /** Queues a sequence; throws QueueFullError when the queue is full. */
  submit(req: GenerationRequest, cb: GenerationCallbacks): SequenceHandle {
    return this.submitMany([req], [cb])[0]!;
  }

  /** Queues several sequences at once (the choices of one request), all or none. */
  submitMany(reqs: GenerationRequest[], cbs: GenerationCallbacks[]): SequenceHandle[] {
    const free = this.opts.maxBatch - this.rows.length - this.joining.length;
    if (this.queue.length + reqs.length > this.opts.maxQueue + Math.max(0, free)) {
      this.m.rejected.inc();
      throw new QueueFullError(1);
    }
    const seqs = reqs.map((req, i) => new Sequence(this.nextId++, req, cbs[i]!, (s) => this.onCancel(s)));
    this.queue.push(...seqs);
    this.updateGauges();
    void this.loop();
    return seqs;
  }

  private onCancel(s: Sequence): void {
    const at = this.queue.indexOf(s);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.finish(s, 'cancelled');
      this.updateGauges();
    }
    // A running sequence leaves at the next step boundary (see dropFinished).
  }

  private updateGauges(): void {
    this.m.running.set(this.rows.length + this.joining.length);
    this.m.queued.set(this.queue.length);
    this.m.kvCacheBytes.set(this.cache.bytes + this.joinCache.bytes);
  }

  private async loop(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    try {
      while (this.rows.length > 0 || this.queue.length > 0 || this.joining.length > 0) {
        try {
          this.dropFinished();
          this.dropCancelledJoining();
          this.takeQueued();
          if (this.joining.length > 0) await this.step('prefill', this.joining, () => this.prefillChunk());
          if (this.rows.length > 0) await this.step('decode', this.rows, () => this.decode());
        } catch (e) {
          // A bug in batch bookkeeping fails the running sequences, never the process.
          this.log.error({ model: this.spec.id, err: (e as Error).message }, 'batch bookkeeping failed');
          for (const s of [...this.rows, ...this.joining]) this.fail(s, e as Error);
          this.resetJoining();
          this.resetBatch();
        }
        // Let the event loop deliver tokens, accept requests and notice disconnects.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.looping = false;
    }
  }

  /** Runs one model step; a failure fails the sequences involved, never the process. */
  private async step(phase: 'prefill' | 'decode', involved: Sequence[], fn: () => Promise<void>): Promise<void> {
    const t0 = performance.now();
    try {
      await fn();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.log.error({ model: this.spec.id, phase, err: err.message }, 'model step failed');
      for (const s of [...involved]) this.fail(s, err);
      if (phase === 'decode') this.resetBatch();
      else this.resetJoining();
    } finally {
      this.m.stepTime[phase].observe((performance.now() - t0) / 1000);
    }
  }

  private resetBatch(): void {
    this.rows = [];
    this.cache.clear();
    this.updateGauges();
  }

  private resetJoining(): void {
    this.joining = [];
    this.joinCache.clear();
    this.updateGauges();
  }

  /** Moves queued sequences into the joining set while the batch has room, each starting from its cached prefix if any. */
  private takeQueued(): void {
    const room = this.opts.maxBatch - this.rows.length - this.joining.length;
    if (room <= 0 || this.queue.length === 0) return;
    const taken = this.queue.splice(0, room);
    const sources: RowSource[] = taken.map((s) => {
      if (!this.prefix.enabled) return { from: [], row: 0, cap: 0, start: 0, width: 0 };
      const hit = this.prefix.lookup(s.req.promptIds);
      if (!hit) {
        this.m.prefixMisses.inc();
        return { from: [], row: 0, cap: 0, start: 0, width: 0 };
      }
      this.m.prefixHits.inc();
      this.m.prefixReusedTokens.inc(hit.length);
      // Prompt tokens read, reused or prefilled (the rest are counted as their chunks run).
      this.m.promptTokens.inc(hit.length);
      s.fed = hit.length;
      return { from: hit.entry.kv, row: 0, cap: hit.entry.tokens.length, start: 0, width: hit.length };
    });
    const t0 = performance.now();
    this.joinCache.addRows(sources);
    this.m.kvRepack.observe((performance.now() - t0) / 1000);
    this.joining = [...this.joining, ...taken];
    this.updateGauges();
  }

  /** Drops joining sequences cancelled (or failed) before their prefill ended. */
  private dropCancelledJoining(): void {
    this.finishCancelled(this.joining);
    const keep = this.joining.map((s, r) => (s.done ? -1 : r)).filter((r) => r >= 0);
    if (keep.length === this.joining.length) return;
    this.joinCache.keep(keep);
    this.joining = keep.map((r) => this.joining[r]!);
    this.updateGauges();
  }

  private feeds(inputIds: BigInt64Array, mask: BigInt64Array, positions: BigInt64Array, batch: number, seq: number, past: ort.Tensor[]): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', inputIds, [batch, seq]),
      attention_mask: new ort.Tensor('int64', mask, [batch, mask.length / batch]),
    };
    if (this.hasPositionIds) feeds.position_ids = new ort.Tensor('int64', positions, [batch, seq]);
    past.forEach((t, i) => (feeds[this.kvInputs[i]!] = t));
    return feeds;
  }

  /**
   * Runs the next chunk of every joining prompt in one step: each row's next tokens, left-
   * aligned, padded after its last token where its prompt ends inside the chunk. A prompt
   * that ends samples its first token and its row moves into the running batch.
   */
  private async prefillChunk(): Promise<void> {
    const joining = this.joining;
    const jc = this.joinCache;
    const a = joining.length;
    const rem = joining.map((s) => s.req.promptIds.length - s.fed);
    const width = Math.min(Math.max(...rem), Math.max(MIN_CHUNK, Math.floor(this.chunkTokens / a)));
    const real = rem.map((r) => Math.min(r, width));
    // Room for a few chunks at a time: fewer copies of the cache, few empty (masked) columns to attend over.
    jc.ensureRoom(width, Math.min(Math.max(...rem), 4 * width));
    const ids = new BigInt64Array(a * width).fill(this.padId);
    joining.forEach((s, r) => {
      const prompt = s.req.promptIds;
      for (let j = 0; j < real[r]!; j++) ids[r * width + j] = BigInt(prompt[s.fed + j]!);
    });
    const capacity = jc.capacity;
    const out = await this.session.run(
      this.feeds(ids, jc.attentionMask(width, real), jc.positions(width, real), a, width, jc.pastTensors()),
      ['logits', ...this.kvOutputs],
    );
    const kv = this.kvOutputs.map((n) => (out[n] as ort.Tensor).data as Float32Array);
    if (this.kvOutputsAreNew) jc.append(kv, width, 0, width);
    else jc.append(kv, capacity + width, capacity, width);
    const logits = out.logits as ort.Tensor;
    const vocab = logits.dims[2]!;
    const data = logits.data as Float32Array;
    const ending: number[] = [];
    joining.forEach((s, r) => {
      s.fed += real[r]!;
      this.m.promptTokens.inc(real[r]!);
      if (s.fed < s.req.promptIds.length) return;
      ending.push(r);
      if (!s.done && s.cancelledAt === null) this.sample(s, data, (r * width + real[r]! - 1) * vocab, vocab);
    });
    if (ending.length === 0) return;
    this.finishCancelled(ending.map((r) => joining[r]!));
    const t0 = performance.now();
    const live = ending.filter((r) => !joining[r]!.done);
    if (live.length > 0) {
      // A row's real positions end `width - real` before `filled` (the padding after its prompt).
      this.cache.addRows(live.map((r) => jc.rowSource(r, jc.filled - width + real[r]!)));
      this.rows = [...this.rows, ...live.map((r) => joining[r]!)];
    }
    const stay = joining.map((s, r) => (s.fed < s.req.promptIds.length && !s.done ? r : -1)).filter((r) => r >= 0);
    jc.keep(stay);
    this.joining = stay.map((r) => joining[r]!);
    this.updateGauges();
    this.m.kvRepack.observe((performance.now() - t0) / 1000);
  }

  private async decode(): Promise<void> {
    const cache = this.cache;
    if (cache.filled >= cache.capacity) {
      cache.ensureRoom();
      this.updateGauges();
    }
    const b = this.rows.length;
    const ids = BigInt64Array.from(this.rows, (s) => BigInt(s.lastToken));
    this.m.batchSize.observe(b);
    const out = await this.session.run(
      this.feeds(ids, cache.attentionMask(), cache.nextPositions(), b, 1, cache.pastTensors()),
      ['logits', ...this.kvOutputs],
    );
    const kv = this.kvOutputs.map((n) => (out[n] as ort.Tensor).data as Float32Array);
    if (this.kvOutputsAreNew) cache.append(kv, 1, 0);
    else cache.append(kv, cache.capacity + 1, cache.capacity);
    const logits = out.logits as ort.Tensor;
    const vocab = logits.dims[2]!;
    const data = logits.data as Float32Array;
    this.rows.forEach((s, r) => {
      if (!s.done && s.cancelledAt === null) this.sample(s, data, r * vocab, vocab);
    });
  }

  private sample(s: Sequence, logits: Float32Array, offset: number, vocab: number): void {
    const masks = s.req.ignoreEos ? this.masksNoEos : this.masks;
    const token = s.sampler.next(logits, offset, vocab, masks.allowed(s.utf8));
    if (token < 0) {
      this.fail(s, new Error('the model produced no usable logits (NaN or all masked)'));
      return;
    }
    const now = performance.now();
    if (s.firstTokenAt === null) {
      s.firstTokenAt = now;
      this.m.timeToFirstToken.observe((now - s.enqueuedAt) / 1000);
    } else if (s.lastTokenAt !== null) {
      this.m.interTokenLatency.observe((now - s.lastTokenAt) / 1000);
    }
    s.lastTokenAt = now;
    s.lastToken = token;
    s.generatedIds.push(token);
    s.generated++;
    this.m.tokensGenerated.inc();
    if (this.eos.has(token) && !s.req.ignoreEos) {
      this.finish(s, 'stop');
      return;
    }
    const bytes = this.tokenizer.tokenBytes[token];
    if (bytes) {
      s.utf8 = advanceUtf8(s.utf8, bytes) ?? UTF8_BOUNDARY;
      const text = s.decoder.decode(bytes, { stream: true });
      if (text) {
        const { release, stopped } = s.stopper.push(text);
        if (release) s.cb.onText(release);
        if (stopped) {
          this.finish(s, 'stop', false);
          return;
        }
      }
    }
    const contextFull = s.req.promptIds.length + s.generated >= this.spec.maxPositions;
    if (s.generated >= s.req.maxTokens || contextFull) this.finish(s, 'length');
  }

  /** Reports a failure once; a throwing callback is logged, never propagated into the loop. */
  private fail(s: Sequence, err: Error): void {
    if (s.done) return;
    s.done = true;
    s.failed = true;
    try {
      s.cb.onError(err);
    } catch (e) {
      this.log.error({ model: this.spec.id, err: (e as Error).message }, 'onError callback threw');
    }
  }

  /** Ends a sequence once: releases held-back text (never a partial character) and reports. */
  private finish(s: Sequence, reason: FinishReason, flush = true): void {
    if (s.done) return;
    s.done = true;
    if (flush && reason !== 'cancelled') {
      const rest = s.stopper.flush();
      if (rest) s.cb.onText(rest);
    }
    const completion = s.generated;
    const decodeSeconds = s.firstTokenAt !== null && s.lastTokenAt !== null ? (s.lastTokenAt - s.firstTokenAt) / 1000 : 0;
    this.m.finished[reason].inc();
    s.cb.onFinish({
      finishReason: reason,
      promptTokens: s.req.promptIds.length,
      completionTokens: completion,
      timeToFirstToken: s.firstTokenAt !== null ? (s.firstTokenAt - s.enqueuedAt) / 1000 : null,
      tokensPerSecond: completion > 1 && decodeSeconds > 0 ? (completion - 1) / decodeSeconds : null,
    });
  }

  /** Reports cancelled sequences as finished; their slots are freed by the caller's repack. */
  private finishCancelled(seqs: Sequence[]): void {
    const now = performance.now();
    for (const s of seqs) {
      if (s.cancelledAt !== null && !s.done) {
        this.finish(s, 'cancelled');
        this.m.cancelToFree.observe((now - s.cancelledAt) / 1000);
      }
    }
  }

  /** Removes finished and cancelled rows, and the left padding no remaining row needs. */
  private dropFinished(): void {
    this.finishCancelled(this.rows);
    const keep = this.rows.map((s, r) => (s.done ? -1 : r)).filter((r) => r >= 0);
    if (keep.length === this.rows.length) return;
    const t0 = performance.now();
    if (this.prefix.enabled && !this.closed) this.rows.forEach((s, r) => s.done && !s.failed && this.remember(s, r));
    this.cache.keep(keep);
    this.rows = keep.map((r) => this.rows[r]!);
    this.updateGauges();
    this.m.kvRepack.observe((performance.now() - t0) / 1000);
  }

  /**
   * Keeps a finished row's keys and values in the prefix cache: its prompt and every sampled
   * token but the last (which never ran through the model).
   */
  private remember(s: Sequence, r: number): void {
    const width = this.cache.filled - this.cache.pads[r]!;
    const prompt = s.req.promptIds;
    if (width > prompt.length + s.generatedIds.length || width < this.prefix.minTokens) return;
    if (width * this.bytesPerPosition > this.prefix.maxBytes) return;
    const tokens = new Int32Array(width);
    tokens.set(prompt.length <= width ? prompt : prompt.slice(0, width));
    if (width > prompt.length) tokens.set(s.generatedIds.slice(0, width - prompt.length), prompt.length);
    const evicted = this.prefix.evictions;
    this.prefix.insert(tokens, this.cache.extract(r, width));
    this.m.prefixEvictions.inc(this.prefix.evictions - evicted);
    this.m.prefixBytes.set(this.prefix.bytes);
    this.m.prefixEntries.set(this.prefix.size);
  }
}
