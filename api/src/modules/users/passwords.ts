import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2 defaults to Argon2id (m=19 MiB, t=2, p=1: OWASP's baseline).
export const hashPassword = (password: string) => hash(password);

/** A fixed hash verified when the account does not exist, so both paths cost the same. */
let dummy: Promise<string> | undefined;

export async function verifyPassword(hashed: string | null | undefined, password: string): Promise<boolean> {
  if (!hashed) {
    dummy ??= hash('dialoop-timing-equalizer');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(hashed, password).catch(() => false);
}
