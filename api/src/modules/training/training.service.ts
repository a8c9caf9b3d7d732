import { EventEmitter } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Prisma, PrismaClient, TrainingRun } from '@dialoop/db';
import { guardsOf } from '@dialoop/feedback';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import type { AuditLog } from '../audit/index.js';
import { readMetrics, type ModelRegistry } from '../models/index.js';
import { requireActor } from '../rbac/index.js';
import type { JobEvent, RunningJob, TrainingExecutor } from './executor.js';

export type Method = 'DPO' | 'KTO' | 'SFT';

/** The job's knobs (preference_train.py's flags, camelCased); unset ones take the job's defaults. */
export interface Hyperparameters {
  beta?: number | undefined;
  lr?: number | undefined;
  steps?: number | undefined;
  epochs?: number | undefined;
  batchSize?: number | undefined;
  gradAccum?: number | undefined;
  warmupSteps?: number | undefined;
  schedule?: 'cosine' | 'linear' | 'constant' | undefined;
  minLrRatio?: number | undefined;
  weightDecay?: number | undefined;
  seed?: number | undefined;
  precision?: 'auto' | 'fp32' | 'bf16' | 'fp16' | undefined;
  rpoAlpha?: number | undefined;
  /** Replay weight: cross-entropy on the base version's own training corpus beside the method's loss. */
  replayWeight?: number | undefined;
  desirableWeight?: number | undefined;
  undesirableWeight?: number | undefined;
  maxLen?: number | undefined;
  checkpointEvery?: number | undefined;
  evalEvery?: number | undefined;
  logEvery?: number | undefined;
  threads?: number | undefined;
  /** Sentences the run is meant to add (a trait): not counted as a side effect by the guards. */
  guardIgnore?: string[] | undefined;
}

export interface StartRunInput {
  datasetVersionId: string;
  /** Default: the ACTIVE version. */
  baseModelVersionId?: string | undefined;
  method: Method;
  hyperparameters?: Hyperparameters | undefined;
}

export interface TrainingServiceOptions {
  db: PrismaClient;
  audit: AuditLog;
  log: Logger;
  registry: ModelRegistry;
  executor: TrainingExecutor;
  /** Where new model folders and run folders go (absolute; shared with the inference servers and, for Kubernetes, the job). */
  modelStore: string;
  /** Where dataset versions' folders are (absolute). */
  datasetStore: string;
  /** Runs this process executes at once; more wait QUEUED. */
  maxConcurrent: number;
  /** CPU threads a local run uses unless its hyperparameters say. */
  threads: number;
  /** This api process (the runner of its local runs). */
  instanceId: string;
  /** A RUNNING run whose runner has not beaten its heart for this long was interrupted (TRAINING_STALE_S). */
  staleMs: number;
  /** Runs ended, by status and executor (`dialoop_api_training_runs_total`), counted where the end is recorded. */
  runs?: Counter<'status' | 'executor'> | undefined;
}

interface Job {
  job: RunningJob | undefined;
  /** Settles once the executor has started the job (undefined: it could not). */
  started: Promise<RunningJob | undefined>;
  /** The last lines of log text, for the error of a failed run. */
  tail: string[];
  /** Settles once the end of the run is recorded. */
  ended: Promise<void>;
  /** Stops following the job without stopping it (Kubernetes, at shutdown). */
  detach(): void;
}

/** What the API shows with a run: the version it started from and the one it produced. */
const WITH_VERSIONS = { baseModelVersion: true, modelVersion: true } as const;
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
/** The heartbeat: at most this often, and at least four times in the stale window. */
const HEARTBEAT_MS = 5_000;
/** How long a subscriber waits for news before reading the run again (news from another process comes this way). */
const POLL_MS = 1_000;
const LOG_TAIL_LINES = 20;
/** Longest model version name (the registry's limit). */
const MAX_NAME = 120;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The job's command-line arguments for a run (everything after `-m dialoop_train.preference_train`). */
export function jobArgs(o: { method: Method; baseDir: string; datasetDir: string; outputDir: string; runDir: string; hyperparameters: Hyperparameters; threads: number; resume?: boolean }): string[] {
  const args = ['--method', o.method.toLowerCase(), '--model-dir', o.baseDir, '--dataset', o.datasetDir, '--out', o.outputDir, '--run-dir', o.runDir, ...(o.resume ? ['--resume'] : [])];
  const hp: Hyperparameters = { logEvery: 1, threads: o.threads, ...o.hyperparameters };
  for (const [k, v] of Object.entries(hp)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const x of v) args.push(`--${kebab(k)}`, String(x));
    else args.push(`--${kebab(k)}`, String(v));
  }
  return args;
}

