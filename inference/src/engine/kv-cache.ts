import '../no-telemetry.js';
import * as ort from 'onnxruntime-node';

/** Where a row's real positions lie in a set of buffers shaped [rows, kvHeads, cap, headDim]. */
export interface RowSource {
  from: Float32Array[];
  row: number;
  cap: number;
  start: number;
  width: number;
}

export interface KvShape {
  layers: number;
  kvHeads: number;
  headDim: number;
  /** Largest context the model takes; capacity never needs to pass it. */
  maxPositions: number;
}

/** Positions allocated beyond the filled ones, so a step rarely has to grow the cache. */
const SLACK = 32;

/**
 * The KV cache of a running batch, kept by the engine rather than re-read from the model
 * each step. Per layer, keys and values live in buffers shaped [rows, kvHeads, capacity,
 * headDim]; a row's real positions run from its left padding to `filled`, and the slots
 * from `filled` to `capacity` are empty, masked out in the attention mask. A decode step
 * feeds the whole buffer as the past and writes only the new position back, so nothing is
 * reallocated or copied per step except when rows join or leave, or capacity runs out.
 */
export class BatchKvCache {
  /** Left padding of each row. */
  pads: number[] = [];
  /** Positions filled in every row (padding included). */
  filled = 0;
  capacity = 0;
  /** Bytes the key and value buffers hold (`dialoop_inference_kv_cache_bytes`), set when they are rebuilt. */
  bytes = 0;
  private buffers: Float32Array[] = [];

  constructor(private readonly shape: KvShape) {}

  get rows(): number {
    return this.pads.length;
  }

  clear(): void {
    this.pads = [];
    this.filled = 0;
    this.capacity = 0;
    this.bytes = 0;
    this.buffers = [];
  }

  /** The past for a step: the whole capacity, empty slots included. */
  pastTensors(): ort.Tensor[] {
    const dims = [this.rows, this.shape.kvHeads, this.capacity, this.shape.headDim];
    return this.buffers.map((b) => new ort.Tensor('float32', b, dims));
  }

  /**
   * [rows, capacity + count]: a row's real positions, then the step's `count` new columns at
   * index `capacity` on. Row r's first `real[r]` new columns are real (all when `real` is not
   * given); the rest are padding after its last token (a prompt that ends inside a chunk).
   */
  attentionMask(count = 1, real?: readonly number[]): BigInt64Array {
    const width = this.capacity + count;
    const mask = new BigInt64Array(this.rows * width);
    this.pads.forEach((pad, r) => {
      mask.fill(1n, r * width + pad, r * width + this.filled);
      const at = r * width + this.capacity;
      mask.fill(1n, at, at + (real?.[r] ?? count));
    });
    return mask;
  }

  /** [rows, count]: the position id of each new column, its row's real tokens before it (padding repeats the last). */
  positions(count = 1, real?: readonly number[]): BigInt64Array {
    const out = new BigInt64Array(this.rows * count);
    this.pads.forEach((pad, r) => {
      const base = this.filled - pad;
      const last = (real?.[r] ?? count) - 1;
      for (let j = 0; j < count; j++) out[r * count + j] = BigInt(base + Math.min(j, last));
    });
    return out;
  }

  /** The position id of each row's next token: its real tokens so far. */
  nextPositions(): BigInt64Array {
    return this.positions(1);
  }

  /**
   * Makes room for `count` more positions in every row; when the buffers must grow, they get
   * room for `reserve` (so a prefill in chunks does not copy the cache at every chunk).
   */
  ensureRoom(count = 1, reserve = count): void {
    if (this.filled + count <= this.capacity) return;
    // The reserve never takes the width past the model's positions (some exported graphs size their masks by it).
    const room = Math.max(count, Math.min(reserve, this.shape.maxPositions - this.filled));
    this.rebuild(this.pads.map((_, r) => this.rowSource(r)), this.pads, this.filled, room);
  }

