/**
 * A worker thread verifying one stretch of the chain on a connection of its own (PostgreSQL):
 * `AuditLog.verify` splits a long trail between several and joins their stretches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { postgresTarget } from '@dialoop/db/connection';
import pg from 'pg';
import { ChainWalker, keyringOf, parsePublicKey, type ChainBreak, type Checkpoint } from './chain.js';
import { walkRange } from './chain-walk.js';

export interface StretchTask {
  databaseUrl: string;
  from: number;
  to: number;
  checkpoints: Checkpoint[];
  /** PEM public keys. */
  keys: string[];
}

export interface StretchResult {
  count: number;
  first: { seq: number; prevHash: string } | null;
  head: { seq: number; hash: string } | null;
  broken: ChainBreak | null;
  verifiedCheckpoints: Checkpoint[];
}

const task = workerData as StretchTask;
const pool = new pg.Pool({ ...postgresTarget(task.databaseUrl).poolConfig, max: 2 });
try {
  const walker = new ChainWalker(keyringOf(task.keys.map(parsePublicKey)));
  for (const c of task.checkpoints) walker.addCheckpoint(c);
  const textRows = async (sql: string, params: readonly unknown[]) => (await pool.query<(string | null)[]>({ text: sql, values: [...params], rowMode: 'array' })).rows;
  const broken = await walkRange(textRows, walker, task.from, task.to);
  const result: StretchResult = {
    count: walker.count,
    first: walker.first ?? null,
    head: walker.head ?? null,
    broken: broken ?? null,
    verifiedCheckpoints: walker.verifiedCheckpoints,
  };
  parentPort!.postMessage(result);
} finally {
  await pool.end();
}
