import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { ModelVersion, Prisma, PrismaClient } from '@dialoop/db';
import type { Logger } from 'pino';
import type { Gauge } from 'prom-client';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import type { AuditLog, AuditScope } from '../audit/index.js';
import type { Upstreams } from '../chat/index.js';

export interface ModelRegistryOptions {
  db: PrismaClient;
  audit: AuditLog;
  log: Logger;
  /** The inference servers (INFERENCE_URL): each is told to load the versions that get traffic. */
  upstreams: Upstreams;
  /** Their admin key (INFERENCE_ADMIN_KEY); without it versions must already be served. */
  adminKey: string | undefined;
  /** Folders under which registerModelVersion accepts a model folder (real paths; MODEL_STORE and MODEL_REGISTER_ROOTS). */
  roots: string[];
  /** The model registered as the first ACTIVE version when the registry is empty (the platform's default model). */
  base: { name: string; dir: string } | undefined;
  /** The traffic share of each version (`dialoop_api_model_canary_share`) and the last win rate computed (`…_comparison_win_rate`). */
  metrics?: { share: Gauge<'version'>; winRate: Gauge<'candidate' | 'baseline' | 'bound'> } | undefined;
}

export interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

export interface RegisterInput {
  name: string;
  path: string;
  parentId?: string | null | undefined;
  datasetVersionId?: string | null | undefined;
  trainingRunId?: string | null | undefined;
  metrics?: Record<string, unknown> | null | undefined;
}

/** What a served model folder must hold (the inference server's folder layout). */
const REQUIRED_FILES = ['config.json', 'model.onnx', 'tokenizer.json'];
/** A folder with more files than this is not a model folder (and is not hashed). */
const MAX_FILES = 1000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,119}$/;
/** How long a process trusts its copy of the rollout (active, canary, share) before reading it again. */
const ROUTING_TTL_MS = 2_000;

/** Every file of a model folder (recursively, sorted) with its size and SHA-256, and the digest of that list. */
export async function hashFolder(dir: string): Promise<{ files: FileEntry[]; sha256: string }> {
  const files: FileEntry[] = [];
  const walk = async (d: string) => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        if (files.length >= MAX_FILES) throw new Error(`more than ${MAX_FILES} files`);
        const h = createHash('sha256');
        for await (const chunk of createReadStream(p)) h.update(chunk as Buffer);
        files.push({ path: relative(dir, p).split('\\').join('/'), bytes: (await stat(p)).size, sha256: h.digest('hex') });
      }
    }
  };
  await walk(dir);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // The same text `sha256sum` prints for the folder, so the digest can be checked by hand.
  const sha256 = createHash('sha256').update(files.map((f) => `${f.sha256}  ${f.path}\n`).join('')).digest('hex');
  return { files, sha256 };
}

