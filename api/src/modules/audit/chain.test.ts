import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { ChainWalker, GENESIS_HASH, bodyHash, bodyOf, canonicalBody, canonicalJson, keyringOf, linkHash, type BodyFields, type EntryRecord, type Json } from './chain.js';
import { CheckpointSigner } from './keys.js';

/** A deterministic pseudo-random generator, so a failure can be reproduced. */
function rng(seed: number) {
  let x = seed >>> 0;
  return () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const nasty = ['', 'plain', 'quote " and \\\\ backslash', 'line\nbreak\ttab', 'control \u0001\u001f', 'émoji 😀 中文', '\u2028\u2029', 'ß→ẞ', '</script>'];

function randomFields(r: () => number): BodyFields {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = (v: string) => (r() < 0.3 ? null : v);
  const value = (depth: number): unknown => {
    const k = r();
    if (depth > 2 || k < 0.25) return pick(nasty);
    if (k < 0.4) return Math.round((r() - 0.5) * 1e6) / (r() < 0.5 ? 1 : 1000);
    if (k < 0.5) return r() < 0.5;
    if (k < 0.55) return null;
    if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [pick([...nasty, 'b', 'a', 'aa', 'B', 'é', '😀', 'z1', 'z10']), value(depth + 1)]));
  };
  return {
    actorKind: pick(['USER', 'API_KEY', 'SERVICE', 'ANONYMOUS'] as const),
    actorPseudonym: maybe(`u_${pick(nasty)}`),
    actorRole: maybe('ADMIN'),
    apiKeyId: maybe(pick(nasty)),
    action: pick(nasty) || 'login',
    subjectType: maybe('User'),
    subjectId: maybe(pick(nasty)),
    subjectOwner: maybe(pick(nasty)),
    outcome: pick(['ALLOWED', 'DENIED', 'FAILED'] as const),
    requestId: maybe(pick(nasty)),
    clientIp: maybe('::1'),
    userAgent: maybe(pick(nasty)),
    before: r() < 0.5 ? null : (value(0) as Json),
    after: r() < 0.3 ? null : (value(0) as Json),
  };
}

describe('the chain', () => {
  it("writes an entry's body exactly as RFC 8785 canonicalization does (5,000 random bodies)", () => {
    const r = rng(20261128);
    for (let i = 0; i < 5000; i++) {
      const fields = randomFields(r);
      expect(canonicalBody(fields)).toBe(canonicalize(bodyOf(fields)));
      expect(canonicalJson(fields.after)).toBe(canonicalize(fields.after));

    }
  });

  it('walks a chain, and names the first entry that does not hold', () => {
    const signer = new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
    const records: EntryRecord[] = [];
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 20; seq++) {
      const fields = { ...bodyFields(seq) };
      const at = new Date(1_800_000_000_000 + seq).toISOString();
      const bh = bodyHash(fields);
      const hash = linkHash(prev, seq, at, bh);
      records.push({ ...fields, seq, at, bodyHash: bh, prevHash: prev, hash });
      prev = hash;
    }
    const keys = keyringOf([signer.publicKey]);
    const walk = (rs: EntryRecord[], cp = signer.sign(20, records[19]!.hash, new Date())) => {
      const w = new ChainWalker(keys);
      w.addCheckpoint(cp);
      for (const rec of rs) if (w.entry(rec)) break;
      return w;
    };
    expect(walk(records).broken).toBeUndefined();
    expect(walk(records).verifiedCheckpoints).toHaveLength(1);
    const edited = records.map((x) => (x.seq === 7 ? { ...x, action: 'logout' } : x));
    expect(walk(edited).broken).toMatchObject({ seq: 7, reason: 'HASH_MISMATCH' });
    expect(walk(records.filter((x) => x.seq !== 9)).broken).toMatchObject({ seq: 9, reason: 'GAP' });
    const forged = { ...signer.sign(20, records[19]!.hash, new Date()), signature: Buffer.alloc(64).toString('base64') };
    expect(walk(records, forged).broken).toMatchObject({ seq: 20, reason: 'BAD_SIGNATURE' });
    const other = new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
    expect(walk(records, other.sign(20, records[19]!.hash, new Date())).broken).toMatchObject({ reason: 'BAD_SIGNATURE' });
    expect(createPublicKey(signer.publicKeyPem).equals(signer.publicKey)).toBe(true);
  });
});

function bodyFields(seq: number): Omit<EntryRecord, 'seq' | 'at' | 'bodyHash' | 'prevHash' | 'hash'> {
  return {
    actorKind: 'USER',
    actorPseudonym: `u_${seq % 3}`,
    actorRole: 'USER',
    apiKeyId: null,
    action: 'sendMessage',
    subjectType: 'Message',
    subjectId: `m${seq}`,
    subjectOwner: `u_${seq % 3}`,
    outcome: 'ALLOWED',
    requestId: `r${seq}`,
    clientIp: '127.0.0.1',
    userAgent: 'test',
    before: null,
    after: { contentLength: seq, nested: { b: 1, a: [1, 'x'] } },
  };
}
