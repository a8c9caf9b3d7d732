/**
 * pnpm console:screenshots — every screen of the console, in English and in Chinese, from the real
 * browser against a fresh platform with demo data; PNGs in console/docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import pg from 'pg';
import { build } from '../scripts/build.mjs';
import { ROOT, startPlatform } from './platform';
import { DEMO_PASSWORD, gql, keepInferenceBusy, login, seedReviewItems } from './seed';

const OUT = join(ROOT, 'console', 'docs', 'screenshots');
mkdirSync(OUT, { recursive: true });
build({ quiet: true });
const platform = await startPlatform();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const CLAIM = 'mutation($k:ReviewKind){claimReviewItem(kind:$k){item{id}}}';
const SUBMIT = 'mutation($id:ID!,$i:ReviewInput!){submitReview(itemId:$id,input:$i){id}}';

async function session(lang: 'en' | 'zh', email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
  await context.addCookies([{ name: 'dialoop_locale', value: lang, url: platform.consoleUrl }]);
  const page = await context.newPage();
  await page.goto(`${platform.consoleUrl}/signin`);
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(DEMO_PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
  return { context, page };
}

const shot = async (page: Page, name: string, lang: string, fullPage = false) => {
  await page.waitForLoadState('networkidle');
  // A whole page is taken from its top (the fixed header would otherwise be drawn mid-page).
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(OUT, `${name}-${lang}.png`), fullPage });
  console.log(`  ${name}-${lang}.png`);
};

try {
  // One item two reviewers disagree on (it waits for adjudication), then items of every kind.
  const admin = await login(platform.apiUrl, 'admin@demo.local');
  await seedReviewItems(platform.apiUrl, { PAIRWISE: 1 });
  const reviewer = await login(platform.apiUrl, 'reviewer@demo.local');
  const senior = await login(platform.apiUrl, 'senior@demo.local');
  const a = await gql<{ claimReviewItem: { item: { id: string } } }>(platform.apiUrl, CLAIM, { k: 'PAIRWISE' }, reviewer);
  await gql(platform.apiUrl, SUBMIT, { id: a.claimReviewItem.item.id, i: { kind: 'PAIRWISE', choice: 'A', strength: 3, comment: 'A answers the question.' } }, reviewer);
  const b = await gql<{ claimReviewItem: { item: { id: string } } }>(platform.apiUrl, CLAIM, { k: 'PAIRWISE' }, senior);
  await gql(platform.apiUrl, SUBMIT, { id: b.claimReviewItem.item.id, i: { kind: 'PAIRWISE', choice: 'B', strength: 2, tags: ['fluent'] } }, senior);
  await seedReviewItems(platform.apiUrl, { PAIRWISE: 4, RANKING: 2, RUBRIC: 2, CORRECTION: 2 });

  for (const lang of ['en', 'zh'] as const) {
    console.log(lang);
    {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addCookies([{ name: 'dialoop_locale', value: lang, url: platform.consoleUrl }]);
      const page = await context.newPage();
      await page.goto(`${platform.consoleUrl}/signin`);
      await shot(page, 'signin', lang);
      await context.close();
    }
    {
      const { context, page } = await session(lang, 'user@demo.local');
      await page.goto(`${platform.consoleUrl}/chat`);
      const box = page.locator('textarea:visible').last();
      for (const q of lang === 'en' ? ['What is the capital of Japan?', 'Convert 5 km to meters'] : ['法国的首都是哪里？', '你好，你是谁？']) {
        await box.fill(q);
        await box.press('Enter');
        await page.waitForURL(/\/chat\/[0-9a-f-]{36}/);
        await page.locator('article[aria-busy="false"]').last().waitFor();
        await page.waitForFunction(() => !document.querySelector('article[aria-busy="true"]'));
      }
      await shot(page, 'chat', lang);
      // A reply cut short by a stopped api process, as recovery stores it (INTERRUPTED,
      // GENERATOR_STOPPED, the text received): marked so here, since this platform has one api.
      const replies = await page.locator('article[aria-busy]').count();
      await box.fill(lang === 'en' ? 'Tell me about rivers' : '介绍一下长江');
      await box.press('Enter');
      await page.waitForFunction((n) => document.querySelectorAll('article[aria-busy="false"]').length > n, replies);
      const db = new pg.Client({ connectionString: platform.databaseUrl });
      await db.connect();
      await db.query(
        `UPDATE "Message" SET status = 'INTERRUPTED', "finishReason" = NULL, "errorCode" = 'GENERATOR_STOPPED', "errorMessage" = 'The api process generating this reply stopped'
         WHERE id = (SELECT id FROM "Message" WHERE role = 'ASSISTANT' AND "conversationId" = $1 ORDER BY ordinal DESC LIMIT 1)`,
        [new URL(page.url()).pathname.split('/').at(-1)],
      );
      await db.end();
      await page.reload();
      await page.locator('article[aria-busy="false"]').last().waitFor();
      await page.getByRole('button', { name: lang === 'en' ? 'Continue' : '继续' }).hover();
      await page.waitForTimeout(500);
      await shot(page, 'chat-cut-short', lang);
      // A reply waiting its turn: the inference server is filled (running and queue) by other clients first.
      const load = keepInferenceBusy(platform.inferenceUrl, 90, 900);
      try {
        while (!(await load.full())) await page.waitForTimeout(200);
        await box.fill(lang === 'en' ? 'What is 12 + 7?' : '12 加 7 等于几？');
        await box.press('Enter');
        await page.getByText(lang === 'en' ? 'Waiting for a free model server' : '正在等待空闲的模型服务器').waitFor();
        await page.waitForTimeout(1200);
        await page.screenshot({ path: join(OUT, `chat-waiting-${lang}.png`) });
        console.log(`  chat-waiting-${lang}.png`);
      } finally {
        await load.stop();
      }
      await page.waitForFunction(() => !document.querySelector('article[aria-busy="true"]'), undefined, { timeout: 60_000 });
      await context.close();
    }
    {
      // Two different reviewers, so that each language labels items of its own.
      const { context, page } = await session(lang, lang === 'en' ? 'reviewer@demo.local' : 'senior@demo.local');
      await page.goto(`${platform.consoleUrl}/review`);
      await shot(page, 'queue', lang);
      for (const kind of ['pairwise', 'ranking', 'rubric', 'correction']) {
        await page.goto(`${platform.consoleUrl}/review/${kind}`);
        await page.locator('[data-item-id]').first().waitFor();
        if (kind === 'pairwise') {
          await page.keyboard.press('a');
          await page.keyboard.press('2');
        }
        if (kind === 'correction') {
          const text = page.locator('textarea:visible').first();
          await text.fill(`${await text.inputValue()} ${lang === 'en' ? 'Anything else?' : '还有别的问题吗？'}`.replace(/^\S+\s/, ''));
        }
        await shot(page, kind, lang);
        if (kind === 'pairwise') {
          await page.keyboard.press('?');
          await shot(page, 'shortcuts', lang);
          await page.keyboard.press('Escape');
        }
      }
      await context.close();
    }
    {
      const { context, page } = await session(lang, 'admin@demo.local');
      await page.goto(`${platform.consoleUrl}/review/adjudicate`);
      await shot(page, 'adjudication-list', lang);
      await page.locator('main a[href*="/review/adjudicate?item="]').first().click();
      await page.waitForURL(/item=/);
      await shot(page, 'adjudication', lang);
      await page.goto(`${platform.consoleUrl}/review/agreement`);
      await shot(page, 'agreement', lang);
      await context.close();
    }
    {
      // The compliance officer's trail: a denied call to find, the chain verified, an entry open.
      const user = await login(platform.apiUrl, 'user@demo.local');
      await gql(platform.apiUrl, '{ auditEntries(first: 1) { edges { cursor } } }', {}, user).catch(() => undefined);
      const { context, page } = await session(lang, 'compliance@demo.local');
      await page.goto(`${platform.consoleUrl}/audit`);
      await page.locator('table tbody tr[aria-rowindex]').first().waitFor();
      await page.getByRole('button', { name: lang === 'en' ? 'Verify chain' : '校验哈希链' }).click();
      await page.getByRole('status').first().waitFor();
      await shot(page, 'audit', lang);
      await page.goto(`${platform.consoleUrl}/audit?outcome=DENIED`);
      await page.locator('table tbody tr[aria-rowindex]').first().waitFor();
      await page.locator('table tbody tr[aria-rowindex] button').first().click();
      await page.getByRole('dialog').locator('pre').waitFor();
      await shot(page, 'audit-entry', lang);
      await context.close();
    }
    {
      // The ML engineer's datasets: a version built from the demo's reviews, open with its card.
      const ml = await login(platform.apiUrl, 'ml@demo.local');
      const made = await gql<{ createDatasetVersion: { id: string } }>(platform.apiUrl, 'mutation { createDatasetVersion(input: { name: "weekly" }) { id } }', {}, ml);
      const id = made.createDatasetVersion.id;
      for (let i = 0; i < 600; i++) {
        const v = await gql<{ datasetVersion: { status: string } }>(platform.apiUrl, 'query($id: ID!) { datasetVersion(id: $id) { status } }', { id }, ml);
        if (v.datasetVersion.status !== 'BUILDING') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const { context, page } = await session(lang, 'ml@demo.local');
      await page.goto(`${platform.consoleUrl}/datasets?version=${id}`);
      await page.locator('#datasets-card').waitFor();
      await shot(page, 'datasets', lang);
      await context.close();
    }
    {
      // The admin's accounts and keys, a key's secret just created.
      const { context, page } = await session(lang, 'admin@demo.local');
      await page.goto(`${platform.consoleUrl}/admin/users`);
      await page.locator('tr[data-user-id]').first().waitFor();
      const keys = page.getByRole('region', { name: lang === 'en' ? 'API keys' : 'API 密钥' });
      await keys.getByLabel(lang === 'en' ? 'Name' : '名称').fill(lang === 'en' ? 'Support bot' : '客服机器人');
      await keys.getByRole('button', { name: lang === 'en' ? 'Create a key' : '创建密钥' }).click();
      await page.getByTestId('api-key-secret').waitFor();
      await shot(page, 'users', lang, true);
      await page.getByRole('button', { name: lang === 'en' ? 'New account' : '新建账号' }).click();
      await page.getByRole('dialog').waitFor();
      await shot(page, 'users-create', lang);
      await context.close();
    }
  }

  // A DPO run on reviewed pairs, finished, for the training page (after every other screen: its
  // reviews would change the queue they show).
  {
    await seedReviewItems(platform.apiUrl, { PAIRWISE: 3 }, 1);
    const reviewer = await login(platform.apiUrl, 'reviewer@demo.local');
    for (let i = 0; i < 20; i++) {
      const c = await gql<{ claimReviewItem: { item: { id: string } } | null }>(platform.apiUrl, CLAIM, { k: 'PAIRWISE' }, reviewer).catch(() => ({ claimReviewItem: null }));
      if (!c.claimReviewItem) break;
      await gql(platform.apiUrl, SUBMIT, { id: c.claimReviewItem.item.id, i: { kind: 'PAIRWISE', choice: 'A', strength: 2 } }, reviewer);
    }
    const ml = await login(platform.apiUrl, 'ml@demo.local');
    const wait = async (query: string, id: string, done: (s: string) => boolean) => {
      for (let i = 0; i < 3000; i++) {
        const d = await gql<Record<string, { status: string }>>(platform.apiUrl, query, { id }, ml);
        if (done(Object.values(d)[0]!.status)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const dataset = (await gql<{ createDatasetVersion: { id: string } }>(platform.apiUrl, 'mutation { createDatasetVersion(input: { name: "dpo", formats: [DPO] }) { id } }', {}, ml)).createDatasetVersion.id;
    await wait('query($id: ID!) { datasetVersion(id: $id) { status } }', dataset, (st) => st !== 'BUILDING');
    const run = (
      await gql<{ startTrainingRun: { id: string } }>(
        platform.apiUrl,
        'mutation($d: ID!) { startTrainingRun(input: { datasetVersionId: $d, method: DPO, hyperparameters: { steps: 40, lr: 0.0003, beta: 0.5, warmupSteps: 4 } }) { id } }',
        { d: dataset },
        ml,
      )
    ).startTrainingRun.id;
    await wait('query($id: ID!) { trainingRun(id: $id) { status } }', run, (st) => st !== 'QUEUED' && st !== 'RUNNING');
    for (const lang of ['en', 'zh'] as const) {
      const { context, page } = await session(lang, 'ml@demo.local');
      await page.goto(`${platform.consoleUrl}/training?run=${run}`);
      await page.getByTestId('loss-chart').waitFor();
      await shot(page, 'training', lang, true);
      await context.close();
    }
    // The version it produced as a 50 % canary, on the models page (an admin's view).
    const produced = (await gql<{ trainingRun: { modelVersion: { id: string } | null } }>(platform.apiUrl, 'query($id: ID!) { trainingRun(id: $id) { modelVersion { id } } }', { id: run }, ml)).trainingRun.modelVersion;
    if (produced) await gql(platform.apiUrl, 'mutation($id: ID!) { setCanaryModelVersion(id: $id, share: 0.5) { id } }', { id: produced.id }, admin);
    for (const lang of ['en', 'zh'] as const) {
      const { context, page } = await session(lang, 'admin@demo.local');
      await page.goto(`${platform.consoleUrl}/models${produced ? `?version=${produced.id}` : ''}`);
      await page.locator('#models-lineage').waitFor();
      await shot(page, 'models', lang, true);
      await context.close();
    }
  }
  {
    // Admin: a term list with hits and an escalation, a rewrite rule, the queue's settings after a
    // sweep, and the system page while the inference server is busy.
    const csv = ['term,level,language,category', 'zorblax,MASK,en,insult', 'quibbert,BLOCK,en,threat', 'flimflam,REVIEW,en,spam', '骗子,MASK,zh,insult', 'grumbold,MASK,en,insult'].join('\n');
    await gql(platform.apiUrl, 'mutation($c:String!){importSafetyTerms(csv:$c){version}}', { c: csv }, admin);
    await gql(platform.apiUrl, 'mutation($i:CreateRewriteRuleInput!){createRewriteRule(input:$i){id}}', { i: { pattern: '\\b(\\d{3})-(\\d{4})\\b', replacement: '***-****', regex: true, description: 'Phone numbers' } }, admin);
    await new Promise((r) => setTimeout(r, 2_500)); // the api reloads the list
    const user = await login(platform.apiUrl, 'user@demo.local');
    await gql(platform.apiUrl, 'mutation($i:SendMessageInput!){sendMessage(input:$i){conversation{id}}}', { i: { content: Array(8).fill('zorblax').join(' '), params: { maxTokens: 4 } } }, user);
    await gql(platform.apiUrl, 'mutation{collectReviewItems{generated}}', {}, admin);
    for (const lang of ['en', 'zh'] as const) {
      const { context, page } = await session(lang, 'admin@demo.local');
      await page.goto(`${platform.consoleUrl}/admin/safety`);
      await page.locator('[data-term-id]').first().waitFor();
      await shot(page, 'safety-terms', lang);
      await page.goto(`${platform.consoleUrl}/admin/safety?tab=try`);
      await page.locator('textarea').first().fill(lang === 'en' ? 'You are a ｚｏｒｂｌａｘ, call 555-1234 — and a flim-flam artist.' : '你这个骗子，打 555-1234 找我。');
      await page.getByTestId('safety-verdict').waitFor();
      await shot(page, 'safety-try', lang, true);
      await page.goto(`${platform.consoleUrl}/admin/safety?tab=rules`);
      await page.locator('[data-rule-id]').first().waitFor();
      await shot(page, 'safety-rules', lang);
      await page.goto(`${platform.consoleUrl}/admin/safety?tab=escalations`);
      await page.locator('[data-escalation-id]').first().waitFor();
      await shot(page, 'safety-escalations', lang);
      await page.goto(`${platform.consoleUrl}/admin/safety?tab=activity`);
      await page.locator('.recharts-surface').first().waitFor();
      await shot(page, 'safety-activity', lang);
      await page.goto(`${platform.consoleUrl}/review`);
      await page.locator('#review-settings').scrollIntoViewIfNeeded();
      await page.locator('#review-sources').waitFor();
      await shot(page, 'review-settings', lang, true);
      const load = keepInferenceBusy(platform.inferenceUrl, 16);
      await page.goto(`${platform.consoleUrl}/admin/system`);
      await page.locator('[data-server-url]').first().waitFor();
      await page.waitForTimeout(10_000); // a few looks, for tokens per second and its sparkline
      await shot(page, 'system', lang);
      await load.stop();
      await context.close();
    }
  }
} finally {
  await browser.close();
  await platform.stop();
}
