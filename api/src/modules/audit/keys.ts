import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { checkpointMessage, exportMessage, keyIdOf, type Checkpoint, type ExportManifest } from './chain.js';

/**
 * Keyed pseudonyms (HMAC-SHA256 with PSEUDONYM_KEY): what the trail, reviewers and exports know
 * a person by. Without the key a pseudonym cannot be linked back to an account; once the account
 * is erased, nothing links it.
 */
export class Pseudonyms {
  constructor(private readonly key: string) {}

  private mac(namespace: string, value: string, prefix: string): string {
    return prefix + createHmac('sha256', this.key).update(`${namespace}\0${value}`).digest('hex').slice(0, 24);
  }

  /** A person, by account id. */
  user(userId: string): string {
    return this.mac('user', userId.toLowerCase(), 'u_');
  }

  /** An email that names no account (a failed sign-in), so that repeated attempts correlate. */
  email(email: string): string {
    return this.mac('email', email.trim().toLowerCase(), 'e_');
  }
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 private key from PEM (PKCS#8) or a 32-byte seed in hex or base64/base64url. */
export function parseSigningKey(text: string): KeyObject {
  const t = text.trim();
  const key = t.startsWith('-----BEGIN')
    ? createPrivateKey(t)
    : (() => {
        const seed = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64url');
        if (seed.length !== 32) throw new Error('AUDIT_SIGNING_KEY: an Ed25519 key is a PKCS#8 PEM or a 32-byte seed (hex or base64)');
        return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
      })();
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('AUDIT_SIGNING_KEY must be an Ed25519 key');
  return key;
}

export const newSigningKeyPem = (): string => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** Signs checkpoints with AUDIT_SIGNING_KEY. */
export class CheckpointSigner {
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  get publicKeyPem(): string {
    return this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  sign(seq: number, hash: string, at: Date): Checkpoint {
    const c = { seq, hash, at: at.toISOString(), keyId: this.keyId };
    return { ...c, signature: sign(null, checkpointMessage(c), this.privateKey).toString('base64') };
  }

  signExport(m: Omit<ExportManifest, 'keyId'>): ExportManifest & { signature: string } {
    const manifest = { ...m, keyId: this.keyId };
    return { ...manifest, signature: sign(null, exportMessage(manifest), this.privateKey).toString('base64') };
  }
}
