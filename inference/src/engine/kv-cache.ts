import '../no-telemetry.js';
import * as ort from 'onnxruntime-node';

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

  /** The past for a decode step: the whole capacity, empty slots included. */
  pastTensors(): ort.Tensor[] {
    const dims = [this.rows, this.shape.kvHeads, this.capacity, this.shape.headDim];
    return this.buffers.map((b) => new ort.Tensor('float32', b, dims));
  }

  /** [rows, capacity + 1]: a row's real positions and the new token at index `capacity`. */
  attentionMask(): BigInt64Array {
    const width = this.capacity + 1;
    const mask = new BigInt64Array(this.rows * width);
    this.pads.forEach((pad, r) => {
      mask.fill(1n, r * width + pad, r * width + this.filled);
      mask[r * width + this.capacity] = 1n;
    });
    return mask;
  }

  /** The position id of each row's next token: its real tokens so far. */
  nextPositions(): BigInt64Array {
    return BigInt64Array.from(this.pads, (pad) => BigInt(this.filled - pad));
  }

  /** Makes room for one more position in every row. */
  ensureRoom(): void {
    if (this.filled < this.capacity) return;
    this.rebuild(this.pads.map((_, r) => ({ from: this.buffers, row: r, cap: this.capacity, start: 0, width: this.filled })), this.pads, this.filled);
  }

  /**
   * Stores the step's new keys and values at position `filled` of every row. `outputs[i]`
   * is either the new positions alone ([rows, kvHeads, 1, headDim], `stride` 1, `at` 0) or
   * a whole present ([rows, kvHeads, capacity + 1, headDim], `stride` capacity + 1, `at` capacity).
   */
  append(outputs: Float32Array[], stride: number, at: number): void {
    const { kvHeads: h, headDim: d } = this.shape;
    outputs.forEach((src, i) => {
      const dst = this.buffers[i]!;
      for (let r = 0; r < this.rows; r++) {
        for (let hh = 0; hh < h; hh++) {
          const from = ((r * h + hh) * stride + at) * d;
          dst.set(src.subarray(from, from + d), ((r * h + hh) * this.capacity + this.filled) * d);
        }
      }
    });
    this.filled += 1;
  }

  /**
   * Adds prefilled rows. `kv[i]` is [joined, kvHeads, len, headDim] with row j left-padded by
   * `pads[j]`; only rows listed in `live` are kept, and only the columns they need.
   */
  admit(kv: Float32Array[], len: number, pads: number[], live: number[]): void {
    if (live.length === 0) return;
    const liveLen = Math.max(...live.map((j) => len - pads[j]!));
    const skip = len - liveLen;
    const filled = Math.max(this.filled, liveLen);
    const sources = [
      ...this.pads.map((_, r) => ({ from: this.buffers, row: r, cap: this.capacity, start: 0, width: this.filled })),
      ...live.map((j) => ({ from: kv, row: j, cap: len, start: skip, width: liveLen })),
    ];
    const newPads = [...this.pads.map((p) => p + filled - this.filled), ...live.map((j) => pads[j]! - skip + filled - liveLen)];
    this.rebuild(sources, newPads, filled);
  }

  /** Keeps the listed rows, in order, and drops the left padding none of them needs. */
  keep(rows: number[]): void {
    if (rows.length === 0) {
      this.clear();
      return;
    }
    const trim = Math.min(...rows.map((r) => this.pads[r]!));
    const sources = rows.map((r) => ({ from: this.buffers, row: r, cap: this.capacity, start: trim, width: this.filled - trim }));
    this.rebuild(sources, rows.map((r) => this.pads[r]! - trim), this.filled - trim);
  }

  /** New buffers holding each source row right-aligned at `filled`, with fresh slack. */
  private rebuild(sources: { from: Float32Array[]; row: number; cap: number; start: number; width: number }[], pads: number[], filled: number): void {
    const { layers, kvHeads: h, headDim: d, maxPositions } = this.shape;
    const capacity = Math.max(filled + 1, Math.min(filled + SLACK, maxPositions));
    const buffers = Array.from({ length: 2 * layers }, (_, i) => {
      const dst = new Float32Array(sources.length * h * capacity * d);
      sources.forEach((s, k) => {
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
