/**
 * A worker thread building one part of a dataset version (a range of prompt hashes) on a
 * PostgreSQL connection of its own, so that a long build neither blocks the api's event loop nor
 * grows its heap: the worker's heap is capped (`resourceLimits`), which the streaming build never
 * needs to exceed. Its files go to a folder of their own, which `buildInWorkers` joins.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { postgresTarget } from '@dialoop/db/connection';
import pg from 'pg';
import { buildDataset, type BuildOptions, type Rows } from './builder.js';
import { LocalDatasetStore } from './store.js';

export interface BuildTask {
  databaseUrl: string;
  storeRoot: string;
  location: string;
  options: Omit<BuildOptions, 'onProgress'>;
}

export type BuildMessage =
  | { type: 'progress'; rows: number }
  | { type: 'done'; result: Awaited<ReturnType<typeof buildDataset>> }
  | { type: 'error'; message: string };

const task = workerData as BuildTask;
const port = parentPort!;
const pool = new pg.Pool({ ...postgresTarget(task.databaseUrl).poolConfig, max: 1 });
try {
  const rows: Rows = async <T>(q: { text: string; values: unknown[] }) => (await pool.query({ text: q.text, values: q.values })).rows as T[];
  const store = new LocalDatasetStore(task.storeRoot, { hashed: false });
  const result = await buildDataset(rows, store, task.location, {
    ...task.options,
    onProgress: (n) => port.postMessage({ type: 'progress', rows: n } satisfies BuildMessage),
  });
  // A part, published in its own folder for the runner to join (runner.ts).
  await store.commit(task.location);
  port.postMessage({ type: 'done', result } satisfies BuildMessage);
} catch (err) {
  port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies BuildMessage);
} finally {
  await pool.end();
}
