/**
 * Monitoring, checked by its own tools and run against the real platform:
 * - the Prometheus rules (infra/prometheus) pass `promtool check rules` and `promtool test rules`,
 *   whose unit tests cover every alert both firing and not firing;
 * - the Grafana dashboards (infra/grafana/dashboards) are exactly what their sources, typed by
 *   @grafana/schema, build; their layout and data source references hold; the provisioning files
 *   agree with them;
 * - on the running platform (PostgreSQL, two inference servers, the api, and Debian's Prometheus
 *   scraping them every second with the shipped rule files): every metric the rules and
 *   dashboards name is one the api or the inference server exports (read from their live
 *   /metrics), every rule evaluates without error, every dashboard query returns data after a
 *   little traffic (listed exceptions aside, each with its reason), and killing an inference
 *   server fires DialoopInferenceDown, and a third one the api does not list fires
 *   DialoopInferenceNotReady, each within its `for`.
 * Debian's `prometheus` package provides promtool and prometheus (`apt-get install -y prometheus`):
 * without them the tests fail, they do not skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Panel } from '@grafana/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// The api's test harness and throwaway databases (what `@dialoop/api/testing` and `@dialoop/db/testing` export).
import { SEND, codeOf, collect, connect, freePort, gql, gqlOk, login, newUser, spawnApi, startInference, type Proc } from '@dialoop/api/testing';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import { dashboardJson, dashboards } from '../grafana/src/index.js';

const INFRA = fileURLToPath(new URL('..', import.meta.url));
const RULES = join(INFRA, 'prometheus');
const RULE_FILES = ['recording.yml', 'alerts.yml'];
const DASHBOARDS = join(INFRA, 'grafana', 'dashboards');
const PROVISIONING = join(INFRA, 'grafana', 'provisioning');

/** A tool from Debian's prometheus package, or a failure that says how to get it. */
function requireTool(name: 'promtool' | 'prometheus'): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) throw new Error(`${name} is not installed: these tests need Debian's Prometheus (apt-get install -y prometheus)`);
  return path;
}

