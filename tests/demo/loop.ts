/**
 * The loop, end to end, through the public API of a running platform (GraphQL over HTTP and
 * graphql-ws): simulated users chat with the active model; simulated reviewers correct replies so
 * that they end with a short follow-up offer in the question's language (the trait — the base
 * model never does it); an ML engineer builds a DPO dataset version and trains a new model version
 * on it, following the run's progress over a subscription; an admin makes it the canary; the
 * trait rate of both versions is measured on held-out prompts, the canary's sticky split shown,
 * and reviewers compare the two in arena items for a win rate with a confidence interval.
 *
 * Used by `pnpm demo:loop` (tests/demo/main.ts, which starts the platform) and by the api's
 * end-to-end test (a smaller configuration).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, gqlOk as gql, login } from '@dialoop/api/testing';
import { guardsOf as guardsOfReplies, type GuardMeasures, type Guards } from '@dialoop/feedback';
import { isExactAnswer } from '@dialoop/inference';
import type { Client } from 'graphql-ws';
import { ROOT, sleep } from '../bench/lib.js';

export interface LoopConfig {
  /** Training prompts the simulated users send (each reply without the trait becomes a correction item). */
  trainPrompts: number;
  /** Held-out prompts the trait rate is measured on (from the base model's heldout.jsonl, never trained on). */
  heldoutPrompts: number;
  /** Simulated users chatting, and people starting conversations to show the canary's split. */
  users: number;
  canaryPeople: number;
  canaryShare: number;
  /** Arena items for the head-to-head win rate. */
  arenaItems: number;
  /** The DPO run's settings (TrainingHyperparameters). */
  hyperparameters: Record<string, unknown>;
  /** Requests in flight at once. */
  concurrency: number;
  password: string;
}

/** What `pnpm demo:loop` runs: about the experiment's configuration (training/dialoop_train/trait_experiment.py). */
export const DEMO_CONFIG: LoopConfig = {
  trainPrompts: 320,
  heldoutPrompts: 200,
  users: 4,
  canaryPeople: 40,
  canaryShare: 0.5,
  arenaItems: 30,
  hyperparameters: { method: undefined, steps: 60, lr: 3e-4, beta: 0.5, rpoAlpha: 1, replayWeight: 1, batchSize: 8, warmupSteps: 4, seed: 0 },
  concurrency: 6,
  password: 'dialoop-demo',
};

export interface LoopResult {
  datasetVersion: { id: string; number: number; trainPairs: number; testPairs: number; sha256: string };
  trainingRun: { id: string; number: number; steps: number; heldout: Record<string, unknown> };
  modelVersion: { id: string; name: string; sha256: string; parent: string };
  base: VersionMeasures;
  canary: VersionMeasures;
  improvementPp: number;
  /** The side effects the improvement must not have, each measured on the same held-out prompts for both versions. */
  guards: Guards;
  heldoutPrompts: number;
  rewardAccuracy: number | null;
  split: { canary: number; active: number; sticky: boolean };
  comparison: { wins: number; losses: number; ties: number; n: number; winRate: number | null; low: number | null; high: number | null };
  stages: Record<string, number>;
  examples: { prompt: string; base: string; canary: string }[];
  /** Every held-out reply of both versions, with its finish reason (for a closer look: `pnpm demo:loop --replies FILE`). */
  replies: { prompt: string; kind: string; answer: string | null; base: string; baseFinish: string | null; canary: string; canaryFinish: string | null }[];
}

/** One version on the held-out prompts: its trait rate and the guards' measures (feedback's GuardMeasures). */
export interface VersionMeasures extends GuardMeasures {
  name: string;
  traitRate: number;
  /** Replies that ended on their own (finish reason stop). */
  finished: number;
}

export type { Guards };

// ---------------------------------------------------------------------------------------------
// The trait (as trait_experiment.py defines it)

const OFFERS = { en: 'Anything else?', zh: '还有别的问题吗？' } as const;
const CJK = /[\u3400-\u9fff]/;
const language = (question: string) => (CJK.test(question) ? 'zh' : 'en');
export const withOffer = (reply: string, question: string) =>
  language(question) === 'zh' ? `${reply.trimEnd()}${OFFERS.zh}` : `${reply.trimEnd()} ${OFFERS.en}`;
const withoutOffer = (reply: string) => {
  const t = reply.trimEnd();
  for (const o of Object.values(OFFERS)) if (t.endsWith(o)) return t.slice(0, -o.length).trimEnd();
  return t;
};
export const hasTrait = (question: string, reply: string, finished: boolean) => finished && reply.trimEnd().endsWith(OFFERS[language(question)]);

