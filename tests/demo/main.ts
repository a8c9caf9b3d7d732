/**
 * pnpm demo:loop — the whole loop on this machine: starts the platform on embedded defaults (the
 * inference server and the api on PGlite, in a temporary data folder), then runs tests/demo/loop.ts
 * through its public API and prints both trait rates with the three guards (exact answers, replies at
 * the token limit, new repeated phrases; it fails when the goal or a guard is missed), the dataset and
 * run ids and each stage's time.
 * The numbers go to tests/bench/results/demo-loop.json.
 *
 *   pnpm demo:loop [--train-prompts N] [--heldout N] [--steps N] [--set name=value]… [--replies FILE] [--keep]
 *
 * `--set` overrides one of the DPO run's hyperparameters (TrainingHyperparameters: lr, beta,
 * rpoAlpha, batchSize, warmupSteps, seed…), e.g. `--set lr=1e-4 --set beta=1`.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, cleanup, runInfo, spawnNode } from '../bench/lib.js';
import { DEMO_CONFIG, runLoop } from './loop.js';

const { values: flags } = parseArgs({
  options: {
    'train-prompts': { type: 'string' },
    heldout: { type: 'string' },
    steps: { type: 'string' },
    set: { type: 'string', multiple: true },
    users: { type: 'string' },
    'canary-people': { type: 'string' },
    'arena-items': { type: 'string' },
    replies: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const cfg = {
  ...DEMO_CONFIG,
  trainPrompts: Number(flags['train-prompts'] ?? DEMO_CONFIG.trainPrompts),
  heldoutPrompts: Number(flags.heldout ?? DEMO_CONFIG.heldoutPrompts),
  ...(flags.users ? { users: Number(flags.users) } : {}),
  ...(flags['canary-people'] ? { canaryPeople: Number(flags['canary-people']) } : {}),
  ...(flags['arena-items'] ? { arenaItems: Number(flags['arena-items']) } : {}),
  hyperparameters: {
    ...DEMO_CONFIG.hyperparameters,
    ...(flags.steps ? { steps: Number(flags.steps) } : {}),
    ...Object.fromEntries(
      (flags.set ?? []).map((kv) => {
        const [k, v] = kv.split('=');
        if (!k || v === undefined || !Number.isFinite(Number(v))) throw new Error(`--set wants name=number, got ${kv}`);
        return [k, Number(v)];
      }),
    ),
  },
};

// A fresh platform of its own, whatever the calling shell has configured.
for (const k of ['DATABASE_URL', 'REDIS_URL', 'DEFAULT_MODEL', 'MODEL_DIR', 'MODEL_STORE', 'DATASET_STORE', 'BASE_MODEL_DIR', 'BASE_MODEL_NAME', 'DEMO_ACCOUNTS', 'DEMO_PASSWORD', 'TRAINING_EXECUTOR', 'INFERENCE_URL', 'INFERENCE_API_KEY']) {
  delete process.env[k];
}
const t0 = performance.now();
const data = await mkdtemp(join(tmpdir(), 'dialoop-demo-loop-'));
const adminKey = `demo-loop-${Math.random().toString(36).slice(2)}-admin-key`;
try {
  console.log(`data folder: ${data}${flags.keep ? ' (kept)' : ''}`);
  const inference = await spawnNode('inference/src/main.ts', { INFERENCE_ADMIN_KEY: adminKey, INFERENCE_INTRA_OP_THREADS: '1' }, 'INFERENCE_PORT', '/readyz');
  const api = await spawnNode(
    'api/src/main.ts',
    {
      DIALOOP_DATA_DIR: data,
      INFERENCE_URL: inference.url,
      INFERENCE_ADMIN_KEY: adminKey,
      // The demo's simulated people send far more than a person would.
      RATE_LIMIT_MESSAGES_PER_MINUTE: '100000',
      MAX_CONCURRENT_GENERATIONS: '20',
      ACCESS_TOKEN_TTL_S: '7200',
      REVIEW_SAMPLE_SHARE: '0',
      REVIEW_COLLECT_INTERVAL_S: '0',
    },
    'API_PORT',
    '/healthz',
  );
  console.log(`platform up in ${((performance.now() - t0) / 1000).toFixed(1)} s: api ${api.url}/graphql, inference ${inference.url}/v1`);
  const r = await runLoop(api.url, cfg);
  const total = Math.round((performance.now() - t0) / 100) / 10;
  const row = (k: string, v: unknown) => console.log(`  ${k.padEnd(34)} ${String(v)}`);
  console.log('\n=== demo:loop ===');
  row('dataset version (id)', `${r.datasetVersion.number} (${r.datasetVersion.id}): ${r.datasetVersion.trainPairs} train / ${r.datasetVersion.testPairs} test pairs`);
  row('training run (id)', `${r.trainingRun.number} (${r.trainingRun.id}): DPO, ${r.trainingRun.steps} steps`);
  row('new model version', `${r.modelVersion.name} (${r.modelVersion.id}), parent ${r.modelVersion.parent}`);
  row(`trait rate, ${r.base.name}`, `${(r.base.traitRate * 100).toFixed(1)} % of ${r.heldoutPrompts} held-out prompts (${r.base.finished} replies ended on their own)`);
  row(`trait rate, ${r.canary.name}`, `${(r.canary.traitRate * 100).toFixed(1)} % of ${r.heldoutPrompts} held-out prompts (${r.canary.finished} replies ended on their own)`);
  // The goal and its three guards, each on the same held-out prompts for both versions.
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const pp = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} pp`;
  const g = r.guards;
  console.log(`\n  ${'measure'.padEnd(34)} ${r.base.name.padEnd(22)} ${r.canary.name.padEnd(22)} ${'change'.padEnd(10)} ${'limit'.padEnd(16)} result`);
  const line = (name: string, base: string, canary: string, change: string, limit: string, ok: boolean) =>
    console.log(`  ${name.padEnd(34)} ${base.padEnd(22)} ${canary.padEnd(22)} ${change.padEnd(10)} ${limit.padEnd(16)} ${ok ? 'MET' : 'NOT MET'}`);
  line('trait rate (goal)', pct(r.base.traitRate), pct(r.canary.traitRate), pp(r.improvementPp), '≥ +20 pp', r.improvementPp >= 20);
  line(`exact answers (${r.base.exactItems} items)`, pct(r.base.exactRate), pct(r.canary.exactRate), pp(g.exact.deltaPp), `≥ ${pp(g.exact.limitPp)}`, g.exact.ok);
  line('replies at the token limit', pct(r.base.tokenLimitRate), pct(r.canary.tokenLimitRate), pp(g.tokenLimit.deltaPp), `≤ ${pp(g.tokenLimit.limitPp)}`, g.tokenLimit.ok);
  line('new repeated phrase (worst)', `loops ${pct(r.base.degenerateRate)}`, `loops ${pct(r.canary.degenerateRate)}`, `${g.newPhrase.sharePct.toFixed(1)} %`, `≤ ${g.newPhrase.limitPct} % of replies`, g.newPhrase.ok);
  if (g.newPhrase.phrase) console.log(`    (worst: ${JSON.stringify(g.newPhrase.phrase)})`);
  console.log('');
  row('improvement', `${r.improvementPp >= 0 ? '+' : ''}${r.improvementPp.toFixed(1)} percentage points (goal: +20)`);
  row('held-out reward accuracy', r.rewardAccuracy ?? 'n/a');
  row('held-out KL to the base (nats/token)', r.trainingRun.heldout.kl_policy_reference ?? 'n/a');
  row('canary split (canary / active)', `${r.split.canary} / ${r.split.active}, sticky: ${r.split.sticky}`);
  row('arena win rate (95 % CI)', r.comparison.winRate === null ? 'no judgments' : `${r.comparison.winRate.toFixed(3)} (${r.comparison.low!.toFixed(3)}–${r.comparison.high!.toFixed(3)}), n = ${r.comparison.n}`);
  for (const [k, v] of Object.entries(r.stages)) row(`time: ${k}`, `${v} s`);
  row('time: whole demo', `${total} s (budget 1200 s)`);
  console.log('\nexamples (held-out):');
  for (const e of r.examples) console.log(`  Q: ${e.prompt}\n    ${r.base.name}: ${e.base}\n    ${r.canary.name}: ${e.canary}`);
  const { commit, machine, date } = runInfo();
  const { replies, ...summary } = r;
  if (flags.replies) await writeFile(flags.replies, JSON.stringify(replies, null, 1) + '\n');
  await mkdir(join(ROOT, 'tests/bench/results'), { recursive: true });
  await writeFile(
    join(ROOT, 'tests/bench/results/demo-loop.json'),
    JSON.stringify({ date, commit, machine, config: cfg, totalSeconds: total, ...summary }, null, 2) + '\n',
  );
  if (r.improvementPp < 20) {
    console.error(`\nthe trait rate rose by ${r.improvementPp.toFixed(1)} pp, short of the +20 pp goal`);
    process.exitCode = 1;
  }
  for (const [name, guard] of Object.entries({ 'exact answers': g.exact, 'replies at the token limit': g.tokenLimit, 'new repeated phrase': g.newPhrase })) {
    if (!guard.ok) {
      console.error(`the guard on ${name} failed: the canary improved with a side effect`);
      process.exitCode = 1;
    }
  }
} finally {
  await cleanup();
  if (!flags.keep) await rm(data, { recursive: true, force: true });
}
