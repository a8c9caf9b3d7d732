/**
 * Training as a Kubernetes Job (TRAINING_EXECUTOR=kubernetes): the api renders
 * infra/k8s/training-job.yaml for the run, creates the Job through the API server, follows its
 * pod's log (the job's JSON events and log text) and polls the Job's status for the end. Plain
 * HTTP(S) with the cluster's CA and the service account's token: no client library.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type JobHandlers, type JobSpec, type RunningJob, type TrainingExecutor, dispatchLine, splitLines } from './executor.js';

export interface KubernetesExecutorOptions {
  /** The API server's base URL; default the in-cluster service. */
  apiServer?: string;
  namespace: string;
  /** Bearer token. */
  token?: string;
  /** A file holding the bearer token, read before each request: the kubelet rotates projected tokens. */
  tokenFile?: string;
  /** PEM of the CA that signed the API server's certificate. */
  ca?: string;
  image: string;
  /** The PersistentVolumeClaim mounted at /data (dataset versions, model folders). */
  pvc: string;
  gpus: number;
  /** torchrun processes per pod. */
  nproc: number;
  /** The Job's activeDeadlineSeconds. */
  deadlineSeconds: number;
  /** The text of infra/k8s/training-job.yaml, or an operator's copy of it. */
  template: string;
  /** How often the Job's status is read; default 2000 ms. */
  pollMs?: number;
}

/** An answer of 400 or more from the API server; the message is the Status object's. */
export class KubernetesApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubernetesApiError';
  }
}

/**
 * Fills in `${NAME}`-style placeholders. A value is escaped for a double-quoted YAML string
 * (where the template puts strings; numbers stand bare), except `*_JSON` values, which must be
 * JSON text and go in as they are (JSON is YAML flow style). Comment lines are left as they
 * are; a placeholder without a value is an error, as is a `*_JSON` value that is not JSON.
 */
export function renderJobManifest(template: string, values: Record<string, string | number>): string {
  const fill = (line: string) =>
    line.replace(/\$\{([A-Z0-9_]+)\}/g, (_, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`training Job template: no value for \${${key}}`);
      if (!key.endsWith('_JSON')) return JSON.stringify(String(value)).slice(1, -1);
      try {
        JSON.parse(String(value));
      } catch {
        throw new Error(`training Job template: \${${key}} is not JSON`);
      }
      return String(value);
    });
  return template
    .split('\n')
    .map((line) => (line.trimStart().startsWith('#') ? line : fill(line)))
    .join('\n');
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Time allowed to a request that is not a log stream. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Failed status reads in a row (API server restarts, network) before a run is given up. */
const MAX_FAILURES = 5;
/** After the Job ends, how long its log stream may take to close. */
const DRAIN_MS = 10_000;

export class KubernetesExecutor implements TrainingExecutor {
  readonly kind = 'KUBERNETES';
  readonly command: string;
  private readonly api: ApiClient;

  constructor(private readonly opts: KubernetesExecutorOptions) {
    this.api = new ApiClient(opts.apiServer ?? 'https://kubernetes.default.svc', opts.token, opts.tokenFile, opts.ca);
    this.command = `(Job, image ${opts.image}) torchrun --standalone --nproc_per_node=${opts.nproc} -m dialoop_train.preference_train`;
  }

  /** In a pod: the namespace, token and CA of its service account, where options leave them out. */
  static async fromServiceAccount(
    opts: Omit<KubernetesExecutorOptions, 'namespace'> & { namespace?: string },
    dir = SERVICE_ACCOUNT_DIR,
  ): Promise<KubernetesExecutor> {
    const file = async (name: string) => (existsSync(join(dir, name)) ? (await readFile(join(dir, name), 'utf8')).trim() : undefined);
    const namespace = opts.namespace ?? (await file('namespace'));
    if (!namespace) throw new Error(`Kubernetes executor: no namespace given and none in ${dir}`);
    const accountToken = existsSync(join(dir, 'token')) ? join(dir, 'token') : undefined;
    const tokenFile = opts.tokenFile ?? (opts.token ? undefined : accountToken);
    return new KubernetesExecutor({ ...opts, namespace, tokenFile, ca: opts.ca ?? (await file('ca.crt')) });
  }

  async start(spec: JobSpec, handlers: JobHandlers): Promise<RunningJob> {
    const { namespace, image, pvc, gpus, nproc, deadlineSeconds, template } = this.opts;
    const name = `dialoop-train-${spec.runNumber}${spec.attempt ? `-a${spec.attempt + 1}` : ''}`.toLowerCase().slice(0, 63);
    const manifest = renderJobManifest(template, {
      NAME: name,
      NAMESPACE: namespace,
      IMAGE: image,
      RUN_ID: spec.runId,
      ARGS_JSON: JSON.stringify(spec.args),
      PVC: pvc,
      GPUS: gpus,
      NPROC: nproc,
      DEADLINE_S: deadlineSeconds,
    });
    const jobs = `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`;
    // The API server takes YAML as well as JSON: the rendered template goes as it is.
    await this.api.json('POST', jobs, { type: 'application/yaml', text: manifest });
    const job = new KubernetesJob(this.api, namespace, name, handlers, this.opts.pollMs ?? 2000);
    job.schedule();
    return job;
  }
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface JobObject {
  status?: { conditions?: Condition[] };
}
interface PodObject {
  metadata: { name: string };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: {
      state?: { waiting?: { reason?: string; message?: string }; terminated?: { exitCode?: number } };
    }[];
  };
}

