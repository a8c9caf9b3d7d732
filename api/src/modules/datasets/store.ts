import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { Readable } from 'node:stream';

/** One file being written into a dataset version: text in, its SHA-256 and size out. */
export interface StoreFile {
  /** Writes text (or bytes), waiting when the disk is behind. */
  write(text: string | Buffer): Promise<void>;
  close(): Promise<{ sha256: string; bytes: number }>;
}

/**
 * Where dataset versions' files live. A version is written into a staging place and published
 * at once (`commit`), so a reader never sees half a version. The local folder is the default
 * (DATASET_STORE); anything with these five operations (an object store) can stand in.
 */
export interface DatasetStore {
  readonly description: string;
  create(location: string, path: string): Promise<StoreFile>;
  commit(location: string): Promise<void>;
  discard(location: string): Promise<void>;
  open(location: string, path: string): Promise<{ stream: Readable; bytes: number } | null>;
}

/** Paths inside a version: relative, no `..`, forward slashes. */
export function safePath(path: string): string | null {
  if (!/^[A-Za-z0-9._/-]{1,200}$/.test(path) || path.startsWith('/')) return null;
  const n = normalize(path);
  if (n.startsWith('..') || n.split(sep).includes('..')) return null;
  return n;
}

class LocalFile implements StoreFile {
  private readonly hash: Hash | null;
  private bytes = 0;
  constructor(
    private readonly out: WriteStream,
    hashed: boolean,
  ) {
    this.hash = hashed ? createHash('sha256') : null;
  }

  async write(text: string | Buffer): Promise<void> {
    if (!text.length) return;
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    this.hash?.update(buf);
    this.bytes += buf.length;
    if (!this.out.write(buf)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }

  async close() {
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return { sha256: this.hash?.digest('hex') ?? '', bytes: this.bytes };
  }
}

/** Dataset versions as folders under `root`: `<root>/<location>/…`, staged in `<location>.partial`. */
export class LocalDatasetStore implements DatasetStore {
  /** `hashed: false` leaves files' SHA-256 empty: for parts of a build, hashed when joined. */
  constructor(
    private readonly root: string,
    private readonly options: { hashed: boolean } = { hashed: true },
  ) {}

  get description() {
    return `local folder ${this.root}`;
  }

  private staging(location: string) {
    return join(this.root, `${location}.partial`);
  }

  async create(location: string, path: string): Promise<StoreFile> {
    const rel = safePath(path);
    if (!rel) throw new Error(`bad dataset path: ${path}`);
    const file = join(this.staging(location), rel);
    await mkdir(dirname(file), { recursive: true });
    const out = createWriteStream(file, { flags: 'wx', highWaterMark: 1 << 20 });
    await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
    return new LocalFile(out, this.options.hashed);
  }

  async commit(location: string): Promise<void> {
    await rename(this.staging(location), join(this.root, location));
  }

  async discard(location: string): Promise<void> {
    await rm(this.staging(location), { recursive: true, force: true });
  }

  async open(location: string, path: string) {
    const rel = safePath(path);
    if (!rel) return null;
    const file = join(this.root, location, rel);
    try {
      const s = await stat(file);
      if (!s.isFile()) return null;
      return { stream: createReadStream(file, { highWaterMark: 1 << 20 }), bytes: s.size };
    } catch {
      return null;
    }
  }
}