/** Where a person lands in [0, 1) for a canary: fixed per (person, canary), so assignment is sticky and a larger share only adds people. */
export function bucket(userId: string, canaryId: string): number {
  return createHash('sha256').update(`${canaryId}:${userId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** A rollout step: the version it acted on, and what the audit trail records. */
interface RolloutChange {
  v: ModelVersion;
  event: { action: string; before: Record<string, unknown>; after: Record<string, unknown> };
}

interface Routing {
  at: number;
  /** The rollout generation it was read at: a read that began before a change is not kept. */
  generation: number;
  active: { id: string; name: string } | null;
  canary: { id: string; name: string; share: number } | null;
}

/**
 * Model versions: lineage, files and their hashes, and the rollout — one ACTIVE version that
 * serves new conversations, at most one CANARY serving a share of the people who start one
 * (sticky per person), rollback. Versions given traffic are loaded on every inference server
 * through its admin endpoint, without a restart, and reloaded if a server restarts (sync()).
 */
export class ModelRegistry {
  private routing: Routing | undefined;
  private generation = 0;

  constructor(private readonly o: ModelRegistryOptions) {}

  /** An empty registry gets the platform's base model as its first ACTIVE version. */
  async bootstrap(): Promise<void> {
    const base = this.o.base;
    if (!base || (await this.o.db.modelVersion.count()) > 0) return;
    const scope = this.o.audit.serviceScope('models');
    try {
      const v = await this.create(scope, { name: base.name, path: base.dir, metrics: await readMetrics(base.dir) }, 'ACTIVE');
      this.o.log.info({ model: v.name, sha256: v.sha256 }, 'model registry: base model registered as the active version');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // CONFLICT: another api process, starting at the same time, registered it first.
      if (err.extensions.code === ErrorCode.CONFLICT) this.o.log.info({ model: base.name }, 'model registry: the base model was registered by another api process');
      else this.o.log.warn({ dir: base.dir, err: err.message }, 'model registry: the base model folder cannot be registered; register versions with registerModelVersion');
    }
  }

  async list(first: number) {
    return this.o.db.modelVersion.findMany({ orderBy: { createdAt: 'desc' }, take: Math.min(Math.max(first, 1), 200) });
  }

  async get(id: string) {
    const v = await this.o.db.modelVersion.findUnique({ where: { id: parseId(id, 'ModelVersion') } });
    if (!v) throw notFound('Model version');
    return v;
  }

  async byName(name: string) {
    return this.o.db.modelVersion.findUnique({ where: { name } });
  }

  /**
   * Registers a model folder: a training run's output, or an ML engineer's folder under one of
   * the allowed roots (MODEL_STORE, MODEL_REGISTER_ROOTS). `within` runs in the same transaction
   * (a run's SUCCEEDED status commits with its version).
   */
  async register(scope: AuditScope, input: RegisterInput, within?: (tx: Prisma.TransactionClient, v: ModelVersion) => Promise<void>) {
    return this.create(scope, input, 'REGISTERED', within);
  }

  /** The folder's real path when it lies under an allowed root and holds a model; one answer for every refusal, so paths cannot be probed. */
  private async modelFolder(path: string): Promise<string> {
    // The allowed folders are named by their settings, never by their paths on the server.
    const refuse = () => badInput('Not a model folder under MODEL_STORE, MODEL_REGISTER_ROOTS or the base model’s folder (config.json, model.onnx and tokenizer.json needed)', { field: 'path' });
    if (!isAbsolute(path)) throw badInput('path must be absolute (a folder the api and the inference servers can read)', { field: 'path' });
    const real = await realpath(path).catch(() => null);
    if (!real || !this.o.roots.some((root) => real === root || real.startsWith(root + sep))) throw refuse();
    for (const f of REQUIRED_FILES) {
      const r = await realpath(join(real, f)).catch(() => null);
      if (!r || !r.startsWith(real + sep)) throw refuse();
    }
    return real;
  }

  private async create(scope: AuditScope, input: RegisterInput, status: 'REGISTERED' | 'ACTIVE', within?: (tx: Prisma.TransactionClient, v: ModelVersion) => Promise<void>) {
    const name = input.name.trim();
    if (!NAME.test(name)) throw badInput('name: letters, digits and . _ : - (at most 120), starting with a letter or digit', { field: 'name' });
    const path = await this.modelFolder(input.path);
    if (await this.byName(name)) throw new AppError(ErrorCode.CONFLICT, `A model version named ${name} exists`, { field: 'name' });
    const { files, sha256 } = await hashFolder(path).catch((err: Error) => {
      this.o.log.warn({ err, name }, 'a model folder could not be read');
      throw badInput('The folder cannot be registered: one of its files could not be read', { field: 'path' });
    });
    const parentId = input.parentId ? parseId(input.parentId, 'ModelVersion') : null;
    return this.o.db.$transaction(async (tx) => {
      const v = await tx.modelVersion.create({
        data: {
          name,
          path,
          createdBy: scope.actor.pseudonym,
          parentId,
          datasetVersionId: input.datasetVersionId ?? null,
          trainingRunId: input.trainingRunId ?? null,
          files: files as unknown as Prisma.InputJsonValue,
          sha256,
          metrics: (input.metrics ?? undefined) as Prisma.InputJsonValue | undefined,
          status,
          activatedAt: status === 'ACTIVE' ? new Date() : null,
        },
      });
      await this.o.audit.record(tx, scope, {
        action: 'registerModelVersion',
        subject: { type: 'ModelVersion', id: v.id },
        after: { name, path, sha256, files: files.length, parentId, datasetVersionId: v.datasetVersionId, trainingRunId: v.trainingRunId, status },
      });
      await within?.(tx, v);
      return v;
    }).catch((err: unknown) => {
      // Another request registered the name between the check and the insert.
      if ((err as { code?: string }).code === 'P2002') throw new AppError(ErrorCode.CONFLICT, `A model version named ${name} exists`, { field: 'name' });
      throw err;
    });
  }

  /** The version as registered: its files must still hash to what was recorded before it gets traffic. */
  private async unchanged(v: ModelVersion) {
    const now = await hashFolder(v.path).catch(() => null);
    if (now?.sha256 !== v.sha256) throw new AppError(ErrorCode.CONFLICT, `The files of ${v.name} changed (or went missing) since it was registered: register the folder again as a new version`);
  }

  // ------------------------------------------------------------------ rollout

  /** Makes `id` the ACTIVE version (the one it replaces is RETIRED; a rollback returns to it). */
  async activate(caller: Caller, id: string) {
    return this.promote(caller, id, (name) => `${name} is the active version already`, async (tx, now, target) => {
      const current = await tx.modelVersion.findFirst({ where: { status: 'ACTIVE' } });
      if (current) await tx.modelVersion.update({ where: { id: current.id }, data: { status: 'RETIRED', retiredAt: now } });
      const v = await tx.modelVersion.update({
        where: { id: target.id },
        data: { status: 'ACTIVE', canaryShare: 0, activatedAt: now, retiredAt: null, previousActiveId: current?.id ?? null },
      });
      return { v, event: { action: 'activateModelVersion', before: { active: current?.name ?? null, status: target.status }, after: { active: v.name } } };
    });
  }

  /** Gives `id` a share (0 < share ≤ 1) of the people who start a new conversation; a canary it replaces is RETIRED. */
  async setCanary(caller: Caller, id: string, share: number) {
    if (!(share > 0 && share <= 1)) throw badInput('share must be greater than 0 and at most 1', { field: 'share' });
    return this.promote(caller, id, (name) => `${name} is the active version: it cannot be its own canary`, async (tx, now, target) => {
      const current = await tx.modelVersion.findFirst({ where: { status: 'CANARY' } });
      if (current && current.id !== target.id) await tx.modelVersion.update({ where: { id: current.id }, data: { status: 'RETIRED', canaryShare: 0, retiredAt: now } });
      const v = await tx.modelVersion.update({ where: { id: target.id }, data: { status: 'CANARY', canaryShare: share, retiredAt: null } });
      return {
        v,
        event: { action: 'setCanaryModelVersion', before: { canary: current?.name ?? null, share: current?.canaryShare ?? 0 }, after: { canary: v.name, share } },
      };
    });
  }

  /**
   * Gives a version traffic: refused (CONFLICT) while it is the ACTIVE one, or when its files
   * changed since registration; loaded on the inference servers outside the transaction (it takes
   * seconds); its status checked again under the rollout lock, where another change may have come first.
   */
  private async promote(caller: Caller, id: string, whenActive: (name: string) => string, change: (tx: Prisma.TransactionClient, now: Date, target: ModelVersion) => Promise<RolloutChange>) {
    const target = await this.get(id);
    const refuseActive = (status: string) => {
      if (status === 'ACTIVE') throw new AppError(ErrorCode.CONFLICT, whenActive(target.name));
    };
    refuseActive(target.status);
    await this.unchanged(target);
    await this.ensureServed(target);
    return this.rollout(caller, async (tx, now) => {
      refuseActive((await tx.modelVersion.findUniqueOrThrow({ where: { id: target.id } })).status);
      return change(tx, now, target);
    });
  }

  /**
   * Undoes the last rollout step: ends the canary if there is one (it is RETIRED and gets no new
   * conversations), else returns to the version that was active before the current one.
   */
  async rollback(caller: Caller) {
    // What it returns to is loaded first, outside the transaction (loading takes seconds).
    const before = await this.o.db.modelVersion.findFirst({ where: { status: 'ACTIVE' } });
    if (before?.previousActiveId && !(await this.o.db.modelVersion.count({ where: { status: 'CANARY' } }))) {
      await this.ensureServed(await this.o.db.modelVersion.findUniqueOrThrow({ where: { id: before.previousActiveId } }));
    }
    return this.rollout(caller, async (tx, now) => {
      const canary = await tx.modelVersion.findFirst({ where: { status: 'CANARY' } });
      if (canary) {
        const v = await tx.modelVersion.update({ where: { id: canary.id }, data: { status: 'RETIRED', canaryShare: 0, retiredAt: now } });
        return { v, event: { action: 'rollbackModelVersion', before: { canary: canary.name, share: canary.canaryShare }, after: { canary: null } } };
      }
      const active = await tx.modelVersion.findFirst({ where: { status: 'ACTIVE' } });
      if (!active?.previousActiveId) throw new AppError(ErrorCode.CONFLICT, 'Nothing to roll back: no canary, and the active version replaced none');
      if (active.id !== before?.id) throw new AppError(ErrorCode.CONFLICT, 'The rollout changed meanwhile: try again');
      const previous = await tx.modelVersion.findUniqueOrThrow({ where: { id: active.previousActiveId } });
      await tx.modelVersion.update({ where: { id: active.id }, data: { status: 'RETIRED', retiredAt: now } });
      const v = await tx.modelVersion.update({ where: { id: previous.id }, data: { status: 'ACTIVE', activatedAt: now, retiredAt: null } });
      return { v, event: { action: 'rollbackModelVersion', before: { active: active.name }, after: { active: v.name } } };
    });
  }

  /** One rollout change at a time (a transaction-scoped advisory lock), audited in the same transaction. */
  private async rollout(caller: Caller, change: (tx: Prisma.TransactionClient, now: Date) => Promise<RolloutChange>) {
    const v = await this.o.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('dialoop:model-rollout'))`;
      const { v, event } = await change(tx, new Date());
      await this.o.audit.record(tx, caller.audit, { ...event, subject: { type: 'ModelVersion', id: v.id } });
      return v;
    });
    this.generation++;
    this.routing = undefined;
    // What lost its traffic is unloaded in the background (the servers let its replies finish first).
    void this.unloadRetired().catch((err: unknown) => this.o.log.warn({ err }, 'model registry: unloading retired versions failed'));
    return v;
  }

  /**
   * Unloads RETIRED versions from every inference server that still serves them (admin key
   * needed), so that rolled-back and replaced versions do not hold memory. A server that loads
   * one again from its own MODEL_DIR at a restart has it unloaded at the next sync.
   */
  async unloadRetired(): Promise<void> {
    if (!this.o.adminKey) return;
    const retired = new Set((await this.o.db.modelVersion.findMany({ where: { status: 'RETIRED' }, select: { name: true } })).map((v) => v.name));
    if (retired.size === 0) return;
    const adminKey = this.o.adminKey;
    await Promise.all(
      this.o.upstreams.urls.map(async (base) => {
        const served = await this.o.upstreams.modelsAt(base).catch(() => []);
        for (const id of served.filter((m) => retired.has(m))) {
          const r = await this.o.upstreams.admin(base, adminKey, 'DELETE', `/admin/models/${encodeURIComponent(id)}`).catch((err: Error) => ({ status: 0, error: { message: err.message } }));
          if (r.status === 200) this.o.log.info({ model: id, upstream: base }, 'retired model version unloaded');
          else this.o.log.debug({ model: id, upstream: base, status: r.status, error: r.error }, 'retired model version not unloaded');
        }
      }),
    );
  }

  // ------------------------------------------------------------------ routing

  private async current(): Promise<Routing> {
    if (this.routing && this.routing.generation === this.generation && Date.now() - this.routing.at < ROUTING_TTL_MS) return this.routing;
    const generation = this.generation;
    const rows = await this.o.db.modelVersion.findMany({ where: { status: { in: ['ACTIVE', 'CANARY'] } }, select: { id: true, name: true, status: true, canaryShare: true } });
    const a = rows.find((r) => r.status === 'ACTIVE');
    const c = rows.find((r) => r.status === 'CANARY');
    const routing: Routing = { at: Date.now(), generation, active: a ? { id: a.id, name: a.name } : null, canary: c ? { id: c.id, name: c.name, share: c.canaryShare } : null };
    if (generation === this.generation) {
      this.routing = routing;
      const share = this.o.metrics?.share;
      if (share) {
        share.reset();
        if (routing.active) share.set({ version: routing.active.name }, 1 - (routing.canary?.share ?? 0));
        if (routing.canary) share.set({ version: routing.canary.name }, routing.canary.share);
      }
    }
    return routing;
  }

  /**
   * The model a reply of this person gets: `current` (the model their conversation uses) while
   * it still gets traffic or is not a registered version at all; otherwise, as for a new
   * conversation, the canary for its share of people (sticky), else the active version;
   * undefined with neither. A rolled-back version so stops at once, even in old conversations.
   */
  async assign(userId: string, current?: string | null): Promise<string | undefined> {
    const r = await this.current();
    if (current && (current === r.active?.name || current === r.canary?.name || !(await this.byName(current)))) return current;
    if (r.canary && bucket(userId, r.canary.id) < r.canary.share) return r.canary.name;
    return r.active?.name;
  }

  /**
   * Exports a comparison just computed (the last one only: an older pair's series goes), unless
   * no review compared the two yet.
   */
  observeComparison(candidate: string, baseline: string, r: { rate: number | null; low: number | null; high: number | null }) {
    const gauge = this.o.metrics?.winRate;
    if (!gauge || r.rate === null || r.low === null || r.high === null) return;
    gauge.reset();
    gauge.set({ candidate, baseline, bound: 'estimate' }, r.rate);
    gauge.set({ candidate, baseline, bound: 'lower' }, r.low);
    gauge.set({ candidate, baseline, bound: 'upper' }, r.high);
  }

  /** The active and canary versions (names), for arena items and the console. */
  async rolloutState() {
    const r = await this.current();
    return { active: r.active, canary: r.canary };
  }

  // ------------------------------------------------------------------ the inference servers

  /**
   * Loads the version on every inference server that does not serve it yet. Enough when one
   * serves it (the api balances a model over the upstreams listing it, and an upstream such
   * as vLLM has no admin endpoint); UPSTREAM_ERROR when none does. The others are logged.
   */
  async ensureServed(v: { name: string; path: string }, quiet = false): Promise<void> {
    const failures: string[] = [];
    let serving = 0;
    await Promise.all(
      this.o.upstreams.urls.map(async (base) => {
        try {
          if ((await this.o.upstreams.modelsAt(base)).includes(v.name)) return void serving++;
          if (!this.o.adminKey) return void failures.push(`${base} does not serve ${v.name}, and INFERENCE_ADMIN_KEY is not set to load it`);
          const r = await this.o.upstreams.admin(base, this.o.adminKey, 'POST', '/admin/models', { id: v.name, path: v.path });
          if (r.status === 201 || (r.status === 409 && r.error?.code === 'model_exists')) {
            serving++;
            this.o.log.info({ model: v.name, upstream: base }, 'model version loaded on an inference server');
            return;
          }
          failures.push(`${base}: HTTP ${r.status} ${r.error?.message ?? ''}`.trim());
        } catch (err) {
          failures.push(`${base}: ${(err as Error).message}`);
        }
      }),
    );
    if (serving === 0) throw new AppError(ErrorCode.UPSTREAM_ERROR, `No inference server could load ${v.name}: ${failures.join('; ')}`);
    if (failures.length) this.o.log[quiet ? 'debug' : 'warn']({ model: v.name, failures }, 'model version not loaded on every inference server');
  }

  /** Makes sure the inference servers serve the versions that get traffic (one restarted without them), and not the retired ones. */
  async sync(): Promise<void> {
    const live = await this.o.db.modelVersion.findMany({ where: { status: { in: ['ACTIVE', 'CANARY'] } } });
    for (const v of live) {
      try {
        await this.ensureServed(v, true);
      } catch (err) {
        this.o.log.warn({ model: v.name, err: (err as Error).message }, 'model registry: a version with traffic is not served');
      }
    }
    await this.unloadRetired();
  }
}

/** metrics.json of a model folder, when it has one. */
export async function readMetrics(dir: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}