/** One created Job: the status poll, the log follower and the one onExit. */
class KubernetesJob implements RunningJob {
  private readonly jobPath: string;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private cancelling = false;
  /** The Job has ended and its log is being read to the end: no new stream attaches. */
  private draining = false;
  private failures = 0;
  /** Settles when the open (or opening) log stream closes; undefined when none is open. */
  private logClosed: Promise<void> | undefined;
  private logStream: IncomingMessage | undefined;
  private readonly log: PodLog;
  /** The last reason the pod was waiting for, reported once. */
  private waiting = '';

  constructor(
    private readonly api: ApiClient,
    private readonly namespace: string,
    readonly ref: string,
    private readonly handlers: JobHandlers,
    private readonly pollMs: number,
  ) {
    this.jobPath = `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(ref)}`;
    this.log = new PodLog(handlers);
  }

  async cancel(): Promise<void> {
    if (this.ended) return;
    this.cancelling = true;
    clearTimeout(this.timer);
    try {
      // Background: the Job goes now, the garbage collector stops its pod.
      await this.api.json('DELETE', this.jobPath, { type: 'application/json', text: JSON.stringify({ propagationPolicy: 'Background' }) });
    } catch (err) {
      if (!(err instanceof KubernetesApiError && err.status === 404)) {
        // Still running: keep following it.
        this.cancelling = false;
        this.schedule();
        throw err;
      }
    }
    this.logStream?.destroy();
    this.finish({ ok: false, cancelled: true });
  }

