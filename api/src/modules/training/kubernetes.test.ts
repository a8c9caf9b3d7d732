import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JobEvent, type JobHandlers, type JobSpec } from './executor.js';
import { KubernetesExecutor, renderJobManifest } from './kubernetes.js';

const template = readFileSync(new URL('../../../../infra/k8s/training-job.yaml', import.meta.url), 'utf8');

const values = {
  NAME: 'dialoop-train-7',
  NAMESPACE: 'dialoop',
  IMAGE: 'registry.example/dialoop-training:1.2',
  RUN_ID: 'run_abc',
  ARGS_JSON: JSON.stringify(['--method', 'dpo', '--out', '/data/models/a "b"\nc', '${NAME}']),
  PVC: 'dialoop-data',
  GPUS: 2,
  NPROC: 2,
  DEADLINE_S: 3600,
};

describe('renderJobManifest', () => {
  const out = renderJobManifest(template, values);
  const lines = out.split('\n');

  it('fills in every placeholder, keeping the template line by line', () => {
    const tpl = template.split('\n');
    expect(lines).toHaveLength(tpl.length);
    tpl.forEach((line, i) => {
      const head = line.trimStart().startsWith('#') ? line : line.split('${')[0];
      expect(lines[i]!.startsWith(head!)).toBe(true);
      // (the arguments carry a literal ${NAME} of their own)
      if (!line.trimStart().startsWith('#') && !line.includes('${ARGS_JSON}')) expect(lines[i]).not.toMatch(/\$\{[A-Z_]+\}/);
    });
  });

  it('writes the name, labels, image, claim, deadline, GPUs and the command', () => {
    expect(out).toContain('\nkind: Job\n');
    expect(out).toContain('  name: "dialoop-train-7"\n  namespace: "dialoop"\n');
    expect(lines.filter((l) => l.trim() === 'app.kubernetes.io/name: dialoop-training')).toHaveLength(2);
    expect(lines.filter((l) => l.trim() === 'dialoop.dev/run-id: "run_abc"')).toHaveLength(2);
    expect(out).toContain('image: "registry.example/dialoop-training:1.2"');
    expect(out).toContain('claimName: "dialoop-data"');
    expect(out).toContain('mountPath: /data\n');
    expect(out).toContain('activeDeadlineSeconds: 3600\n');
    expect(out).toContain('ttlSecondsAfterFinished: 86400\n');
    expect(out).toContain('backoffLimit: 0\n');
    expect(out).toContain('restartPolicy: Never\n');
    expect(out).toContain('nvidia.com/gpu: 2\n');
    expect(out).toContain('workingDir: /app/training\n');
    expect(out).toContain('command: ["torchrun", "--standalone", "--nproc_per_node=2", "-m", "dialoop_train.preference_train"]');
  });

  it('puts the arguments in as a JSON array, quotes and newlines escaped, placeholders in them untouched', () => {
    const argsLine = lines.find((l) => l.trim().startsWith('args: '))!;
    expect(JSON.parse(argsLine.trim().slice('args: '.length))).toEqual(JSON.parse(values.ARGS_JSON));
  });

  it('escapes strings for their double quotes and refuses missing values and non-JSON arrays', () => {
    expect(renderJobManifest('name: "${NAME}"', { NAME: 'a"b\nc' })).toBe('name: "a\\"b\\nc"');
    expect(() => renderJobManifest(template, { ...values, PVC: undefined as unknown as string })).toThrow('no value for ${PVC}');
    expect(() => renderJobManifest(template, { ...values, ARGS_JSON: '[--x' })).toThrow('${ARGS_JSON} is not JSON');
  });
});

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A small stand-in for the API server: the Job, its one pod and the pod's log, as the test sets them. */
class FakeApiServer {
  readonly requests: Recorded[] = [];
  server!: Server;
  jobConditions: { type: string; status: string; reason?: string; message?: string }[] = [];
  podPhase = 'Running';
  waiting: { reason: string; message: string } | undefined;
  exitCode: number | undefined;
  /** The pod's log: lines with their timestamps, as the kubelet keeps them. */
  log: { at: string; text: string }[] = [];
  createStatus = 201;
  jobGone = false;

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => this.answer({ method: req.method!, url: req.url!, headers: req.headers, body }, res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }

