import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

/**
 * A secret from the environment, or — outside production, where env.ts requires it — one kept in
 * the data folder (created on first start), so that it survives restarts of a single machine.
 * Several processes must be given the same value through the environment.
 */
export async function persistedSecret(
  o: { value: string | undefined; dataDir: string; file: string; variable: string; generate: () => string },
  log: Logger,
): Promise<string> {
  if (o.value) return o.value;
  const path = join(o.dataDir, o.file);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    await mkdir(o.dataDir, { recursive: true });
    const secret = o.generate();
    await writeFile(path, secret, { mode: 0o600 });
    await chmod(path, 0o600);
    log.info({ file: path }, `generated ${o.variable} (set ${o.variable} to choose one)`);
    return secret;
  }
}
