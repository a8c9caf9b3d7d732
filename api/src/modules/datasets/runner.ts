import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BuildMessage, BuildTask } from './build.worker.js';
import { mergeCounts, type BuildCounts, type BuildOptions, type BuiltFile } from './builder.js';
import { LocalDatasetStore, type DatasetStore } from './store.js';

type Built = { counts: BuildCounts; files: BuiltFile[] };

/** One worker thread building one part: its own connection, its heap capped at `heapMb`. */
function runWorker(task: BuildTask, heapMb: number, onProgress: (rows: number) => void): Promise<Built> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./build.worker.mjs', import.meta.url), {
      workerData: task,
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.max(8, Math.min(32, Math.round(heapMb / 4))) },
    });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.on('message', (m: BuildMessage) => {
      if (m.type === 'progress') onProgress(m.rows);
      else if (m.type === 'done') settle(() => resolve(m.result));
      else settle(() => reject(new Error(m.message)));
    });
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`a dataset build worker exited with ${code}`))));
  });
}

/** `n` ranges of the prompt-hash space (hex), in order: ['', '80'), ['80', '') for 2. */
export function hashRanges(n: number): { from: string | null; to: string | null }[] {
  const cut = (i: number) => (i === 0 || i === n ? null : Math.floor((i * 0x10000) / n).toString(16).padStart(4, '0'));
  return Array.from({ length: n }, (_, i) => ({ from: cut(i), to: cut(i + 1) }));
}

/**
 * Builds a version in worker threads (PostgreSQL), each on a contiguous range of prompt hashes
 * with a connection of its own, then joins their files in range order into the store, hashing
 * as it goes. A prompt's rows never straddle two ranges, so deduplication and the SFT choice
 * work per part, and the joined files are byte for byte what one pass would write, whatever the
 * number of workers. The heap budget is shared: each worker gets `heapMb / workers`.
 */
export async function buildInWorkers(
  task: { databaseUrl: string; store: DatasetStore; storeRoot: string; location: string; options: Omit<BuildOptions, 'onProgress' | 'range'> },
  limits: { workers: number; heapMb: number },
  onProgress?: BuildOptions['onProgress'],
): Promise<Built> {
  const n = Math.max(1, limits.workers);
  const partsRoot = join(task.storeRoot, `${task.location}.parts`);
  await rm(partsRoot, { recursive: true, force: true });
  const progress = new Array<number>(n).fill(0);
  let reported = 0;
  const report = (i: number, rows: number) => {
    progress[i] = rows;
    const total = progress.reduce((a, b) => a + b, 0);
    if (total - reported >= 1000 || total === 0) {
      reported = total;
      void Promise.resolve(onProgress?.(total)).catch(() => {});
    }
  };
  try {
    const ranges = hashRanges(n);
    const parts = await Promise.all(
      ranges.map((r, i) =>
        runWorker(
          { databaseUrl: task.databaseUrl, storeRoot: partsRoot, location: `p${i}`, options: { ...task.options, range: { ...r, imports: i === n - 1 } } },
          Math.max(32, Math.floor(limits.heapMb / n)),
          (rows) => report(i, rows),
        ),
      ),
    );
    const parted = new LocalDatasetStore(partsRoot);
    const files: BuiltFile[] = [];
    for (const f of parts[0]!.files) {
      const out = await task.store.create(task.location, f.path);
      for (let i = 0; i < n; i++) {
        const part = await parted.open(`p${i}`, f.path);
        if (!part) throw new Error(`part ${i} of ${f.path} is missing`);
        for await (const chunk of part.stream) await out.write(chunk as Buffer);
      }
      files.push({ path: f.path, records: parts.reduce((t, p) => t + (p.files.find((x) => x.path === f.path)?.records ?? 0), 0), ...(await out.close()) });
    }
    return { counts: mergeCounts(parts.map((p) => p.counts)), files };
  } finally {
    await rm(partsRoot, { recursive: true, force: true });
  }
}
