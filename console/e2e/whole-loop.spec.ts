/**
 * The whole loop in the browser, on the real platform with real PyTorch: an ML engineer builds a
 * dataset version of reviewed pairs, starts a DPO run and watches its loss curve grow while it
 * runs; an admin makes the new version a 50 % canary and puts arena items up for review; two
 * reviewers label them with the keyboard; the admin reads the win rate and activates the version.
 * The same state is then read back through GraphQL. The last file to run (w…): it activates a new
 * model version, and "Collect now" turns every earlier test's chats into review items (this
 * platform runs no periodic sweep).
 */
import type { Browser, Page } from '@playwright/test';
import { apiUrl, axe, expect, signIn, test } from './fixtures';
import { gql, login, seedReviewItems } from './seed';

const graphql = () => `${apiUrl()}/graphql`;

/** Demo data: PAIRWISE items reviewed once each (through GraphQL), so a dataset has pairs. */
async function reviewedPairs(n: number) {
  await seedReviewItems(graphql(), { PAIRWISE: n }, 1);
  const reviewer = await login(graphql(), 'reviewer@demo.local');
  for (let i = 0; i < 50; i++) {
    const c = await gql<{ claimReviewItem: { item: { id: string } } | null }>(graphql(), 'mutation { claimReviewItem(kind: PAIRWISE) { item { id } } }', {}, reviewer).catch(() => ({ claimReviewItem: null }));
    if (!c.claimReviewItem) break;
    await gql(graphql(), 'mutation($id: ID!, $r: ReviewInput!) { submitReview(itemId: $id, input: $r) { id } }', { id: c.claimReviewItem.item.id, r: { kind: 'PAIRWISE', choice: 'A', strength: 2 } }, reviewer);
  }
}

async function as(browser: Browser, email: string, path: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: process.env.E2E_CONSOLE_URL })).newPage();
  await signIn(page, email, undefined, path);
  return page;
}

/** Labels every PAIRWISE item the queue offers with the keyboard (A, clearly better); how many. */
async function labelPairwise(page: Page): Promise<number> {
  await page.goto('/review');
  await page.getByRole('button', { name: /^Claim next pairwise/ }).click();
  const item = page.locator('[data-item-id]');
  const empty = page.getByRole('heading', { name: 'Nothing left to review of this kind' });
  let n = 0;
  for (let i = 0; i < 10; i++) {
    await expect(item.or(empty)).toBeVisible();
    if (await empty.isVisible()) break;
    const submitted = page.waitForResponse((r) => (r.request().postData() ?? '').includes('submitReview'));
    for (const k of ['a', '2', 'Enter']) await page.keyboard.press(k);
    expect((await submitted).ok()).toBe(true);
    n += 1;
    await page.waitForTimeout(400);
  }
  await expect(empty).toBeVisible();
  return n;
}