  /**
   * Stores a step's `count` new keys and values at positions `filled`… of every row. `outputs[i]`
   * is either the new positions alone ([rows, kvHeads, count, headDim], `stride` count, `at` 0)
   * or a whole present ([rows, kvHeads, capacity + count, headDim], `stride` capacity + count,
   * `at` capacity).
   */
  append(outputs: Float32Array[], stride: number, at: number, count = 1): void {
    const { kvHeads: h, headDim: d } = this.shape;
    if (this.filled + count > this.capacity) throw new Error(`KV cache has room for ${this.capacity - this.filled} positions, not ${count}`);
    outputs.forEach((src, i) => {
      const dst = this.buffers[i]!;
      for (let r = 0; r < this.rows; r++) {
        for (let hh = 0; hh < h; hh++) {
          const from = ((r * h + hh) * stride + at) * d;
          dst.set(src.subarray(from, from + count * d), ((r * h + hh) * this.capacity + this.filled) * d);
        }
      }
    });
    this.filled += count;
  }

  /** Row r's real positions, up to `end` (default `filled`), as a source for another cache's `addRows`. */
  rowSource(r: number, end = this.filled): RowSource {
    const pad = this.pads[r]!;
    return { from: this.buffers, row: r, cap: this.capacity, start: pad, width: end - pad };
  }

  /** Copies of row r's first `width` real positions, one [kvHeads, width, headDim] array per key and value buffer. */
  extract(r: number, width: number): Float32Array[] {
    const { kvHeads: h, headDim: d } = this.shape;
    const start = this.pads[r]!;
    return this.buffers.map((src) => {
      const dst = new Float32Array(h * width * d);
      for (let hh = 0; hh < h; hh++) {
        const from = ((r * h + hh) * this.capacity + start) * d;
        dst.set(src.subarray(from, from + width * d), hh * width * d);
      }
      return dst;
    });
  }

  /**
   * Adds rows after the existing ones, each right-aligned at `filled` (which grows to the
   * longest), so every row's next position is the same column. A source of width 0 is a row
   * with nothing cached yet.
   */
  addRows(sources: RowSource[]): void {
    if (sources.length === 0) return;
    const filled = Math.max(this.filled, ...sources.map((s) => s.width));
    const all = [...this.pads.map((_, r) => this.rowSource(r)), ...sources];
    this.rebuild(all, all.map((s) => filled - s.width), filled);
  }

  /**
   * Adds prefilled rows. `kv[i]` is [joined, kvHeads, len, headDim] with row j left-padded by
   * `pads[j]`; only rows listed in `live` are kept, and only the columns they need.
   */
  admit(kv: Float32Array[], len: number, pads: number[], live: number[]): void {
    this.addRows(live.map((j) => ({ from: kv, row: j, cap: len, start: pads[j]!, width: len - pads[j]! })));
  }

  /** Keeps the listed rows, in order, and drops the left padding none of them needs. */
  keep(rows: number[]): void {
    if (rows.length === 0) {
      this.clear();
      return;
    }
    const trim = Math.min(...rows.map((r) => this.pads[r]!));
    this.rebuild(rows.map((r) => this.rowSource(r)), rows.map((r) => this.pads[r]! - trim), this.filled - trim);
  }

  /** New buffers holding each source row right-aligned at `filled`, with fresh slack (at least `room` positions). */
  private rebuild(sources: RowSource[], pads: number[], filled: number, room = 1): void {
    const { layers, kvHeads: h, headDim: d, maxPositions } = this.shape;
    const capacity = Math.max(filled + room, Math.min(filled + SLACK, maxPositions));
    const buffers = Array.from({ length: 2 * layers }, (_, i) => {
      const dst = new Float32Array(sources.length * h * capacity * d);
      sources.forEach((s, k) => {
        if (s.width === 0) return;
        const src = s.from[i]!;
        const at = filled - s.width;
        for (let hh = 0; hh < h; hh++) {
          const from = ((s.row * h + hh) * s.cap + s.start) * d;
          dst.set(src.subarray(from, from + s.width * d), ((k * h + hh) * capacity + at) * d);
        }
      });
      return dst;
    });
    this.buffers = buffers;
    this.bytes = buffers.reduce((n, b) => n + b.byteLength, 0);
    this.pads = pads;
    this.filled = filled;
    this.capacity = capacity;
  }
}