/**
 * Training runs: a dataset version and a base model version in, the training job run by an
 * executor (a local subprocess, or a Kubernetes Job), progress kept on the run and streamed to
 * subscribers, the log kept in the run folder, and on success a new model version registered
 * with its lineage. Starting and cancelling are audited, and so is each run's end.
 */
export class TrainingService {
  private readonly jobs = new Map<string, Job>();
  private readonly news = new EventEmitter().setMaxListeners(0);
  private heartbeat: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private closing = false;

  constructor(private readonly o: TrainingServiceOptions) {
    for (const status of TERMINAL) o.runs?.inc({ status, executor: o.executor.kind }, 0);
  }

  /** Starts the heartbeat (which also fails runs whose runner stopped) and the queued runs. Returns the runs found interrupted. */
  async start(): Promise<number> {
    const count = await this.sweep();
    this.heartbeat = setInterval(() => void this.beat().catch((err: unknown) => this.o.log.warn({ err }, 'training heartbeat failed')), Math.min(HEARTBEAT_MS, this.o.staleMs / 4));
    this.heartbeat.unref();
    void this.pump();
    return count;
  }

  /**
   * Runs whose runner has not beaten its heart for TRAINING_STALE_S (its api process stopped) become
   * FAILED; resumeTrainingRun continues them from their last checkpoint.
   */
  private async sweep(): Promise<number> {
    const mine = [...this.jobs.keys()];
    const stale = await this.o.db.trainingRun.findMany({
      where: { status: 'RUNNING', heartbeatAt: { lt: new Date(Date.now() - this.o.staleMs) }, id: { notIn: mine } },
      select: { id: true, number: true, executor: true },
    });
    const scope = this.o.audit.serviceScope('training');
    for (const r of stale) {
      const error =
        r.executor === 'KUBERNETES'
          ? `Interrupted: the api process following it stopped; its Job (named in the run log) may still be running (resumeTrainingRun continues from its last checkpoint)`
          : 'Interrupted: the api process running it stopped (resumeTrainingRun continues from its last checkpoint)';
      const failed = await this.o.db.$transaction(async (tx) => {
        const { count } = await tx.trainingRun.updateMany({ where: { id: r.id, status: 'RUNNING' }, data: { status: 'FAILED', error, finishedAt: new Date() } });
        if (count) await this.o.audit.record(tx, scope, { action: 'trainingRun.finish', subject: { type: 'TrainingRun', id: r.id }, after: { status: 'FAILED', error } });
        return count > 0;
      });
      if (failed) this.o.runs?.inc({ status: 'FAILED', executor: r.executor });
      this.news.emit(r.id);
    }
    return stale.length;
  }

  /**
   * Stops taking runs. Local runs are cancelled (they are CANCELLED, and resumeTrainingRun
   * continues them); Kubernetes Jobs are left running: the api stops following them, and they
   * are marked interrupted once the heartbeat stops.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    await this.pumping;
    const jobs = [...this.jobs.values()];
    if (this.o.executor.kind === 'LOCAL') await Promise.allSettled(jobs.map((j) => j.started.then((job) => job?.cancel())));
    else for (const j of jobs) j.detach();
    await Promise.allSettled(jobs.map((j) => j.ended));
  }

  async list(first: number) {
    return this.o.db.trainingRun.findMany({ orderBy: { number: 'desc' }, take: Math.min(Math.max(first, 1), 200), include: WITH_VERSIONS });
  }

  /** A run with its base version and the version it produced (one query, as the API shows them). */
  async get(id: string) {
    const run = await this.o.db.trainingRun.findUnique({ where: { id: parseId(id, 'Training run') }, include: WITH_VERSIONS });
    if (!run) throw notFound('Training run');
    return run;
  }

