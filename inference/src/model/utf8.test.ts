import { describe, expect, it } from 'vitest';
import { UTF8_BOUNDARY, Utf8Masks, advanceUtf8 } from './utf8.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('UTF-8 state machine', () => {
  it('accepts whole characters of every length and returns to the boundary', () => {
    for (const ch of ['a', 'é', '中', '😀']) {
      expect(advanceUtf8(UTF8_BOUNDARY, new TextEncoder().encode(ch))).toBe(UTF8_BOUNDARY);
    }
  });

  it('rejects stray continuation bytes, overlongs, surrogates and bytes above F4', () => {
    expect(advanceUtf8(UTF8_BOUNDARY, bytes(0x80))).toBeNull();
    expect(advanceUtf8(UTF8_BOUNDARY, bytes(0xc0, 0x80))).toBeNull(); // overlong
    expect(advanceUtf8(UTF8_BOUNDARY, bytes(0xe0, 0x80))).toBeNull(); // overlong 3-byte
    expect(advanceUtf8(UTF8_BOUNDARY, bytes(0xed, 0xa0))).toBeNull(); // surrogate
    expect(advanceUtf8(UTF8_BOUNDARY, bytes(0xf4, 0x90))).toBeNull(); // above U+10FFFF
    expect(advanceUtf8(UTF8_BOUNDARY, bytes(0xf5))).toBeNull();
    expect(advanceUtf8(UTF8_BOUNDARY, bytes(0xe4, 0x41))).toBeNull(); // interrupted character
  });

  it('tracks a character split over several tokens', () => {
    const mid = advanceUtf8(UTF8_BOUNDARY, bytes(0xe4))!;
    expect(mid.need).toBe(2);
    expect(advanceUtf8(mid, bytes(0xb8, 0xad))).toBe(UTF8_BOUNDARY);
  });
});

describe('Utf8Masks', () => {
  // ids 0..255 are bytes, 256 is a special token, 257 is banned, 258 is a two-byte token 'é'.
  const table: (Uint8Array | null)[] = [...Array.from({ length: 256 }, (_, b) => bytes(b)), null, null, bytes(0xc3, 0xa9)];
  const masks = new Utf8Masks(table, new Set([257]));

  it('at a boundary allows ASCII, lead bytes, whole characters and specials, never continuations', () => {
    const m = masks.allowed(UTF8_BOUNDARY);
    expect(m[0x41]).toBe(1);
    expect(m[0xe4]).toBe(1);
    expect(m[258]).toBe(1);
    expect(m[256]).toBe(1);
    expect(m[0x80]).toBe(0);
    expect(m[0xff]).toBe(0);
    expect(m[257]).toBe(0);
  });

  it('inside a character allows only the continuation bytes that fit, and no special token', () => {
    const afterE0 = advanceUtf8(UTF8_BOUNDARY, bytes(0xe0))!;
    const m = masks.allowed(afterE0);
    expect(m[0xa0]).toBe(1);
    expect(m[0x9f]).toBe(0);
    expect(m[0x41]).toBe(0);
    expect(m[256]).toBe(0);
    expect(masks.allowed(afterE0)).toBe(m); // cached
  });
});
