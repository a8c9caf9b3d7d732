/**
 * Where the training job runs. The api builds the job's command line (the arguments of
 * `python3 -m dialoop_train.preference_train`) and an executor runs it: a local subprocess
 * (local.ts, the default) or a Kubernetes Job (kubernetes.ts). Either way the job's stdout
 * carries one JSON object per line (`{"event": "progress" | "eval" | "done", ...}`) and
 * everything else it prints is log text.
 */

/** A JSON line of the job's stdout. */
export interface JobEvent {
  event: 'progress' | 'eval' | 'done' | string;
  step?: number;
  total?: number;
  loss?: number;
  eta_s?: number;
  [key: string]: unknown;
}

export interface JobSpec {
  /** The TrainingRun id (names the Job / labels the process). */
  runId: string;
  /** The run's number and attempt (0 first, then one more per resume), for readable names (Kubernetes: `dialoop-train-<number>[-a<attempt + 1>]`). */
  runNumber: number;
  attempt?: number;
  /** Arguments after `python3 -m dialoop_train.preference_train`. Paths in them are absolute. */
  args: string[];
  /** The new model folder and the run folder (checkpoints, metrics.jsonl) the job writes. */
  outputDir: string;
  runDir: string;
}

export interface JobHandlers {
  /** A parsed JSON line of stdout. */
  onEvent(event: JobEvent): void;
  /** A line of log text (stderr, or a stdout line that is not JSON). */
  onLog(line: string): void;
  /** Called once when the job has ended: `ok` when it exited 0; `cancelled` when `cancel()` ended it. */
  onExit(result: { ok: boolean; cancelled: boolean; error?: string | undefined }): void;
}

export interface RunningJob {
  /** The process id (local) or the Job's name (Kubernetes), kept on the run. */
  readonly ref: string;
  /** Stops the job; onExit follows with `cancelled: true`. */
  cancel(): Promise<void>;
}

export interface TrainingExecutor {
  readonly kind: 'LOCAL' | 'KUBERNETES';
  /** What runs, before the arguments (for the run's log). */
  readonly command: string;
  start(spec: JobSpec, handlers: JobHandlers): Promise<RunningJob>;
}

/** Text into lines: `push` chunks, `end` for the last line without a newline, `reset` to drop an unfinished one. */
export function splitLines(onLine: (line: string) => void) {
  let rest = '';
  return {
    push(chunk: string) {
      rest += chunk;
      let i;
      while ((i = rest.indexOf('\n')) >= 0) {
        onLine(rest.slice(0, i).replace(/\r$/, ''));
        rest = rest.slice(i + 1);
      }
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
    reset() {
      rest = '';
    },
  };
}

/** Where a line of the job's output goes: a JSON event (stdout's `{"event": …}` lines) or log text. */
export function dispatchLine(handlers: Pick<JobHandlers, 'onEvent' | 'onLog'>, jsonEvents: boolean) {
  return (l: string) => {
    if (!l) return;
    if (jsonEvents && l.startsWith('{')) {
      try {
        const e = JSON.parse(l) as JobEvent;
        if (e && typeof e.event === 'string') return handlers.onEvent(e);
      } catch {
        // not JSON after all: a log line
      }
    }
    handlers.onLog(l);
  };
}

/** A stream's text as lines for the handlers. */
export const lineSplitter = (handlers: Pick<JobHandlers, 'onEvent' | 'onLog'>, jsonEvents: boolean) => splitLines(dispatchLine(handlers, jsonEvents));