  async startRun(caller: Caller, input: StartRunInput) {
    requireActor(caller);
    const dataset = await this.o.db.datasetVersion.findUnique({ where: { id: parseId(input.datasetVersionId, 'Dataset version') } });
    if (!dataset) throw notFound('Dataset version');
    if (dataset.status !== 'READY' || !dataset.location) throw new AppError(ErrorCode.CONFLICT, `The dataset version is ${dataset.status}`, { field: 'datasetVersionId' });
    const fmt = input.method.toLowerCase();
    const train = ((dataset.files ?? []) as { path: string; records: number }[]).find((f) => f.path === `${fmt}/train.jsonl`);
    if (!train?.records) {
      const from = { dpo: 'preference pairs (comparisons, rankings, corrections, ratings of sibling replies)', kto: 'replies rated on their own (thumbs, scores)', sft: "preference pairs' chosen replies and imported dialogues" }[fmt];
      throw badInput(`Dataset version ${dataset.number} has no ${fmt}/train.jsonl records (${train ? 'it holds none: ' : 'it was not built with that format; '}${input.method} data comes from ${from})`, { field: 'datasetVersionId' });
    }
    const base = input.baseModelVersionId ? await this.o.registry.get(input.baseModelVersionId) : await this.o.db.modelVersion.findFirst({ where: { status: 'ACTIVE' } });
    if (!base) throw badInput('No base model version: name one, or activate one', { field: 'baseModelVersionId' });
    const files = base.files as { path: string }[];
    if (!files.some((f) => f.path === 'dialoop_checkpoint.pt')) {
      throw badInput(`${base.name} has no PyTorch checkpoint (dialoop_checkpoint.pt): the training job starts from one`, { field: 'baseModelVersionId' });
    }
    const hp = checkHyperparameters(input.method, input.hyperparameters ?? {});
    // Replay regenerates the base's own training corpus from what its metrics.json records (the job checks it again).
    if (hp.replayWeight && !(base.metrics as { corpus?: { variant?: unknown } } | null)?.corpus?.variant) {
      throw badInput(`${base.name} records no training corpus in its metrics.json, so there is nothing to replay: leave replayWeight at 0`, { field: 'hyperparameters.replayWeight' });
    }
    // The output's version name is `<base>-<method>-r<number>`: refuse now a base whose name leaves no room.
    if (base.name.length > MAX_NAME - 16) throw badInput(`${base.name}: the name is too long to derive a new version's name from`, { field: 'baseModelVersionId' });
    const run = await this.o.db.$transaction(async (tx) => {
      const created = await tx.trainingRun.create({
        data: {
          createdBy: caller.audit.actor.pseudonym,
          method: input.method,
          hyperparameters: hp as Prisma.InputJsonValue,
          datasetVersionId: dataset.id,
          baseModelVersionId: base.id,
          executor: this.o.executor.kind,
          outputDir: '',
          runDir: '',
        },
      });
      const name = `${base.name}-${fmt}-r${created.number}`;
      const r = await tx.trainingRun.update({
        where: { id: created.id },
        data: { outputDir: join(this.o.modelStore, name), runDir: join(this.o.modelStore, 'runs', `run-${created.number}`) },
      });
      await this.o.audit.record(tx, caller.audit, {
        action: 'startTrainingRun',
        subject: { type: 'TrainingRun', id: r.id },
        after: { number: r.number, method: r.method, datasetVersion: dataset.number, baseModelVersion: base.name, hyperparameters: hp, executor: r.executor },
      });
      return r;
    });
    const queued = await this.get(run.id);
    void this.pump();
    return queued;
  }

