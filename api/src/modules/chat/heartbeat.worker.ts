/**
 * An api process's heartbeat (see liveness.ts), beaten from a thread of its own with a Redis
 * connection of its own: a main thread busy for seconds under load (or a connection whose
 * commands queue behind thousands of stream events) no longer looks like a dead process, while a
 * process that dies takes this thread with it. The main thread shows it still turns by writing the
 * time into `progress` at each of its own heartbeats: one that has not for `hungMs` is taken as
 * hung, and the beats stop (another process then settles its replies).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { LIVE_SET } from './liveness.js';

export interface HeartbeatTask {
  redisUrl: string;
  instanceId: string;
  heartbeatMs: number;
  hungMs: number;
  /** One BigInt64 (Atomics): when the main thread last turned (ms since the epoch). */
  progress: SharedArrayBuffer;
}

/** What the thread tells the main thread: `beating` after each beat that follows none or a failure (the main thread stops announcing itself). */
export type HeartbeatNote = { kind: 'beating' } | { kind: 'takenForDead' } | { kind: 'hung'; lagMs: number } | { kind: 'failed'; message: string } | { kind: 'stopped' };

const task = workerData as HeartbeatTask;
const port = parentPort!;
const progress = new BigInt64Array(task.progress);
const redis = new Redis(task.redisUrl, { maxRetriesPerRequest: 1, connectionName: `dialoop-heartbeat-${task.instanceId}` });
redis.on('error', () => undefined); // each failed beat is reported below
const tell = (note: HeartbeatNote) => port.postMessage(note);

let beats = 0;
let hung = false;
/** Whether the last beat reached Redis (undefined before the first): notes go out when it changes. */
let ok: boolean | undefined;
let stopped = false;
let beating = false;

async function beat() {
  const lag = Date.now() - Number(Atomics.load(progress, 0));
  if (lag > task.hungMs) {
    if (!hung) tell({ kind: 'hung', lagMs: lag });
    hung = true;
    return;
  }
  hung = false;
  try {
    const [seconds, micros] = await redis.time();
    // Redis's clock, so that processes on hosts with skewed clocks agree.
    const added = await redis.zadd(LIVE_SET, Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), task.instanceId);
    if (stopped) return;
    if (Number(added) === 1 && beats > 0) tell({ kind: 'takenForDead' });
    beats++;
    if (ok !== true) tell({ kind: 'beating' });
    ok = true;
  } catch (err) {
    if (ok !== false) tell({ kind: 'failed', message: (err as Error).message });
    ok = false;
  }
}

// A beat at once (the main thread announces itself until the first), then one a heartbeat; a
// beat still waiting on Redis is not joined by another.
const tick = () => {
  if (beating || stopped) return;
  beating = true;
  void beat().finally(() => (beating = false));
};
tick();
const timer = setInterval(tick, task.heartbeatMs);
port.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  stopped = true;
  clearInterval(timer);
  void redis
    .zrem(LIVE_SET, task.instanceId)
    .catch(() => undefined)
    .finally(() => {
      redis.disconnect();
      tell({ kind: 'stopped' });
      port.close();
    });
});
