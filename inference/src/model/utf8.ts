/**
 * UTF-8 validity as a state machine over bytes, used to mask logits so that a model
 * whose tokens are bytes (or byte fragments) can only produce valid UTF-8.
 *
 * A state is "how many continuation bytes are still needed, and the range the next one
 * must fall in" (RFC 3629, table 3-7): E0 needs A0..BF next, ED 80..9F, F0 90..BF, F4 80..8F.
 */
export interface Utf8State {
  readonly need: number;
  readonly lo: number;
  readonly hi: number;
}

export const UTF8_BOUNDARY: Utf8State = { need: 0, lo: 0x80, hi: 0xbf };
const states = new Map<string, Utf8State>();

function state(need: number, lo = 0x80, hi = 0xbf): Utf8State {
  if (need === 0) return UTF8_BOUNDARY;
  const key = `${need}:${lo}:${hi}`;
  let s = states.get(key);
  if (!s) {
    s = { need, lo, hi };
    states.set(key, s);
  }
  return s;
}

/** The state after `byte`, or null when the byte makes the sequence invalid. */
export function stepUtf8(s: Utf8State, byte: number): Utf8State | null {
  if (s.need > 0) return byte >= s.lo && byte <= s.hi ? state(s.need - 1) : null;
  if (byte < 0x80) return UTF8_BOUNDARY;
  if (byte >= 0xc2 && byte <= 0xdf) return state(1);
  if (byte === 0xe0) return state(2, 0xa0, 0xbf);
  if (byte === 0xed) return state(2, 0x80, 0x9f);
  if (byte >= 0xe1 && byte <= 0xef) return state(2);
  if (byte === 0xf0) return state(3, 0x90, 0xbf);
  if (byte >= 0xf1 && byte <= 0xf3) return state(3);
  if (byte === 0xf4) return state(3, 0x80, 0x8f);
  return null; // 80..C1 at a boundary, F5..FF
}

export function advanceUtf8(s: Utf8State, bytes: Uint8Array): Utf8State | null {
  let cur: Utf8State | null = s;
  for (let i = 0; i < bytes.length && cur; i++) cur = stepUtf8(cur, bytes[i]!);
  return cur;
}

/**
 * Per-vocabulary masks: for each UTF-8 state, which tokens keep the text valid.
 * Tokens without bytes (special tokens) are allowed only at a character boundary.
 * Masks are built lazily (there are at most nine reachable states) and cached.
 */
export class Utf8Masks {
  private readonly cache = new Map<Utf8State, Uint8Array>();

  /** `banned` ids are never allowed (padding, specials that are not end-of-sequence). */
  constructor(
    private readonly tokenBytes: readonly (Uint8Array | null)[],
    private readonly banned: ReadonlySet<number> = new Set(),
  ) {}

  allowed(s: Utf8State): Uint8Array {
    let mask = this.cache.get(s);
    if (!mask) {
      mask = new Uint8Array(this.tokenBytes.length);
      for (let id = 0; id < this.tokenBytes.length; id++) {
        const bytes = this.tokenBytes[id];
        if (bytes === undefined || this.banned.has(id)) continue;
        mask[id] = bytes === null ? (s.need === 0 ? 1 : 0) : advanceUtf8(s, bytes) ? 1 : 0;
      }
      this.cache.set(s, mask);
    }
    return mask;
  }
}