  /**
   * Cancels a run: a queued one (or one whose runner stopped) ends here; a running one when the
   * process running it has stopped the job (this one at once, another at its next heartbeat).
   */
  async cancel(caller: Caller, id: string) {
    const key = (await this.get(id)).id;
    const now = new Date();
    const ended = await this.o.db.$transaction(async (tx) => {
      const [run] = await tx.$queryRaw<TrainingRun[]>`SELECT * FROM "TrainingRun" WHERE id = ${key}::uuid FOR UPDATE`;
      if (!run || TERMINAL.has(run.status)) throw new AppError(ErrorCode.CONFLICT, `The run has ended (${run?.status})`);
      const orphan = run.status === 'RUNNING' && run.heartbeatAt.getTime() < Date.now() - this.o.staleMs;
      const endsHere = run.status === 'QUEUED' || orphan;
      await tx.trainingRun.update({ where: { id: key }, data: endsHere ? { status: 'CANCELLED', cancelRequestedAt: now, finishedAt: now } : { cancelRequestedAt: now } });
      await this.o.audit.record(tx, caller.audit, { action: 'cancelTrainingRun', subject: { type: 'TrainingRun', id: key }, before: { status: run.status, step: run.step } });
      return endsHere ? run.executor : undefined;
    });
    if (ended) this.o.runs?.inc({ status: 'CANCELLED', executor: ended });
    const mine = this.jobs.get(key);
    // A failure to stop it now is retried by the heartbeat (the request is recorded on the run).
    if (mine) await mine.started.then((job) => job?.cancel()).catch((err: unknown) => this.o.log.warn({ err, runId: key }, 'training: cancel failed; retried at the next heartbeat'));
    this.news.emit(key);
    return this.get(id);
  }

  /** Queues a FAILED or CANCELLED run again: the job continues from the last checkpoint in its run folder (or starts over without one). */
  async resume(caller: Caller, id: string) {
    const key = (await this.get(id)).id;
    await this.o.db.$transaction(async (tx) => {
      const { count } = await tx.trainingRun.updateMany({
        where: { id: key, status: { in: ['FAILED', 'CANCELLED'] } },
        data: { status: 'QUEUED', attempt: { increment: 1 }, error: null, cancelRequestedAt: null, finishedAt: null, runnerId: null },
      });
      if (count === 0) throw new AppError(ErrorCode.CONFLICT, 'Only a FAILED or CANCELLED run can be resumed');
      const r = await tx.trainingRun.findUniqueOrThrow({ where: { id: key } });
      await this.o.audit.record(tx, caller.audit, { action: 'resumeTrainingRun', subject: { type: 'TrainingRun', id: key }, after: { attempt: r.attempt, step: r.step } });
    });
    // The answer is the state this mutation set (QUEUED), read before the pump can start it.
    const queued = await this.get(key);
    void this.pump();
    return queued;
  }