test('the loop in the browser: dataset, DPO run with a live loss curve, 50 % canary, arena reviews, win rate, activate', async ({ browser }) => {
  test.setTimeout(600_000);
  await reviewedPairs(3);

  // An ML engineer: a dataset version of DPO pairs…
  const ml = await as(browser, 'ml@demo.local', '/datasets');
  const form = ml.getByRole('form', { name: 'New version' });
  await form.getByLabel('Name (optional)').fill('loop');
  for (const f of ['KTO', 'OpenAI preference', 'Anthropic HH', 'SFT']) await form.getByLabel(f, { exact: true }).uncheck();
  await form.getByRole('button', { name: 'Build the version' }).click();
  await expect(ml).toHaveURL(/version=[0-9a-f-]{36}/);
  const datasetId = new URL(ml.url()).searchParams.get('version')!;
  await expect(ml.getByRole('region', { name: /^Version \d+/ }).getByText('Ready', { exact: true })).toBeVisible({ timeout: 60_000 });
  const number = /Version (\d+)/.exec((await ml.getByRole('heading', { level: 2, name: /^Version \d+/ }).textContent())!)![1];

  // …then a DPO run on it, validated as the api does, whose curve grows while it runs.
  await ml.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Training runs' }).click();
  const start = ml.getByRole('form', { name: 'Start a run' });
  await start.getByLabel('Steps', { exact: true }).fill('20');
  await start.getByLabel('Warm-up steps').fill('30');
  await start.getByRole('button', { name: 'Start the run' }).click();
  await expect(start).toContainText('Choose a dataset version');
  await expect(start).toContainText('Fewer than the steps');
  expect(await axe(ml), 'the start form with errors').toEqual([]);
  await start.getByLabel('Warm-up steps').fill('4');
  await start.getByLabel('Dataset version').click();
  await ml.getByRole('option', { name: new RegExp(`^v${number} · loop$`) }).click();
  await start.getByLabel('Learning rate').fill('0.0003');
  await start.getByRole('button', { name: 'Start the run' }).click();
  await expect(ml).toHaveURL(/run=[0-9a-f-]{36}/);
  const runId = new URL(ml.url()).searchParams.get('run')!;
  const chart = ml.getByTestId('loss-chart');
  const points = async () => Number((await chart.getAttribute('data-points').catch(() => null)) ?? 0);
  await expect.poll(points, { timeout: 180_000, intervals: [250] }).toBeGreaterThanOrEqual(3);
  const early = await points();
  expect(early, 'the curve was drawn while the run went on').toBeLessThan(20);
  const run = ml.getByRole('region', { name: /^Run \d+ · DPO/ });
  // After the last step: the held-out evaluation, the export, INT8 and the guards' replies (both models), then registration.
  await expect(run.getByText('Succeeded', { exact: true })).toBeVisible({ timeout: 300_000 });
  expect(await points()).toBe(20);
  await expect(run).toContainText('Step 20 of 20');
  // Beside reward accuracy and KL, the loop's three guards: base and new model on the same prompts.
  const guards = run.getByRole('table', { name: "The loop's guards" });
  await expect(guards.getByRole('row')).toHaveCount(4);
  for (const name of ['Exact answers', 'Replies at the token limit', 'A new repeated phrase (share of replies)']) await expect(guards.getByRole('row', { name: new RegExp(`^${name.replace(/[()]/g, '\\$&')}`) })).toContainText(/Within|Exceeded/);
  const produced = /→ (dialoop-tiny-dpo-r\d+)/.exec((await run.textContent())!)![1]!;
  await expect(ml.getByRole('region', { name: 'Log (its end)' })).toContainText('"event":"progress"');

  // An admin: the new version as a 50 % canary, and arena items for it.
  const admin = await as(browser, 'admin@demo.local', '/models');
  await admin.getByRole('region', { name: 'Lineage' }).getByRole('link', { name: produced }).click();
  const version = admin.getByRole('region', { name: produced });
  await expect(version).toContainText('Registered');
  const slider = version.getByRole('slider');
  await slider.focus();
  await admin.keyboard.press('Home');
  for (let i = 0; i < 9; i++) await admin.keyboard.press('ArrowRight');
  await expect(version).toContainText('Canary share: 50 % of new conversations');
  await version.getByRole('button', { name: 'Make canary' }).click();
  await expect(version.getByText('Canary', { exact: true })).toBeVisible();
  expect(await axe(admin), 'the models page').toEqual([]);
  const compare = admin.getByRole('region', { name: 'Against the active version' });
  await compare.getByLabel('Prompts').fill('3');
  await compare.getByRole('button', { name: 'Put arena items up for review' }).click();
  await expect(compare).toContainText('3 items made.');
  // The platform's access tokens are short-lived: each request signs in afresh.
  const asAdmin = () => login(graphql(), 'admin@demo.local');
  // Each item opens once both versions have answered its prompt (a few seconds).
  for (let i = 0; i < 60; i++) {
    if ((await gql<{ reviewQueue: { pending: number } }>(graphql(), '{ reviewQueue { pending } }', {}, await asAdmin())).reviewQueue.pending === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }

  // Two reviewers label them with the keyboard.
  const judged = (await labelPairwise(await as(browser, 'reviewer@demo.local', '/review'))) + (await labelPairwise(await as(browser, 'senior@demo.local', '/review')));
  expect(judged).toBeGreaterThanOrEqual(2);

  // The admin reads the win rate, then activates the version.
  await admin.reload();
  await expect(compare.getByRole('status').filter({ hasText: 'Win rate' })).toContainText(/\d+ judgments?\)/);
  await expect(admin.getByTestId('win-rate')).toBeVisible();
  await admin.getByRole('region', { name: 'Lineage' }).getByRole('link', { name: produced }).click();
  await version.getByRole('button', { name: 'Activate' }).click();
  await expect(version.getByText('Active', { exact: true })).toBeVisible({ timeout: 60_000 });

  // The same state through GraphQL.
  const state = await gql<{ trainingRun: { status: string; datasetVersionId: string; modelVersion: { id: string; name: string; status: string; parentId: string } }; modelVersions: { id: string; name: string; status: string }[] }>(
    graphql(),
    'query($run: ID!) { trainingRun(id: $run) { status datasetVersionId modelVersion { id name status parentId } } modelVersions { id name status } }',
    { run: runId },
    await asAdmin(),
  );
  expect(state.trainingRun).toMatchObject({ status: 'SUCCEEDED', datasetVersionId: datasetId, modelVersion: { name: produced, status: 'ACTIVE' } });
  const parent = state.modelVersions.find((v) => v.id === state.trainingRun.modelVersion.parentId)!;
  expect(parent.status).toBe('RETIRED');
  const compared = await gql<{ modelComparison: { n: number } }>(graphql(), 'query($b: ID!, $c: ID!) { modelComparison(baselineId: $b, challengerId: $c) { n } }', { b: parent.id, c: state.trainingRun.modelVersion.id }, await asAdmin());
  expect(compared.modelComparison.n).toBeGreaterThanOrEqual(1);
  expect(await compare.count()).toBe(1);
});

test('"Collect now" runs a sweep of the sources and the settings show it', async ({ page }) => {
  await signIn(page, 'admin@demo.local', undefined, '/review');
  const settings = page.getByRole('region', { name: 'How the queue is fed' });
  await settings.getByRole('button', { name: 'Collect now' }).click();
  await expect(settings.getByRole('status')).toContainText('candidates written');
  await page.reload();
  await expect(page.getByRole('region', { name: 'How the queue is fed' })).toContainText(/Last collection .* \(asked for\)/);
});