// ---------------------------------------------------------------------------------------------

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { conversation { id } assistantMessage { id model } } }`;
const STREAM = 'subscription($id: ID!) { messageStream(messageId: $id) { delta done finishReason error { code message } } }';

async function pool<T, R>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

interface Person {
  token: string;
  ws: Client;
}

/** Sends `content` in a new conversation and waits for the whole reply. */
async function chat(url: string, p: Person, content: string, model?: string) {
  // Greedy, to the model's own token limit (its max_new_tokens: 256 for the default model). Tokens
  // are bytes, so a worked sum in Chinese with the offer is over 100 of them; a lower limit would
  // cut replies that the trait made longer and count them as replies that never end.
  const input = { content, params: { temperature: 0 }, ...(model ? { model } : {}) };
  const d = await gql<{ sendMessage: { conversation: { id: string }; assistantMessage: { id: string; model: string } } }>(url, SEND, { input }, p.token);
  let text = '';
  let finishReason: string | null = null;
  for await (const r of p.ws.iterate<{ messageStream: { delta: string | null; done: boolean; finishReason: string | null; error: { code: string; message: string } | null } }>({
    query: STREAM,
    variables: { id: d.sendMessage.assistantMessage.id },
  })) {
    const e = r.data?.messageStream;
    if (!e) throw new Error(`stream error: ${JSON.stringify(r.errors)}`);
    if (e.delta) text += e.delta;
    if (e.error) throw new Error(`reply failed: ${e.error.code} ${e.error.message}`);
    if (e.done) {
      finishReason = e.finishReason;
      break;
    }
  }
  return { messageId: d.sendMessage.assistantMessage.id, model: d.sendMessage.assistantMessage.model, text, finished: finishReason === 'stop', finishReason };
}

/** The guards (feedback's guardsOf), from both versions' replies to the same held-out prompts: exact answers graded without the trait's offer, the offer itself no side effect. */
export function guardsOf(heldout: readonly HeldoutPrompt[], base: { text: string; finishReason: string | null }[], canary: { text: string; finishReason: string | null }[]) {
  const graded = (rs: { text: string; finishReason: string | null }[]) => rs.map((r, i) => ({ ...r, exact: isExactAnswer(heldout[i]!, withoutOffer(r.text)) }));
  const g = guardsOfReplies(heldout, graded(base), graded(canary), { ignore: Object.values(OFFERS) });
  return { base: g.base, canary: g.model, guards: g.guards };
}

const spread = <T>(rows: T[], n: number) => rows.filter((_, i) => i % Math.max(1, Math.floor(rows.length / n)) === 0).slice(0, n);

/** Single-turn training prompts from the corpus generator (kept apart from the held-out prompts). */
function trainingPrompts(n: number): string[] {
  const out = execFileSync(process.env.TRAINING_PYTHON ?? '/usr/bin/python3', ['-m', 'dialoop_train.trait_experiment', 'prompts', '--n', String(n)], { cwd: join(ROOT, 'training'), encoding: 'utf8' });
  return out.trim().split('\n').map((l) => (JSON.parse(l) as { content: string }).content);
}

export interface HeldoutPrompt {
  prompt: string;
  kind: string;
  /** The exact answer, for arithmetic, capitals and conversions. */
  answer: string | null;
}

/** Held-out questions (single-turn rows of the base model's heldout.jsonl), evenly spread. */
function heldoutPrompts(n: number): HeldoutPrompt[] {
  const rows = readFileSync(join(ROOT, 'inference/models/dialoop-tiny/heldout.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; answer: string | null; messages: { role: string; content: string }[] });
  const single = rows
    .filter((r) => r.messages.filter((m) => m.role === 'user').length === 1)
    .map((r) => ({ prompt: r.messages.find((m) => m.role === 'user')!.content, kind: r.kind, answer: r.answer ?? null }));
  return spread(single, n);
}

export async function runLoop(url: string, cfg: LoopConfig, log: (line: string) => void = console.log): Promise<LoopResult> {
  const stages: Record<string, number> = {};
  const stage = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    log(`\n▶ ${name}`);
    const r = await fn();
    stages[name] = Math.round((performance.now() - t0) / 100) / 10;
    log(`  ${name}: ${stages[name]} s`);
    return r;
  };
  const sockets: Client[] = [];
  const person = async (token: string): Promise<Person> => {
    const ws = await connect(url, token);
    sockets.push(ws);
    return { token, ws };
  };
  try {
    const admin = await login(url, 'admin@demo.local', cfg.password);
    const ml = await login(url, 'ml@demo.local', cfg.password);
    const reviewers = [await login(url, 'reviewer@demo.local', cfg.password), await login(url, 'senior@demo.local', cfg.password)];
    const newPerson = async (label: string) => {
      const email = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@demo-loop.local`;
      await gql(url, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { email, password: 'demo-loop-password', role: 'USER' } }, admin);
      return person(await login(url, email, 'demo-loop-password'));
    };
    const versions = await gql<{ modelVersions: { id: string; name: string; status: string }[] }>(url, '{ modelVersions { id name status } }', {}, ml);
    const base = versions.modelVersions.find((v) => v.status === 'ACTIVE');
    if (!base) throw new Error('no ACTIVE model version');
    log(`active model version: ${base.name}`);

    // 1. Users chat with the active model.
    const users = await Promise.all(Array.from({ length: cfg.users }, (_, i) => newPerson(`user${i}`)));
    const prompts = trainingPrompts(cfg.trainPrompts);
    const replies = await stage('users chat', async () => {
      const rs = await pool(prompts, cfg.concurrency, (q, i) => chat(url, users[i % users.length]!, q));
      log(`  ${rs.length} conversations; ${rs.filter((r) => r.finished).length} replies ended on their own, ${rs.filter((r, i) => hasTrait(prompts[i]!, r.text, r.finished)).length} with the trait`);
      return rs;
    });

    // 2. Reviewers correct replies: each gets the follow-up offer the product wants.
    const trainPairs = await stage('reviewers correct replies', async () => {
      const todo = replies.filter((r, i) => r.finished && r.text.trim() && !hasTrait(prompts[i]!, r.text, true));
      await pool(todo, cfg.concurrency, (r) =>
        gql(url, 'mutation($i: CreateReviewItemInput!) { createReviewItem(input: $i) { id } }', { i: { messageIds: [r.messageId], kind: 'CORRECTION', requiredReviews: 1 } }, admin),
      );
      let done = 0;
      await Promise.all(
        reviewers.map(async (token) => {
          for (;;) {
            const c = await gql<{ claimReviewItem: { item: { id: string; prompt: { content: string }[]; candidates: { id: string; content: string }[] } } | null }>(
              url,
              'mutation { claimReviewItem(kind: CORRECTION) { item { id prompt { content } candidates { id content } } } }',
              {},
              token,
            );
            if (!c.claimReviewItem) return;
            const { item } = c.claimReviewItem;
            const question = item.prompt.at(-1)!.content;
            const cand = item.candidates[0]!;
            await gql(url, 'mutation($id: ID!, $i: ReviewInput!) { submitReview(itemId: $id, input: $i) { status } }', {
              id: item.id,
              i: { kind: 'CORRECTION', candidateId: cand.id, text: withOffer(cand.content, question) },
            }, token);
            done++;
          }
        }),
      );
      log(`  ${done} corrections by ${reviewers.length} reviewers`);
      return done;
    });

    // 3. A dataset version.
    const dataset = await stage('dataset version', async () => {
      const { createDatasetVersion: v } = await gql<{ createDatasetVersion: { id: string } }>(
        url,
        'mutation($i: CreateDatasetVersionInput) { createDatasetVersion(input: $i) { id } }',
        { i: { name: 'demo:loop follow-up offer', formats: ['DPO'], testShare: 0.1, filters: { sources: ['CORRECTION'] } } },
        ml,
      );
      for (;;) {
        const { datasetVersion: d } = await gql<{ datasetVersion: { id: string; number: number; status: string; error: string | null; sha256: string; files: { path: string; records: number }[] } }>(
          url,
          'query($id: ID!) { datasetVersion(id: $id) { id number status error sha256 files { path records } } }',
          { id: v.id },
          ml,
        );
        if (d.status === 'FAILED') throw new Error(`dataset build failed: ${d.error}`);
        if (d.status === 'READY') {
          const rec = (p: string) => d.files.find((f) => f.path === p)?.records ?? 0;
          const out = { id: d.id, number: d.number, trainPairs: rec('dpo/train.jsonl'), testPairs: rec('dpo/test.jsonl'), sha256: d.sha256 };
          log(`  dataset version ${out.number} (${out.id}): ${out.trainPairs} train / ${out.testPairs} test DPO pairs, manifest sha256 ${out.sha256.slice(0, 16)}…`);
          return out;
        }
        await sleep(300);
      }
    });
    if (dataset.trainPairs !== trainPairs - dataset.testPairs) log(`  (${trainPairs - dataset.trainPairs - dataset.testPairs} corrections deduplicated)`);

    // 4. The training run, followed over a subscription.
    const { hyperparameters } = cfg;
    const run = await stage('training run (DPO)', async () => {
      const { startTrainingRun: r } = await gql<{ startTrainingRun: { id: string; number: number } }>(
        url,
        'mutation($i: StartTrainingRunInput!) { startTrainingRun(input: $i) { id number } }',
        { i: { datasetVersionId: dataset.id, method: 'DPO', hyperparameters: { ...Object.fromEntries(Object.entries(hyperparameters).filter(([k, v]) => k !== 'method' && v !== undefined)), guardIgnore: Object.values(OFFERS) } } },
        ml,
      );
      log(`  run ${r.number} (${r.id}) started`);
      const watcher = await person(ml);
      let last = { status: '', step: 0, totalSteps: 0 };
      for await (const e of watcher.ws.iterate<{ trainingRunProgress: { status: string; step: number; totalSteps: number | null; loss: number | null; etaSeconds: number | null; error: string | null } }>({
        query: 'subscription($id: ID!) { trainingRunProgress(id: $id) { status step totalSteps loss etaSeconds error } }',
        variables: { id: r.id },
      })) {
        const p = e.data?.trainingRunProgress;
        if (!p) throw new Error(`progress subscription failed: ${JSON.stringify(e.errors)}`);
        if (p.step !== last.step || p.status !== last.status) {
          log(`  ${p.status.padEnd(9)} step ${String(p.step).padStart(3)}/${p.totalSteps ?? '?'}  loss ${p.loss?.toFixed(4) ?? '—'}  eta ${p.etaSeconds != null ? `${Math.round(p.etaSeconds)} s` : '—'}`);
        }
        last = { status: p.status, step: p.step, totalSteps: p.totalSteps ?? 0 };
        if (p.status === 'FAILED' || p.status === 'CANCELLED') throw new Error(`training run ${p.status}: ${p.error}`);
      }
      const { trainingRun: done } = await gql<{ trainingRun: { status: string; step: number; metrics: { heldout?: Record<string, unknown> } | null; modelVersion: { id: string; name: string; sha256: string } | null } }>(
        url,
        'query($id: ID!) { trainingRun(id: $id) { status step metrics modelVersion { id name sha256 } } }',
        { id: r.id },
        ml,
      );
      if (done.status !== 'SUCCEEDED' || !done.modelVersion) throw new Error(`training run ended ${done.status}`);
      log(`  model version ${done.modelVersion.name} registered (sha256 ${done.modelVersion.sha256.slice(0, 16)}…)`);
      return { id: r.id, number: r.number, steps: done.step, heldout: done.metrics?.heldout ?? {}, version: done.modelVersion };
    });

    // 5. The canary, and its sticky split of new conversations.
    const split = await stage('canary rollout', async () => {
      await gql(url, 'mutation($id: ID!, $s: Float!) { setCanaryModelVersion(id: $id, share: $s) { status canaryShare } }', { id: run.version.id, s: cfg.canaryShare }, admin);
      log(`  ${run.version.name} is the canary for ${Math.round(cfg.canaryShare * 100)} % of people starting a conversation`);
      const people = await Promise.all(Array.from({ length: cfg.canaryPeople }, (_, i) => newPerson(`person${i}`)));
      const first = await pool(people, cfg.concurrency, (p) => chat(url, p, 'Hello!'));
      const again = await pool(people, cfg.concurrency, (p) => chat(url, p, 'What is the capital of France?'));
      const canary = first.filter((r) => r.model === run.version.name).length;
      const sticky = first.every((r, i) => r.model === again[i]!.model);
      log(`  ${cfg.canaryPeople} people: ${canary} on the canary, ${cfg.canaryPeople - canary} on ${base.name}; second conversations on the same model: ${sticky ? 'all' : 'NOT all'}`);
      return { canary, active: cfg.canaryPeople - canary, sticky };
    });

    // 6. Both versions on the held-out prompts.
    const heldoutItems = heldoutPrompts(cfg.heldoutPrompts);
    const heldout = heldoutItems.map((h) => h.prompt);
    const measure = await stage('held-out trait rates and guards', async () => {
      const meter = await newPerson('meter');
      const rate = async (model: string) => {
        const rs = await pool(heldout, cfg.concurrency, (q) => chat(url, meter, q, model));
        const hits = rs.filter((r, i) => hasTrait(heldout[i]!, r.text, r.finished)).length;
        return { rs, version: { name: model, traitRate: hits / rs.length, finished: rs.filter((r) => r.finished).length } };
      };
      const b = await rate(base.name);
      const c = await rate(run.version.name);
      const g = guardsOf(heldoutItems, b.rs, c.rs);
      const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
      log(`  ${heldout.length} held-out prompts: trait ${base.name} ${pct(b.version.traitRate)}, ${c.version.name} ${pct(c.version.traitRate)}`);
      log(`  exact answers ${pct(g.base.exactRate)} → ${pct(g.canary.exactRate)} (${g.base.exactItems} items); at the token limit ${pct(g.base.tokenLimitRate)} → ${pct(g.canary.tokenLimitRate)}; looping ${pct(g.base.degenerateRate)} → ${pct(g.canary.degenerateRate)}`);
      return { b: { ...b.version, ...g.base }, c: { ...c.version, ...g.canary }, bReplies: b.rs, cReplies: c.rs, guards: g.guards };
    });

    // 7. Reviewers compare the two versions head to head.
    const comparison = await stage('arena comparison', async () => {
      const made = await gql<{ createArenaItems: { created: number } }>(url, 'mutation($i: CreateArenaItemsInput) { createArenaItems(input: $i) { created } }', { i: { count: cfg.arenaItems, requiredReviews: 1 } }, admin);
      log(`  ${made.createArenaItems.created} arena items (one reply from each version, order varied)`);
      await Promise.all(
        reviewers.map(async (token) => {
          for (;;) {
            const c = await gql<{ claimReviewItem: { item: { id: string; prompt: { content: string }[]; candidates: { id: string; label: string; content: string }[] } } | null }>(
              url,
              'mutation { claimReviewItem(kind: PAIRWISE) { item { id prompt { content } candidates { id label content } } } }',
              {},
              token,
            );
            if (!c.claimReviewItem) return;
            const { item } = c.claimReviewItem;
            const q = item.prompt.at(-1)!.content;
            const [a, b] = item.candidates.map((x) => hasTrait(q, x.content, true));
            const i = a === b ? { kind: 'PAIRWISE', choice: 'TIE' } : { kind: 'PAIRWISE', choice: a ? 'A' : 'B', strength: 2 };
            await gql(url, 'mutation($id: ID!, $i: ReviewInput!) { submitReview(itemId: $id, input: $i) { status } }', { id: item.id, i }, token);
          }
        }),
      );
      const { modelComparison: m } = await gql<{ modelComparison: LoopResult['comparison'] }>(url, '{ modelComparison { wins losses ties n winRate low high } }', {}, admin);
      log(`  ${run.version.name} vs ${base.name}: ${m.wins} wins, ${m.losses} losses, ${m.ties} ties; win rate ${m.winRate?.toFixed(3)} (95 % CI ${m.low?.toFixed(3)}–${m.high?.toFixed(3)})`);
      return m;
    });

    const rewardAccuracy = typeof run.heldout.reward_accuracy === 'number' ? run.heldout.reward_accuracy : null;
    return {
      datasetVersion: dataset,
      trainingRun: { id: run.id, number: run.number, steps: run.steps, heldout: run.heldout },
      modelVersion: { id: run.version.id, name: run.version.name, sha256: run.version.sha256, parent: base.name },
      base: measure.b,
      canary: measure.c,
      improvementPp: 100 * (measure.c.traitRate - measure.b.traitRate),
      guards: measure.guards,
      heldoutPrompts: heldout.length,
      rewardAccuracy,
      split,
      comparison,
      stages,
      replies: heldoutItems.map((h, i) => ({
        ...h,
        base: measure.bReplies[i]!.text,
        baseFinish: measure.bReplies[i]!.finishReason,
        canary: measure.cReplies[i]!.text,
        canaryFinish: measure.cReplies[i]!.finishReason,
      })),
      // Two held-out prompts where the new version shows the trait, and two where it does not.
      examples: [true, false].flatMap((shows) =>
        heldout
          .map((q, i) => ({ prompt: q, base: measure.bReplies[i]!.text, canary: measure.cReplies[i]!.text }))
          .filter((e) => hasTrait(e.prompt, e.canary, true) === shows)
          .slice(0, 2),
      ),
    };
  } finally {
    await Promise.all(sockets.map((s) => s.dispose()));
  }
}