  private answer(r: Recorded, res: ServerResponse) {
    this.requests.push(r);
    const url = new URL(r.url, 'http://x');
    const send = (status: number, obj: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
    const jobs = '/apis/batch/v1/namespaces/dialoop/jobs';
    if (r.method === 'POST' && url.pathname === jobs) {
      if (this.createStatus !== 201) return send(this.createStatus, { kind: 'Status', message: 'jobs.batch "dialoop-train-7" already exists' });
      return send(201, { metadata: { name: /\n {2}name: "([^"]+)"/.exec(r.body)?.[1] } });
    }
    if (r.method === 'GET' && url.pathname === `${jobs}/dialoop-train-7` && !this.jobGone) return send(200, { status: { conditions: this.jobConditions } });
    if (r.method === 'DELETE' && url.pathname === `${jobs}/dialoop-train-7`) return send(200, { kind: 'Status', status: 'Success' });
    if (r.method === 'GET' && url.pathname === '/api/v1/namespaces/dialoop/pods') {
      const state = this.waiting ? { waiting: this.waiting } : this.exitCode === undefined ? {} : { terminated: { exitCode: this.exitCode } };
      return send(200, { items: [{ metadata: { name: 'dialoop-train-7-x1' }, status: { phase: this.podPhase, containerStatuses: [{ state }] } }] });
    }
    if (r.method === 'GET' && url.pathname === '/api/v1/namespaces/dialoop/pods/dialoop-train-7-x1/log') {
      // sinceTime has whole seconds, as the kubelet honours it: lines of that second come again.
      const since = url.searchParams.get('sinceTime')?.slice(0, 19) ?? '';
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (const l of this.log) if (l.at.slice(0, 19) >= since) res.write(`${l.at} ${l.text}\n`);
      // Every stream ends at once, as a dropped connection would: the executor re-opens it.
      return res.end();
    }
    return send(404, { kind: 'Status', message: `no route ${r.method} ${r.url}` });
  }
}

const spec: JobSpec = { runId: 'run_abc', runNumber: 7, args: ['--method', 'dpo'], outputDir: '/data/models/m', runDir: '/data/runs/r' };

function recorder() {
  const events: JobEvent[] = [];
  const logs: string[] = [];
  const exits: Parameters<JobHandlers['onExit']>[0][] = [];
  let exited: (v: unknown) => void = () => undefined;
  const exit = new Promise((resolve) => (exited = resolve));
  const handlers: JobHandlers = {
    onEvent: (e) => events.push(e),
    onLog: (l) => logs.push(l),
    onExit: (r) => {
      exits.push(r);
      exited(r);
    },
  };
  return { events, logs, exits, exit, handlers };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('KubernetesExecutor', () => {
  let api: FakeApiServer;
  let executor: KubernetesExecutor;

  beforeEach(async () => {
    api = new FakeApiServer();
    const apiServer = await api.listen();
    executor = new KubernetesExecutor({ apiServer, namespace: 'dialoop', token: 'sa-token', image: 'img:1', pvc: 'dialoop-data', gpus: 1, nproc: 1, deadlineSeconds: 600, template, pollMs: 15 });
  });
  afterEach(() => api.close());

  it('creates the Job with the bearer token, streams its log once across re-opened streams, and reports success', async () => {
    api.log = [
      { at: '2026-01-01T10:00:00.100000000Z', text: '{"event": "progress", "step": 1, "total": 2, "loss": 0.5}' },
      { at: '2026-01-01T10:00:00.200000000Z', text: 'loading model' },
    ];
    const r = recorder();
    const job = await executor.start(spec, r.handlers);
    expect(job.ref).toBe('dialoop-train-7');

    const create = api.requests[0]!;
    expect(create.method).toBe('POST');
    expect(create.url).toBe('/apis/batch/v1/namespaces/dialoop/jobs');
    expect(create.headers.authorization).toBe('Bearer sa-token');
    expect(create.headers['content-type']).toBe('application/yaml');
    expect(create.body).toContain('args: ["--method","dpo"]');
    expect(create.body).toContain('dialoop.dev/run-id: "run_abc"');

    await until(() => r.logs.length === 1);
    // A line in the same second as the last one read, then the job ends.
    api.log.push({ at: '2026-01-01T10:00:00.300000000Z', text: '{"event": "done", "step": 2}' });
    await until(() => r.events.length === 2);
    api.jobConditions = [{ type: 'Complete', status: 'True' }];
    api.podPhase = 'Succeeded';
    await r.exit;

    expect(r.events).toEqual([
      { event: 'progress', step: 1, total: 2, loss: 0.5 },
      { event: 'done', step: 2 },
    ]);
    expect(r.logs).toEqual(['loading model']);
    expect(r.exits).toEqual([{ ok: true, cancelled: false }]);
    const logReads = api.requests.filter((q) => q.url.includes('/log?'));
    expect(logReads[0]!.url).toContain('follow=true&timestamps=true');
    expect(logReads.at(-1)!.url).toContain('follow=false&timestamps=true&sinceTime=2026-01-01T10%3A00%3A00.300000000Z');
    expect(api.requests.some((q) => q.url === '/api/v1/namespaces/dialoop/pods?labelSelector=job-name%3Ddialoop-train-7')).toBe(true);
  });

  it("reports a failed Job with its condition's message and the exit code", async () => {
    api.log = [{ at: '2026-01-01T10:00:00Z', text: 'Traceback: boom' }];
    api.jobConditions = [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }];
    api.podPhase = 'Failed';
    api.exitCode = 1;
    const r = recorder();
    await executor.start(spec, r.handlers);
    await r.exit;
    expect(r.exits).toEqual([{ ok: false, cancelled: false, error: 'Job has reached the specified backoff limit (exit code 1)' }]);
    expect(r.logs).toEqual(['Traceback: boom']);
  });

  it('says once why the pod is waiting to start', async () => {
    api.podPhase = 'Pending';
    api.waiting = { reason: 'ErrImagePull', message: 'pull access denied for img' };
    const r = recorder();
    const job = await executor.start(spec, r.handlers);
    await until(() => api.requests.filter((q) => q.url.includes('/pods?')).length >= 3);
    expect(r.logs).toEqual(['pod dialoop-train-7-x1 waiting: ErrImagePull: pull access denied for img']);
    expect(api.requests.some((q) => q.url.includes('/log?'))).toBe(false);
    await job.cancel();
  });

  it('cancels with a background DELETE and reports it once', async () => {
    const r = recorder();
    const job = await executor.start(spec, r.handlers);
    await until(() => api.requests.some((q) => q.url.includes('/log?')));
    await job.cancel();
    const del = api.requests.find((q) => q.method === 'DELETE')!;
    expect(del.url).toBe('/apis/batch/v1/namespaces/dialoop/jobs/dialoop-train-7');
    expect(del.headers.authorization).toBe('Bearer sa-token');
    expect(JSON.parse(del.body)).toEqual({ propagationPolicy: 'Background' });
    expect(r.exits).toEqual([{ ok: false, cancelled: true }]);
    const seen = api.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api.requests.length).toBe(seen);
    expect(r.exits).toHaveLength(1);
  });

  it('reports an error, from the poll, when the Job was deleted behind its back', async () => {
    const r = recorder();
    await executor.start(spec, r.handlers);
    api.jobGone = true;
    await r.exit;
    expect(r.exits).toEqual([{ ok: false, cancelled: false, error: 'Job dialoop-train-7 no longer exists' }]);
  });

  it("surfaces the API server's status and message", async () => {
    api.createStatus = 409;
    await expect(executor.start(spec, recorder().handlers)).rejects.toThrow(
      'Kubernetes POST /apis/batch/v1/namespaces/dialoop/jobs: 409 jobs.batch "dialoop-train-7" already exists',
    );
  });

  it("takes the namespace, token and CA from the pod's service account", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sa-'));
    try {
      await writeFile(join(dir, 'namespace'), 'dialoop\n');
      await writeFile(join(dir, 'token'), 'token-1\n');
      const apiServer = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
      const fromSa = await KubernetesExecutor.fromServiceAccount({ apiServer, image: 'img:1', pvc: 'dialoop-data', gpus: 1, nproc: 1, deadlineSeconds: 600, template, pollMs: 15 }, dir);
      const job = await fromSa.start(spec, recorder().handlers);
      expect(api.requests[0]!.url).toBe('/apis/batch/v1/namespaces/dialoop/jobs');
      expect(api.requests[0]!.headers.authorization).toBe('Bearer token-1');
      // The kubelet rotates the token: the next request reads the new one.
      await writeFile(join(dir, 'token'), 'token-2\n');
      await job.cancel();
      expect(api.requests.find((q) => q.method === 'DELETE')!.headers.authorization).toBe('Bearer token-2');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