  /**
   * The training loss at each logged step so far (the job's metrics.jsonl), at most `points` of
   * them spread over the run (the last one always kept); empty before the first log step.
   */
  async lossCurve(run: Pick<TrainingRun, 'runDir'>, points: number): Promise<{ step: number; loss: number }[]> {
    if (!run.runDir) return [];
    const text = await readFile(join(run.runDir, 'metrics.jsonl'), 'utf8').catch(() => '');
    const all: { step: number; loss: number }[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as { step?: unknown; loss?: unknown };
        if (typeof r.step === 'number' && typeof r.loss === 'number' && Number.isFinite(r.loss)) all.push({ step: r.step, loss: r.loss });
      } catch {
        // a line being written
      }
    }
    if (all.length <= points) return all;
    const every = all.length / points;
    const picked = Array.from({ length: points - 1 }, (_, i) => all[Math.floor(i * every)]!);
    return [...picked, all.at(-1)!];
  }

  /** The end of a run's log (stdout and stderr of the job), at most `bytes`. */
  async log(id: string, bytes: number): Promise<{ text: string; size: number }> {
    const run = await this.get(id);
    const path = join(run.runDir, 'log.txt');
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size === 0) return { text: '', size };
    const want = Math.min(size, Math.max(1, bytes));
    const f = await open(path, 'r');
    try {
      const buf = Buffer.alloc(want);
      await f.read(buf, 0, want, size - want);
      let text = buf.toString('utf8');
      if (want < size) text = text.slice(text.indexOf('\n') + 1); // from a whole line
      return { text, size };
    } finally {
      await f.close();
    }
  }

  /** The run as it changes: now, then at every change, ending with its final state. */
  async *watch(id: string): AsyncGenerator<Awaited<ReturnType<TrainingService['get']>>> {
    let last = '';
    for (;;) {
      const run = await this.get(id);
      const key = `${run.status}:${run.step}:${run.loss}:${run.totalSteps}`;
      if (key !== last) {
        last = key;
        yield run;
      }
      if (TERMINAL.has(run.status)) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.news.off(id, done);
          resolve();
        };
        const timer = setTimeout(done, POLL_MS);
        this.news.on(id, done);
      });
    }
  }

  // ------------------------------------------------------------------ running

  /** Starts queued runs while this process has room (each claimed by one process); one pass at a time. */
  private pump(): Promise<void> {
    // `.finally` runs after the assignment, even when the pass ends without awaiting anything.
    this.pumping ??= this.claimQueued().finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  private async claimQueued(): Promise<void> {
    try {
      while (!this.closing && this.jobs.size < this.o.maxConcurrent) {
        const [claimed] = await this.o.db.$queryRaw<{ id: string }[]>`
          UPDATE "TrainingRun" SET status = 'RUNNING', "runnerId" = ${this.o.instanceId}, "startedAt" = now(), "heartbeatAt" = now()
          WHERE id = (SELECT id FROM "TrainingRun" WHERE status = 'QUEUED' ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING id`;
        if (!claimed) break;
        await this.launch(await this.o.db.trainingRun.findUniqueOrThrow({ where: { id: claimed.id } }));
      }
    } catch (err) {
      this.o.log.error({ err }, 'training: could not start a queued run');
    }
  }

  /** Starts a claimed run; any failure to start ends it FAILED (never left RUNNING). */
  private async launch(run: TrainingRun) {
    let ended!: () => void;
    let started!: (job: RunningJob | undefined) => void;
    let detached = false;
    const entry: Job = {
      job: undefined,
      started: new Promise<RunningJob | undefined>((resolve) => (started = resolve)),
      tail: [],
      ended: new Promise<void>((resolve) => (ended = resolve)),
      detach: () => {
        detached = true;
        end();
      },
    };
    this.jobs.set(run.id, entry);
    let log: WriteStream | undefined;
    const write = (line: string) => {
      if (log?.writable) log.write(line + '\n');
      entry.tail.push(line);
      if (entry.tail.length > LOG_TAIL_LINES) entry.tail.shift();
    };
    // Progress goes to the row in order, and only the latest of the updates waiting is written.
    let writing: Promise<void> = Promise.resolve();
    let waiting: Prisma.TrainingRunUpdateManyMutationInput | undefined;
    const update = (data: Prisma.TrainingRunUpdateManyMutationInput) => {
      const idle = waiting === undefined;
      waiting = { ...waiting, ...data };
      if (!idle) return;
      writing = writing.then(async () => {
        const next = waiting!;
        waiting = undefined;
        try {
          // Only while this process runs it: a run another process declared interrupted is not written over.
          await this.o.db.trainingRun.updateMany({ where: { id: run.id, status: 'RUNNING', runnerId: this.o.instanceId }, data: next });
          this.news.emit(run.id);
        } catch (err) {
          this.o.log.warn({ err, runId: run.id }, 'training: progress not stored');
        }
      });
    };
    let finishing = false;
    const end = (result?: { ok: boolean; cancelled: boolean; error?: string | undefined }) => {
      if (finishing) return;
      finishing = true;
      void writing
        .then(() => (result && !detached ? this.finish(run, result, entry.tail) : undefined))
        .catch((err: unknown) => this.o.log.error({ err, runId: run.id }, 'training: could not record the end of a run'))
        .finally(() => {
          log?.end();
          this.jobs.delete(run.id);
          this.news.emit(run.id);
          ended();
          void this.pump();
        });
    };
    const onExit = (result: { ok: boolean; cancelled: boolean; error?: string | undefined }) => {
      write(`# ${result.ok ? 'finished' : result.cancelled ? 'cancelled' : `failed: ${result.error ?? ''}`}`);
      end(result);
    };
    try {
      await mkdir(run.runDir, { recursive: true });
      log = createWriteStream(join(run.runDir, 'log.txt'), { flags: 'a' });
      log.on('error', (err) => this.o.log.warn({ err, runId: run.id }, 'training: the run log cannot be written'));
      const dataset = await this.o.db.datasetVersion.findUniqueOrThrow({ where: { id: run.datasetVersionId } });
      const base = await this.o.db.modelVersion.findUniqueOrThrow({ where: { id: run.baseModelVersionId } });
      const args = jobArgs({
        method: run.method,
        baseDir: base.path,
        datasetDir: join(this.o.datasetStore, dataset.location!),
        outputDir: run.outputDir,
        runDir: run.runDir,
        hyperparameters: run.hyperparameters as Hyperparameters,
        threads: this.o.threads,
        resume: run.attempt > 0,
      });
      write(`# run ${run.number}${run.attempt ? `, attempt ${run.attempt + 1}` : ''}: ${this.o.executor.command} ${args.join(' ')}`);
      const onEvent = (e: JobEvent) => {
        write(JSON.stringify(e));
        if (e.event === 'progress') {
          update({ step: num(e.step) ?? undefined, totalSteps: num(e.total) ?? undefined, loss: num(e.loss), etaSeconds: num(e.eta_s), heartbeatAt: new Date() });
        }
      };
      entry.job = await this.o.executor.start({ runId: run.id, runNumber: run.number, attempt: run.attempt, args, outputDir: run.outputDir, runDir: run.runDir }, { onEvent, onLog: write, onExit });
      started(entry.job);
      if (this.o.executor.kind === 'KUBERNETES') write(`# Kubernetes Job ${entry.job.ref}`);
      this.o.log.info({ runId: run.id, number: run.number, executor: this.o.executor.kind, ref: entry.job.ref }, 'training run started');
      // Shutting down meanwhile, or cancelled by someone while it started.
      if (this.closing && this.o.executor.kind === 'LOCAL') await entry.job.cancel();
    } catch (err) {
      started(undefined);
      onExit({ ok: false, cancelled: false, error: (err as Error).message });
    }
  }

  /** Records how a run ended; on success registers its model folder as a new version, in the same transaction. */
  private async finish(run: TrainingRun, result: { ok: boolean; cancelled: boolean; error?: string | undefined }, tail: string[]) {
    const scope = this.o.audit.serviceScope('training');
    const now = new Date();
    const mine = { id: run.id, status: 'RUNNING' as const, runnerId: this.o.instanceId };
    if (result.ok) {
      try {
        const metrics = await withGuards(run.outputDir, await readMetrics(run.outputDir), this.o.log);
        const name = run.outputDir.split(/[\\/]/).pop()!;
        const registered = await this.o.registry.register(
          scope,
          { name, path: run.outputDir, parentId: run.baseModelVersionId, datasetVersionId: run.datasetVersionId, trainingRunId: run.id, metrics },
          async (tx, version) => {
            const { count } = await tx.trainingRun.updateMany({ where: mine, data: { status: 'SUCCEEDED', finishedAt: now, metrics: (metrics ?? undefined) as Prisma.InputJsonValue | undefined } });
            if (count === 0) throw new AppError(ErrorCode.CONFLICT, 'The run is no longer this process\'s (it was declared interrupted)');
            await this.o.audit.record(tx, scope, {
              action: 'trainingRun.finish',
              subject: { type: 'TrainingRun', id: run.id },
              after: { status: 'SUCCEEDED', modelVersion: version.name, sha256: version.sha256, heldout: (metrics as { heldout?: unknown } | null)?.heldout ?? null },
            });
          },
        );
        if (registered) return void this.o.runs?.inc({ status: 'SUCCEEDED', executor: run.executor });
      } catch (err) {
        result = { ok: false, cancelled: false, error: `the job finished but its model folder could not be registered: ${(err as Error).message}` };
      }
    }
    const status = result.cancelled ? 'CANCELLED' : 'FAILED';
    const error = result.cancelled ? null : [result.error, ...tail.filter((l) => !l.startsWith('{')).slice(-8)].filter(Boolean).join('\n');
    const recorded = await this.o.db.$transaction(async (tx) => {
      const { count } = await tx.trainingRun.updateMany({ where: mine, data: { status, finishedAt: now, error } });
      if (count) await this.o.audit.record(tx, scope, { action: 'trainingRun.finish', subject: { type: 'TrainingRun', id: run.id }, after: { status, error: result.error ?? null } });
      return count > 0;
    });
    if (recorded) this.o.runs?.inc({ status, executor: run.executor });
    // A partial model folder is removed (never a registered one: registration and SUCCEEDED commit together).
    if (recorded) await rm(run.outputDir, { recursive: true, force: true });
  }

  /**
   * Keeps this process's runs alive in the database, stops those someone asked to cancel, fails
   * runs whose runner stopped, and takes queued runs when there is room (another process may
   * have queued them).
   */
  private async beat() {
    void this.pump();
    const ids = [...this.jobs.keys()];
    if (ids.length > 0) {
      await this.o.db.trainingRun.updateMany({ where: { id: { in: ids }, status: 'RUNNING', runnerId: this.o.instanceId }, data: { heartbeatAt: new Date() } });
      const asked = await this.o.db.trainingRun.findMany({ where: { id: { in: ids }, cancelRequestedAt: { not: null } }, select: { id: true } });
      for (const { id } of asked) await this.jobs.get(id)?.job?.cancel();
    }
    await this.sweep();
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Hyperparameters that make sense together for the method (the job checks them again). */
export function checkHyperparameters(method: Method, hp: Hyperparameters): Hyperparameters {
  const clean = Object.fromEntries(Object.entries(hp).filter(([, v]) => v !== undefined && v !== null)) as Hyperparameters;
  if (clean.steps !== undefined && clean.epochs !== undefined) throw badInput('Give steps or epochs, not both', { field: 'hyperparameters.steps' });
  if (method !== 'DPO' && clean.rpoAlpha) throw badInput('rpoAlpha is a DPO setting', { field: 'hyperparameters.rpoAlpha' });
  if (method !== 'KTO' && (clean.desirableWeight !== undefined || clean.undesirableWeight !== undefined)) {
    throw badInput('desirableWeight and undesirableWeight are KTO settings', { field: 'hyperparameters.desirableWeight' });
  }
  if (method === 'SFT' && clean.beta !== undefined) throw badInput('beta is a DPO and KTO setting', { field: 'hyperparameters.beta' });
  if (clean.warmupSteps !== undefined && clean.steps !== undefined && clean.warmupSteps >= clean.steps) {
    throw badInput(`warmupSteps (${clean.warmupSteps}) must be fewer than steps (${clean.steps}): the learning rate would never reach lr`, { field: 'hyperparameters.warmupSteps' });
  }
  // The job warms up 10 steps by default: a short run gets a tenth of its steps instead.
  if (clean.warmupSteps === undefined && clean.steps !== undefined && clean.steps < 100) clean.warmupSteps = Math.floor(clean.steps / 10);
  return clean;
}

/** What the training job writes to OUT/guards.json: both versions' greedy replies to the same prompts. */
interface GuardReplies {
  max_new_tokens: number;
  ignore?: string[];
  prompts: { prompt: string; kind: string; answer: string | null }[];
  parent: { text: string; finish: string; exact: boolean | null }[];
  model: { text: string; finish: string; exact: boolean | null }[];
}

/**
 * metrics.json plus `guards`: the loop's three guards (feedback's guardsOf) measured on the replies
 * the job wrote to guards.json (the test split's prompts and the parent's held-out exact-answer
 * questions), so that a run reports them beside loss, reward accuracy and KL.
 */
async function withGuards(dir: string, metrics: Record<string, unknown> | null, log: Logger): Promise<Record<string, unknown> | null> {
  let g: GuardReplies;
  try {
    g = JSON.parse(await readFile(join(dir, 'guards.json'), 'utf8')) as GuardReplies;
  } catch {
    return metrics; // an older job, or guards turned off (--guard-prompts 0 --guard-exact 0)
  }
  try {
    const reply = (r: GuardReplies['parent'][number]) => ({ text: r.text, finishReason: r.finish, exact: r.exact ?? null });
    const measured = guardsOf(g.prompts, g.parent.map(reply), g.model.map(reply), { ignore: g.ignore ?? [] });
    return {
      ...(metrics ?? {}),
      guards: {
        prompts: g.prompts.length,
        testPrompts: g.prompts.filter((p) => p.kind === 'test').length,
        maxNewTokens: g.max_new_tokens,
        ignored: g.ignore ?? [],
        parent: measured.base,
        model: measured.model,
        ...measured.guards,
      },
    };
  } catch (err) {
    log.warn({ err, dir }, 'guards.json could not be read: the run is registered without its guard measures');
    return metrics;
  }
}
