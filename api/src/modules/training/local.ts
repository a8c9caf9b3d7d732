import { spawn } from 'node:child_process';
import { lineSplitter, type JobHandlers, type JobSpec, type RunningJob, type TrainingExecutor } from './executor.js';

export interface LocalExecutorOptions {
  /** The Python with PyTorch (Debian's /usr/bin/python3 by default). */
  python: string;
  /** The training/ folder (the job runs as `python -m dialoop_train.preference_train` from there). */
  cwd: string;
  /** Seconds between SIGTERM and SIGKILL when a run is cancelled. */
  killGraceMs?: number;
}

/**
 * Runs the training job as a child process of the api, in a process group of its own so that
 * cancelling stops it and anything it started (torchrun's workers).
 */
export class LocalExecutor implements TrainingExecutor {
  readonly kind = 'LOCAL' as const;
  readonly command: string;

  constructor(private readonly o: LocalExecutorOptions) {
    this.command = `${o.python} -u -m dialoop_train.preference_train`;
  }

  async start(spec: JobSpec, handlers: JobHandlers): Promise<RunningJob> {
    const child = spawn(this.o.python, ['-u', '-m', 'dialoop_train.preference_train', ...spec.args], {
      cwd: this.o.cwd,
      detached: true,
      // `-u`: unbuffered, so each progress line arrives as it is printed.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = lineSplitter(handlers, true);
    const err = lineSplitter(handlers, false);
    child.stdout.setEncoding('utf8').on('data', (c: string) => out.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => err.push(c));
    let cancelled = false;
    let ended = false;
    const finish = (result: Parameters<JobHandlers['onExit']>[0]) => {
      if (ended) return;
      ended = true;
      out.end();
      err.end();
      handlers.onExit(result);
    };
    child.on('error', (e) => finish({ ok: false, cancelled: false, error: `could not start ${this.o.python}: ${e.message}` }));
    child.on('close', (code, signal) => {
      if (cancelled) finish({ ok: false, cancelled: true });
      else if (code === 0) finish({ ok: true, cancelled: false });
      else finish({ ok: false, cancelled: false, error: `the training job exited with ${signal ?? `code ${code}`}` });
    });
    await new Promise<void>((resolve) => {
      child.once('spawn', () => resolve());
      child.once('error', () => resolve());
    });
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    return {
      ref: String(child.pid ?? ''),
      cancel: async () => {
        if (ended) return;
        cancelled = true;
        kill('SIGTERM');
        const timer = setTimeout(() => kill('SIGKILL'), this.o.killGraceMs ?? 5_000);
        timer.unref();
        await new Promise<void>((resolve) => (ended ? resolve() : child.once('close', () => resolve())));
        clearTimeout(timer);
      },
    };
  }
}