  schedule() {
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.pollMs);
  }

  private get stopped() {
    return this.ended || this.cancelling;
  }

  private finish(result: { ok: boolean; cancelled: boolean; error?: string }) {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.handlers.onExit(result);
  }

  /** One status read; never throws (a timer calls it): failures end the run after MAX_FAILURES in a row. */
  private async tick(): Promise<void> {
    try {
      const job = await this.api.json<JobObject>('GET', this.jobPath);
      if (this.stopped) return;
      const condition = (type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
      const complete = condition('Complete');
      const failed = condition('Failed');
      const pod = complete || failed || !this.logClosed ? await this.findPod() : undefined;
      if (this.stopped) return;
      if (complete || failed) {
        await this.drainLog(pod);
        if (this.stopped) return;
        if (complete) return this.finish({ ok: true, cancelled: false });
        const code = pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
        const message = failed?.message || failed?.reason || 'the Job failed';
        return this.finish({ ok: false, cancelled: false, error: code === undefined ? message : `${message} (exit code ${code})` });
      }
      if (pod && !this.logClosed) this.follow(pod);
      this.failures = 0;
    } catch (err) {
      if (this.stopped) return;
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof KubernetesApiError && err.status === 404) return this.finish({ ok: false, cancelled: false, error: `Job ${this.ref} no longer exists` });
      if (++this.failures >= MAX_FAILURES) return this.finish({ ok: false, cancelled: false, error: `lost track of Job ${this.ref}: ${message}` });
    }
    this.schedule();
  }

  private async findPod(): Promise<PodObject | undefined> {
    const selector = encodeURIComponent(`job-name=${this.ref}`);
    const list = await this.api.json<{ items?: PodObject[] }>('GET', `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods?labelSelector=${selector}`);
    return list.items?.[0];
  }

  private logPath(pod: PodObject, follow: boolean) {
    // Timestamps let a re-opened stream skip what was already read (PodLog).
    const since = this.log.lastTimestamp ? `&sinceTime=${encodeURIComponent(this.log.lastTimestamp)}` : '';
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}/log?follow=${follow}&timestamps=true${since}`;
  }

  /** Opens the pod's log once its container has started; a stream that ends early is re-opened by the next tick. */
  private follow(pod: PodObject) {
    const phase = pod.status?.phase;
    if (phase !== 'Running' && phase !== 'Succeeded' && phase !== 'Failed') return this.reportWaiting(pod);
    this.logClosed = this.api.open('GET', this.logPath(pod, true)).then(
      (res) =>
        new Promise<void>((resolve) => {
          if (this.stopped || this.draining) {
            res.destroy();
            return resolve();
          }
          this.logStream = res;
          this.log.begin();
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => this.log.push(chunk));
          // A dropped connection: 'close' follows, and the next tick re-opens.
          res.on('error', () => undefined);
          res.on('close', () => {
            this.logStream = undefined;
            this.logClosed = undefined;
            resolve();
          });
        }),
      () => {
        // Not readable yet (the container is starting): the next tick tries again.
        this.logClosed = undefined;
      },
    );
  }

  /** Why the pod has not started (unschedulable, image pull), once per reason. */
  private reportWaiting(pod: PodObject) {
    const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
    const why = unscheduled ? `${unscheduled.reason}: ${unscheduled.message}` : waiting?.reason ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : '';
    if (why && why !== this.waiting) this.handlers.onLog(`pod ${pod.metadata.name} waiting: ${why}`);
    this.waiting = why;
  }

  /** The Job has ended: let the open stream close, then read what it may have missed. */
  private async drainLog(pod: PodObject | undefined) {
    this.draining = true;
    if (this.logClosed) {
      await Promise.race([this.logClosed, sleep(DRAIN_MS)]);
      this.logStream?.destroy();
    }
    if (pod) {
      try {
        const res = await this.api.open('GET', this.logPath(pod, false), undefined, REQUEST_TIMEOUT_MS);
        this.log.begin();
        res.setEncoding('utf8');
        for await (const chunk of res) this.log.push(chunk as string);
      } catch {
        // The container never started: there is no log to read.
      }
    }
    this.log.end();
  }
}

/**
 * The pod's log as lines for the handlers. Each line comes as `<RFC3339Nano timestamp> <text>`;
 * a stream re-opened with `sinceTime` (whole seconds) repeats lines already read, which are
 * skipped: those before the last timestamp seen, and as many at it as were read.
 */
class PodLog {
  private readonly lines = splitLines((raw) => this.line(raw));
  private readonly dispatch: (line: string) => void;
  /** The last timestamp read, as sent and as a sortable key, and how many lines carried it. */
  private stamp = '';
  private lastKey = '';
  private atLast = 0;
  private skipped = 0;
  private replaying = false;

  constructor(handlers: Pick<JobHandlers, 'onEvent' | 'onLog'>) {
    this.dispatch = dispatchLine(handlers, true);
  }

  /** Where a re-opened stream starts (`sinceTime`); empty before the first line. */
  get lastTimestamp() {
    return this.stamp;
  }

  /** A new stream: the unfinished line of the last one comes again, in full. */
  begin() {
    this.lines.reset();
    this.skipped = 0;
    this.replaying = true;
  }

  push(chunk: string) {
    this.lines.push(chunk);
  }

  /** The log is complete: a last line without a newline counts too. */
  end() {
    this.lines.end();
  }

  private line(raw: string) {
    const space = raw.indexOf(' ');
    const stamp = space > 0 ? raw.slice(0, space) : raw;
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(stamp);
    if (!m) return this.dispatch(raw);
    const key = `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}`;
    if (this.replaying) {
      if (key < this.lastKey) return;
      if (key === this.lastKey && this.skipped < this.atLast) {
        this.skipped++;
        return;
      }
      this.replaying = false;
    }
    if (key === this.lastKey) this.atLast++;
    else {
      this.lastKey = key;
      this.stamp = stamp;
      this.atLast = 1;
    }
    this.dispatch(space > 0 ? raw.slice(space + 1) : '');
  }
}

/** Requests to the API server with the bearer token and the cluster CA. */
class ApiClient {
  private readonly base: string;

  constructor(
    base: string,
    private readonly token: string | undefined,
    private readonly tokenFile: string | undefined,
    private readonly ca: string | undefined,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  /** The answer's body as JSON. */
  async json<T>(method: string, path: string, body?: { type: string; text: string }): Promise<T> {
    const res = await this.open(method, path, body, REQUEST_TIMEOUT_MS);
    return JSON.parse(await readBody(res)) as T;
  }

  /** The answer, to be read by the caller; an error for a status of 400 or more. */
  async open(method: string, path: string, body?: { type: string; text: string }, timeoutMs?: number): Promise<IncomingMessage> {
    const url = new URL(this.base + path);
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.tokenFile ? (await readFile(this.tokenFile, 'utf8')).trim() : this.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) {
      headers['content-type'] = body.type;
      // Stated, not chunked: a DELETE with a chunked body is refused by some servers.
      headers['content-length'] = String(Buffer.byteLength(body.text));
    }
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = url.protocol === 'https:' ? https.request(url, { method, headers, ca: this.ca }, resolve) : http.request(url, { method, headers }, resolve);
      req.on('error', reject);
      if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname}: no answer in ${timeoutMs} ms`)));
      req.end(body?.text);
    });
    const status = res.statusCode ?? 0;
    if (status < 400) return res;
    const text = await readBody(res).catch(() => '');
    let message = text.slice(0, 500);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not a Status object: the text as it is
    }
    throw new KubernetesApiError(status, `Kubernetes ${method} ${url.pathname}: ${status} ${message}`);
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk as string;
  return text;
}