function promtool(...args: string[]): string {
  const r = spawnSync(requireTool('promtool'), args, { cwd: RULES, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`promtool ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
const readYaml = async <T>(path: string): Promise<T> => parse(await readFile(path, 'utf8')) as T;
const rulesOf = async (file: string) => (await readYaml<RuleFile>(join(RULES, file))).groups.flatMap((g) => g.rules);

/** Seconds in a Prometheus duration such as `1m` or `1h30m`. */
function seconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * units[unit!]!;
  return total;
}

/** Every panel query of every dashboard, with where it comes from. */
function dashboardQueries() {
  return Object.values(dashboards).flatMap((d) =>
    (d.panels ?? []).flatMap((p) =>
      p.type === 'row'
        ? []
        : ((p as Panel).targets ?? []).map((t) => ({ dashboard: d.uid!, panel: p.title ?? '', refId: String(t.refId), expr: String(t.expr) })),
    ),
  );
}

/**
 * Metric names a PromQL expression reads: ours all start with `dialoop_` (exported) or `dialoop:`
 * (recorded), besides Prometheus' own `up`. Quoted label values are left out first.
 */
function metricNames(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set([...bare.matchAll(/\b(?:dialoop[_:][a-z0-9_:]+|up(?=\s*\{))/g)].map((m) => m[0]))];
}

describe('Prometheus rules (infra/prometheus)', () => {
  it('pass promtool check rules', () => {
    const out = promtool('check', 'rules', ...RULE_FILES);
    expect(out).toMatch(/recording\.yml\s+SUCCESS: \d+ rules found/);
    expect(out).toMatch(/alerts\.yml\s+SUCCESS: \d+ rules found/);
  });

  it('pass their unit tests, which cover every alert firing and not firing', async () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toMatch(/SUCCESS/);
    const alerts = (await rulesOf('alerts.yml')).flatMap((r) => (r.alert ? [r.alert] : []));
    type UnitTests = { rule_files: string[]; tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[] };
    const unit = await readYaml<UnitTests>(join(RULES, 'alerts.test.yml'));
    expect(unit.rule_files.sort()).toEqual([...RULE_FILES].sort());
    const cases = unit.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const alert of alerts) {
      expect(cases.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length > 0), `${alert} has a firing test`).toBe(true);
      expect(cases.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length === 0), `${alert} has a not-firing test`).toBe(true);
    }
    for (const c of cases) expect(alerts, `alerts.test.yml tests ${c.alertname}`).toContain(c.alertname);
  });

  it('read only recording rules that recording.yml defines', async () => {
    const recorded = new Set((await rulesOf('recording.yml')).map((r) => r.record));
    const read = [...(await rulesOf('recording.yml')), ...(await rulesOf('alerts.yml'))].flatMap((r) => metricNames(r.expr)).filter((n) => n.includes(':'));
    const fromDashboards = dashboardQueries().flatMap((q) => metricNames(q.expr)).filter((n) => n.includes(':'));
    for (const name of [...read, ...fromDashboards]) expect(recorded, name).toContain(name);
  });
});

describe('Grafana dashboards (infra/grafana)', () => {
  it('are the JSON their typed sources build (npx tsx scripts/dashboards.ts rewrites them)', async () => {
    const files = (await readdir(DASHBOARDS)).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(Object.keys(dashboards).map((n) => `${n}.json`).sort());
    for (const [name, d] of Object.entries(dashboards)) expect(await readFile(join(DASHBOARDS, `${name}.json`), 'utf8'), name).toBe(dashboardJson(d));
  });

  it('have unique uids and panel ids, panels on the grid without overlap, and every query on the datasource variable', () => {
    const uids = Object.values(dashboards).map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const d of Object.values(dashboards)) {
      expect(d.uid!.length).toBeLessThanOrEqual(40);
      const panels = d.panels ?? [];
      expect(new Set(panels.map((p) => p.id)).size, d.uid).toBe(panels.length);
      const cells = new Set<string>();
      for (const p of panels) {
        const g = p.gridPos!;
        expect(g.x + g.w, `${d.uid}: ${p.title}`).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${d.uid}: ${p.title} overlaps another panel`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
        if (p.type === 'row') continue;
        const panel = p as Panel;
        expect(panel.datasource, `${d.uid}: ${p.title}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(panel.description, `${d.uid}: ${p.title} says what it shows`).toBeTruthy();
        const targets = panel.targets ?? [];
        expect(targets.length, `${d.uid}: ${p.title}`).toBeGreaterThan(0);
        for (const t of targets) expect(t.datasource).toEqual(panel.datasource);
      }
      const variables = d.templating?.list ?? [];
      expect(variables[0]).toMatchObject({ type: 'datasource', name: 'datasource', query: 'prometheus' });
      // A query that names a variable uses one the dashboard defines.
      for (const q of dashboardQueries().filter((x) => x.dashboard === d.uid)) {
        for (const [, v] of q.expr.matchAll(/\$\{?([a-z_]+)/g)) expect(['__rate_interval', ...variables.map((x) => x.name)], `${d.uid}: ${q.panel}`).toContain(v);
      }
    }
  });

  it('are provisioned with the data source they default to', async () => {
    const ds = await readYaml<{ apiVersion: number; datasources: { uid: string; type: string; url: string; isDefault: boolean }[] }>(join(PROVISIONING, 'datasources', 'prometheus.yaml'));
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toEqual([expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: '${PROMETHEUS_URL}', isDefault: true })]);
    for (const d of Object.values(dashboards)) {
      expect(d.templating?.list?.[0]?.current, d.uid).toEqual({ text: 'Prometheus', value: ds.datasources[0]!.uid });
    }
    const provider = await readYaml<{ apiVersion: number; providers: { type: string; folder: string; options: { path: string } }[] }>(join(PROVISIONING, 'dashboards', 'dialoop.yaml'));
    expect(provider.apiVersion).toBe(1);
    expect(provider.providers).toEqual([expect.objectContaining({ type: 'file', folder: 'Dialoop', options: expect.objectContaining({ path: '/var/lib/grafana/dashboards/dialoop' }) })]);
  });
});

// ---- the running platform -------------------------------------------------------------------------

/**
 * Dashboard queries allowed to come back empty (or NaN) here, each for a reason; everything else
 * must return at least one sample with a number after the traffic below.
 */
const QUIET: Record<string, string> = {
  'dialoop-api/Time to settle a stopped process’s replies/A': 'observed only when an api process dies and another settles its replies (with Redis)',
  'dialoop-api/Time to settle a stopped process’s replies/B': 'observed only when an api process dies and another settles its replies (with Redis)',
  'dialoop-safety/BLOCK hits against the day before/B': 'reads the day before, from 10 minutes ago: older than this Prometheus',
  'dialoop-rollout/Win rate against the baseline/A': 'set when a comparison of two versions with reviewed head-to-head items is computed: this test reviews no arena item',
  'dialoop-review/Reviewer agreement/A': 'set when agreement over the whole queue is computed and two reviewers share items: this test submits no review',
};

/** The rate window a dashboard's `$__rate_interval` stands for here, and its `$model` ("All"). */
const substitute = (expr: string) => expr.replaceAll('$__rate_interval', '2m').replaceAll('$model', '.*');

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

interface Prometheus {
  url: string;
  /** Scrapes these targets from now on (the configuration rewritten, then SIGHUP). */
  reload(jobs: Record<string, string[]>): Promise<void>;
  query(expr: string): Promise<Sample[]>;
  get<T>(path: string): Promise<T>;
  output(): string;
  stop(): Promise<void>;
}

/** Debian's Prometheus on a free loopback port, scraping every second, with the shipped rule files. */
async function startPrometheus(jobs: Record<string, string[]>): Promise<Prometheus> {
  const binary = requireTool('prometheus');
  const dir = await mkdtemp(join(tmpdir(), 'dialoop-prometheus-'));
  const configure = (scrape: Record<string, string[]>) =>
    writeFile(
      join(dir, 'prometheus.yml'),
      JSON.stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        rule_files: RULE_FILES.map((f) => join(RULES, f)),
        scrape_configs: Object.entries(scrape).map(([job, urls]) => ({ job_name: job, static_configs: [{ targets: urls.map((u) => new URL(u).host) }] })),
      }),
    );
  await configure(jobs);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const get = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(url + path)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`);
    return body.data;
  };
  const prom: Prometheus = {
    url,
    get,
    reload: async (scrape) => {
      await configure(scrape);
      child.kill('SIGHUP');
      const hosts = Object.values(scrape).flat().map((u) => new URL(u).host).sort();
      await until('the new configuration', 10_000, async () => {
        const { activeTargets } = await get<{ activeTargets: { scrapeUrl: string }[] }>('/api/v1/targets');
        const scraped = activeTargets.map((t) => new URL(t.scrapeUrl).host).sort();
        return JSON.stringify(scraped) === JSON.stringify(hosts) ? true : undefined;
      });
    },
    query: async (expr) => {
      const data = await get<{ resultType: string; result: unknown }>(`/api/v1/query?${new URLSearchParams({ query: expr })}`);
      if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
      return data.resultType === 'vector' ? (data.result as Sample[]) : [];
    },
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
  for (const end = Date.now() + 30_000; ; await sleep(200)) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${out}`);
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) return prom;
    if (Date.now() > end) {
      await prom.stop();
      throw new Error(`prometheus was not ready within 30 s:\n${out}`);
    }
  }
}

/** Polls `check` every half second until it returns a value, for at most `ms`. */
async function until<T>(what: string | (() => string), ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(500);
  }
}

/** Metric names in a /metrics page (histograms with their _bucket, _sum and _count series). */
async function exportedNames(url: string): Promise<Set<string>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}
const alerts = async (prom: Prometheus) => (await prom.get<{ alerts: Alert[] }>('/api/v1/alerts')).alerts;

const CREATE_TERM = 'mutation($i: CreateSafetyTermInput!) { createSafetyTerm(input: $i) { id } }';
const CANCEL = 'mutation($id: ID!) { cancelGeneration(messageId: $id) { status finishReason } }';
/** Terms this test adds, one for each level, so that its prompts hit them whatever the default list holds. */
const BLOCKED = 'zorblaxqua';
const MASKED = 'quibbletoff';
const FLAGGED = 'snorkelvane';
/** Replies sent at once: more than the two servers' four batch slots (no queue), so some get a 429 and wait in the api's reply queue. */
const BURST = 8;
/** Replies cancelled mid-stream. */
const CANCELS = 3;

describe('on the running platform: Prometheus scraping the api and the inference servers', () => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let infA: Proc | undefined;
  let infB: Proc | undefined;
  /** A third server the api does not list in INFERENCE_URL, scraped only from the last test on. */
  let infC: Proc | undefined;
  let api: Proc | undefined;
  let prom: Prometheus | undefined;

  beforeAll(async () => {
    requireTool('prometheus');
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'dialoop-monitoring-'));
    // Two batch slots and no queue each: a burst of replies gets 429s, queues in the api, and waits.
    const inferenceEnv = { INFERENCE_MAX_BATCH: '2', INFERENCE_MAX_N: '2', INFERENCE_MAX_QUEUE: '0' };
    [infA, infB] = await Promise.all([startInference(inferenceEnv), startInference(inferenceEnv)]);
    [infC, api] = await Promise.all([
      startInference(inferenceEnv),
      spawnApi({
        DATABASE_URL: db.url,
        DIALOOP_DATA_DIR: dataDir,
        INFERENCE_URL: `${infA.url},${infB.url}`,
        // A dead upstream is out of rotation within about a second.
        INFERENCE_HEALTH_INTERVAL_S: '0.5',
        INFERENCE_HEALTH_FAILURES: '2',
        INFERENCE_HEALTH_TIMEOUT_MS: '3000',
        // The first safety hit of a person takes the WARN step, so that escalations have a series;
        // the later steps (SLOW would refuse this test's next prompts) are out of reach.
        SAFETY_WARN_AT: '1',
        SAFETY_SLOW_AT: '1000',
        SAFETY_LOCK_AT: '1000',
        SAFETY_REVIEW_AT: '1000',
        REVIEW_COLLECT_INTERVAL_S: '0',
        // The checkpoint job runs (and is counted) while the test runs; DialoopAuditCheckpointOverdue would fire 20 s after its last success.
        AUDIT_CHECKPOINT_INTERVAL_S: '10',
      }),
    ]);
    prom = await startPrometheus({ 'dialoop-api': [api.url], 'dialoop-inference': [infA.url, infB.url] });
    await until('every target scraped', 30_000, async () => {
      const { activeTargets } = await prom!.get<{ activeTargets: { health: string }[] }>('/api/v1/targets');
      return activeTargets.length === 3 && activeTargets.every((t) => t.health === 'up') ? true : undefined;
    });

    // Traffic: a burst of replies streamed over graphql-ws, three cancelled mid-reply, and prompts
    // hitting a BLOCK, a MASK and a REVIEW term (a second apart, so that their counters rise
    // between scrapes: a labelled series appears at its first hit, and a rate needs a second).
    const admin = await login(api.url, 'admin@demo.local');
    for (const [term, level] of [[BLOCKED, 'BLOCK'], [MASKED, 'MASK'], [FLAGGED, 'REVIEW']]) {
      await gqlOk(api.url, CREATE_TERM, { i: { term, level, category: 'monitoring-test' } }, admin);
    }
    const user = await newUser(api.url, 'USER', admin);
    const ws = await connect(api.url, user.token);
    try {
      const sent = await Promise.all(
        Array.from({ length: BURST }, (_, i) => gqlOk(api!.url, SEND, { input: { content: `Tell me something, number ${i}.`, params: { maxTokens: 120, ignoreEos: true } } }, user.token)),
      );
      const finals = await Promise.all(sent.map(async (s) => (await collect(ws, s.sendMessage.assistantMessage.id)).at(-1)!));
      expect(finals.map((f) => f.status)).toEqual(Array(BURST).fill('COMPLETE'));

      // A histogram's series appears at its first observation, so a rate needs a second one a
      // scrape later on the same server: of three cancellations, two land on one of the two.
      for (let i = 0; i < CANCELS; i++) {
        const long = (await gqlOk(api.url, SEND, { input: { content: `A long one to cancel, ${i}.`, params: { maxTokens: 900, ignoreEos: true } } }, user.token)).sendMessage.assistantMessage.id;
        const streamed = await collect(ws, long, { until: (_e, all) => all.length >= 3 });
        const cancelled = (await gqlOk(api.url, CANCEL, { id: long }, user.token)).cancelGeneration;
        expect({ cancelled, streamed: streamed.length }).toEqual({ cancelled: { status: 'CANCELLED', finishReason: 'cancelled' }, streamed: 3 });
        await sleep(1_200);
      }

      for (let i = 0; i < 3; i++) {
        expect(codeOf(await gql(api.url, SEND, { input: { content: `What about ${BLOCKED} ${i}?` } }, user.token))).toBe('SAFETY_BLOCKED');
        await gqlOk(api.url, SEND, { input: { content: `Is ${MASKED} like ${FLAGGED}, ${i}?`, params: { maxTokens: 4 } } }, user.token);
        await sleep(1_200);
      }
    } finally {
      await ws.dispose();
    }
    // An audit verification, a dataset version built (from what the traffic left), and agreement
    // computed over the whole queue (no reviews here: no agreement is exported).
    expect((await gqlOk(api.url, 'query { verifyAuditChain { valid } }', {}, admin)).verifyAuditChain).toEqual({ valid: true });
    await gqlOk(api.url, 'mutation { createDatasetVersion(input: { name: "monitoring" }) { id } }', {}, admin);
    await gqlOk(api.url, 'query { reviewAgreement { items } }', {}, admin);
    // Prometheus has scraped what that traffic left.
    const scraped: Record<string, number> = {
      'sum(dialoop_api_generations_total)': BURST + CANCELS + 3,
      'sum(dialoop_inference_cancel_to_free_seconds_count)': CANCELS,
      // The burst was more than the servers' slots: some replies got a 429 and waited.
      'sum(dialoop_inference_rejected_requests_total)': 1,
      'sum(dialoop_api_reply_queue_wait_seconds_count)': 1,
      'sum(dialoop_api_safety_hits_total{level="BLOCK"})': 3,
      'sum(dialoop_api_safety_hits_total{level="MASK"})': 3,
      'sum(dialoop_api_safety_hits_total{level="REVIEW"})': 3,
      // Each BLOCK prompt is a sendMessage answered SAFETY_BLOCKED; the rest of the traffic answered OK.
      'sum(dialoop_api_graphql_operations_total{code="SAFETY_BLOCKED"})': 3,
      'sum(dialoop_api_graphql_operations_total{type="subscription",code="OK"})': BURST + CANCELS,
      'sum(dialoop_api_stream_delivery_lag_seconds_count)': BURST,
      // The test unsubscribed from each cancelled reply after three events.
      'sum(dialoop_api_subscriptions_lost_total{reason="client_gone"})': CANCELS,
      'sum(dialoop_api_audit_chain_verifications_total{result="valid"})': 1,
      'sum(dialoop_api_audit_checkpoint_runs_total{outcome="ok"})': 1,
      'sum(dialoop_api_dataset_builds_total{status="READY"})': 1,
      'count(dialoop_api_review_items)': 4,
      'sum(dialoop_api_model_canary_share)': 1,
    };
    let seen = {};
    await until(() => `the traffic scraped (${JSON.stringify(seen)} of ${JSON.stringify(scraped)})`, 20_000, async () => {
      const values = await Promise.all(Object.keys(scraped).map(async (e) => [e, Number((await prom!.query(e))[0]?.value[1] ?? 0)] as const));
      seen = Object.fromEntries(values);
      return values.every(([e, v]) => v >= scraped[e]!) ? true : undefined;
    });
    // Every subscription of that traffic has ended (its reply finished, or the test stopped it after
    // three events): none is left open, and each subscription field of the schema has its series.
    await until('no subscription left open', 10_000, async () => {
      const [open, fields] = await Promise.all(['sum(dialoop_api_subscriptions_open)', 'count(dialoop_api_subscriptions_open)'].map(async (e) => Number((await prom!.query(e))[0]?.value[1])));
      return open === 0 && fields === 2 ? true : undefined;
    });
  }, 240_000);

  afterAll(async () => {
    await prom?.stop();
    await api?.stop();
    await infA?.kill();
    await infB?.kill();
    await infC?.kill();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('every metric the rules and dashboards read is one the api or the inference server exports', async () => {
    const exported = new Set([...(await exportedNames(api!.url)), ...(await exportedNames(infA!.url))]);
    const recorded = new Set((await rulesOf('recording.yml')).map((r) => r.record!));
    const rules = [...(await rulesOf('recording.yml')), ...(await rulesOf('alerts.yml'))].map((r) => ({ where: r.alert ?? r.record!, expr: r.expr }));
    const panels = dashboardQueries().map((q) => ({ where: `${q.dashboard}: ${q.panel}`, expr: q.expr }));
    const variables = Object.values(dashboards).flatMap((d) => (d.templating?.list ?? []).filter((v) => v.type === 'query').map((v) => ({ where: `${d.uid}: $${v.name}`, expr: (v.query as { query: string }).query })));
    let checked = 0;
    for (const { where, expr } of [...rules, ...panels, ...variables]) {
      for (const name of metricNames(expr)) {
        checked++;
        if (name === 'up') continue;
        expect(name.includes(':') ? recorded.has(name) : exported.has(name), `${where} reads ${name}, which nothing exports`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('loads every rule, and each evaluates without error', async () => {
    const expected = [...(await rulesOf('recording.yml')), ...(await rulesOf('alerts.yml'))].map((r) => r.alert ?? r.record);
    type Rules = { groups: { rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] };
    const loaded = await until('every rule evaluated', 10_000, async () => {
      const rules = (await prom!.get<Rules>('/api/v1/rules')).groups.flatMap((g) => g.rules);
      return rules.every((r) => !r.lastEvaluation.startsWith('0001')) ? rules : undefined;
    });
    expect(loaded.map((r) => r.name).sort()).toEqual([...expected].sort());
    for (const r of loaded) expect({ rule: r.name, health: r.health, error: r.lastError ?? '' }).toEqual({ rule: r.name, health: 'ok', error: '' });
    // Traffic as light as this fires nothing.
    expect((await alerts(prom!)).filter((a) => a.state === 'firing').map((a) => a.labels.alertname)).toEqual([]);
  });

  it('every dashboard query returns data', async () => {
    const empty: string[] = [];
    for (const q of dashboardQueries()) {
      const key = `${q.dashboard}/${q.panel}/${q.refId}`;
      const samples = await prom!.query(substitute(q.expr));
      const numbers = samples.filter((s) => Number.isFinite(Number(s.value[1])));
      if (key in QUIET) continue;
      if (numbers.length === 0) empty.push(`${key}: ${q.expr} → ${JSON.stringify(samples)}`);
    }
    expect(empty, 'queries without data').toEqual([]);
    const keys = new Set(dashboardQueries().map((q) => `${q.dashboard}/${q.panel}/${q.refId}`));
    for (const key of Object.keys(QUIET)) expect(keys, `QUIET names ${key}, which is no query`).toContain(key);
    // The model variable lists the model the servers serve.
    const models = await prom!.get<string[]>(`/api/v1/label/model/values?${new URLSearchParams({ 'match[]': 'dialoop_inference_generated_tokens_total' })}`);
    expect(models.length).toBeGreaterThan(0);
  });

  it('kills an inference server and starts one the api does not list: DialoopInferenceDown and DialoopInferenceNotReady fire within their `for`', async () => {
    const rules = await rulesOf('alerts.yml');
    const forOf = (alert: string) => seconds(rules.find((r) => r.alert === alert)!.for!);
    const killed = new URL(infA!.url).host;
    // Scrape interval, evaluation interval, the api's ejection (two failed checks half a second
    // apart) and the reload, with room for a loaded machine.
    const slackS = 15;
    const changedAt = Date.now();
    await infA!.kill();
    // A replica beyond INFERENCE_URL's list (as one past the prod overlay's names would be): up, never used.
    await prom!.reload({ 'dialoop-api': [api!.url], 'dialoop-inference': [infA!.url, infB!.url, infC!.url] });
    const firedAfter = async (alert: string, labels: Record<string, string>) =>
      until(`${alert} to fire`, (forOf(alert) + slackS) * 1000, async () => {
        const all = await alerts(prom!);
        expect(all.map((a) => a.labels.alertname), 'B and C are up').not.toContain('DialoopInferenceUnavailable');
        const fired = all.some((a) => a.labels.alertname === alert && a.state === 'firing' && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
        return fired ? (Date.now() - changedAt) / 1000 : undefined;
      });
    const down = await firedAfter('DialoopInferenceDown', { instance: killed });
    const notReady = await firedAfter('DialoopInferenceNotReady', {});
    console.log(`DialoopInferenceDown fired ${down.toFixed(1)} s after the kill, DialoopInferenceNotReady ${notReady.toFixed(1)} s after the unlisted server was scraped (for: ${forOf('DialoopInferenceDown')} s and ${forOf('DialoopInferenceNotReady')} s)`);
    expect(down).toBeGreaterThanOrEqual(forOf('DialoopInferenceDown'));
    expect(notReady).toBeGreaterThanOrEqual(forOf('DialoopInferenceNotReady'));
    // Only those two fire; the dead server, ejected and down, is not counted as "not ready" (two up, B in rotation).
    const firing = (await alerts(prom!)).filter((a) => a.state === 'firing');
    expect(firing.map((a) => a.labels.alertname).sort()).toEqual(['DialoopInferenceDown', 'DialoopInferenceNotReady']);
    expect(Number((await prom!.query('count(max by (upstream) (dialoop_api_upstream_healthy) == 1)'))[0]?.value[1])).toBe(1);
  }, 120_000);
});
