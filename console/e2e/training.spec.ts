/**
 * The ML engineer's training page, on the real platform with real PyTorch: a DPO run started from
 * the page on a dataset version of reviewed pairs, its loss curve growing while it runs, then the
 * model version it produced; the same state read back through GraphQL.
 */
import { apiUrl, axe, expect, signIn, test } from './fixtures';
import { gql, login, seedReviewItems } from './seed';

const graphql = () => `${apiUrl()}/graphql`;

/** Reviewed PAIRWISE items (one review each) until the queue has none: preference pairs for a dataset. */
async function reviewedPairs(n: number) {
  await seedReviewItems(graphql(), { PAIRWISE: n }, 1);
  const reviewer = await login(graphql(), 'reviewer@demo.local');
  for (let i = 0; i < 50; i++) {
    const c = await gql<{ claimReviewItem: { item: { id: string } } | null }>(graphql(), 'mutation { claimReviewItem(kind: PAIRWISE) { item { id } } }', {}, reviewer).catch(() => ({ claimReviewItem: null }));
    if (!c.claimReviewItem) break;
    await gql(graphql(), 'mutation($id: ID!, $r: ReviewInput!) { submitReview(itemId: $id, input: $r) { id } }', { id: c.claimReviewItem.item.id, r: { kind: 'PAIRWISE', choice: 'A', strength: 2 } }, reviewer);
  }
}

test('an ML engineer starts a DPO run in the page and watches its loss curve grow until it produces a model version', async ({ page }) => {
  test.setTimeout(300_000);
  await reviewedPairs(3);
  const ml = await login(graphql(), 'ml@demo.local');
  const made = await gql<{ createDatasetVersion: { id: string; number: number } }>(graphql(), 'mutation { createDatasetVersion(input: { formats: [DPO] }) { id number } }', {}, ml);
  await expect
    .poll(async () => (await gql<{ datasetVersion: { status: string } }>(graphql(), 'query($id: ID!) { datasetVersion(id: $id) { status } }', { id: made.createDatasetVersion.id }, ml)).datasetVersion.status, { timeout: 60_000 })
    .toBe('READY');

  await signIn(page, 'ml@demo.local', undefined, '/training');
  await expect(page.getByRole('heading', { name: 'Training runs', level: 1 })).toBeVisible();
  const form = page.getByRole('form', { name: 'Start a run' });
  // Validated as the api validates: warm-up shorter than the run.
  await form.getByLabel('Steps', { exact: true }).fill('20');
  await form.getByLabel('Warm-up steps').fill('30');
  await form.getByRole('button', { name: 'Start the run' }).click();
  await expect(form).toContainText('Choose a dataset version');
  await expect(form).toContainText('Fewer than the steps');
  expect(await axe(page), 'the start form with errors').toEqual([]);
  await form.getByLabel('Warm-up steps').fill('4');
  await form.getByLabel('Dataset version').click();
  await page.getByRole('option', { name: new RegExp(`^v${made.createDatasetVersion.number}\\b`) }).click();
  await form.getByLabel('Learning rate').fill('0.0003');
  await form.getByRole('button', { name: 'Start the run' }).click();

  // The run opens in the URL; its curve grows while it runs.
  await expect(page).toHaveURL(/run=[0-9a-f-]{36}/);
  const id = new URL(page.url()).searchParams.get('run')!;
  const chart = page.getByTestId('loss-chart');
  const points = async () => Number((await chart.getAttribute('data-points').catch(() => null)) ?? 0);
  await expect.poll(points, { timeout: 180_000, intervals: [250] }).toBeGreaterThanOrEqual(3);
  const early = await points();
  expect(early, 'the curve was drawn while the run went on').toBeLessThan(20);
  const status = page.getByRole('region', { name: /^Run \d+ · DPO/ });
  await expect(status.getByText('Succeeded', { exact: true })).toBeVisible({ timeout: 180_000 });
  expect(await points()).toBeGreaterThan(early);
  await expect(status).toContainText('Step 20 of 20');
  await expect(status).toContainText('→ dialoop-tiny-dpo-r');
  await expect(page.getByRole('region', { name: 'Log (its end)' })).toContainText('"event":"progress"');

  // The same state through GraphQL.
  const run = (
    await gql<{ trainingRun: { status: string; step: number; modelVersion: { name: string } | null; lossCurve: { step: number }[] } }>(
      graphql(),
      'query($id: ID!) { trainingRun(id: $id) { status step modelVersion { name } lossCurve { step } } }',
      { id },
      ml,
    )
  ).trainingRun;
  expect(run).toMatchObject({ status: 'SUCCEEDED', step: 20 });
  expect(run.modelVersion?.name).toMatch(/^dialoop-tiny-dpo-r\d+$/);
  expect(run.lossCurve).toHaveLength(20);
  expect(await points()).toBe(20);
});
