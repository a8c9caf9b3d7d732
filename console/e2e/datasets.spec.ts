/**
 * The ML engineer's datasets page, on the real platform: build a version with filters, watch it
 * become ready, read its numbers and card, download a file that matches its recorded hash.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { apiUrl, axe, expect, signIn, test } from './fixtures';
import { gql, login } from './seed';

const graphql = () => `${apiUrl()}/graphql`;

test('an ML engineer builds a version with filters, watches it build, reads its card and downloads a file that matches its hash', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'ml@demo.local', undefined, '/datasets');
  await expect(page.getByRole('heading', { name: 'Datasets', level: 1 })).toBeVisible();
  const form = page.getByRole('form', { name: 'New version' });

  // The form validates as the api does: a format at least, a range that ends after it starts.
  for (const f of ['DPO', 'KTO', 'OpenAI preference', 'Anthropic HH', 'SFT']) await form.getByLabel(f, { exact: true }).uncheck();
  await form.getByLabel('From (UTC day)').fill('2026-12-02');
  await form.getByLabel('Before (UTC day)').fill('2026-12-01');
  await form.getByRole('button', { name: 'Build the version' }).click();
  await expect(form).toContainText('Choose at least one format');
  await expect(form).toContainText('The end comes after the start');
  expect(await axe(page), 'the datasets form with errors').toEqual([]);
  await form.getByLabel('From (UTC day)').fill('');
  await form.getByLabel('Before (UTC day)').fill('');

  const name = `e2e-${Date.now().toString(36)}`;
  await form.getByLabel('Name (optional)').fill(name);
  await form.getByLabel('Test share').fill('0.2');
  for (const f of ['DPO', 'SFT']) await form.getByLabel(f, { exact: true }).check();
  await form.getByLabel('English', { exact: true }).check();
  await form.getByRole('button', { name: 'Build the version' }).click();

  // The new version opens (in the URL) and becomes ready.
  await expect(page).toHaveURL(/version=[0-9a-f-]{36}/);
  const id = new URL(page.url()).searchParams.get('version')!;
  const detail = page.getByRole('region', { name: /^Version \d+/ });
  await expect(detail.getByText('Ready', { exact: true })).toBeVisible({ timeout: 60_000 });

  // What the page shows is what the api holds: filters, counts, files.
  const ml = await login(graphql(), 'ml@demo.local');
  const v = (
    await gql<{ datasetVersion: { name: string; testShare: number; filters: { languages: string[] }; counts: { pairs: { total: number } }; files: { path: string; records: number; sha256: string }[] } }>(
      graphql(),
      'query($id: ID!) { datasetVersion(id: $id) { name testShare filters counts files { path records sha256 } } }',
      { id },
      ml,
    )
  ).datasetVersion;
  expect(v).toMatchObject({ name, testShare: 0.2, filters: { languages: ['en'] } });
  expect(v.files.map((f) => f.path).sort()).toEqual(['README.md', 'dpo/test.jsonl', 'dpo/train.jsonl', 'sft/test.jsonl', 'sft/train.jsonl']);
  const files = page.getByRole('table', { name: 'Files' });
  for (const f of v.files) await expect(files.getByRole('row').filter({ hasText: f.path })).toContainText(f.sha256.slice(0, 12));
  await expect(detail).toContainText(`Pairs${v.counts.pairs.total}`);
  await expect(page.getByRole('region', { name: 'Dataset card' })).toContainText(`Dialoop dataset v`);

  // A download is the file its hash names.
  const sft = v.files.find((f) => f.path === 'sft/train.jsonl')!;
  const downloading = page.waitForEvent('download');
  await files.getByRole('button', { name: 'Download sft/train.jsonl' }).click();
  const body = await readFile((await (await downloading).path())!);
  expect(createHash('sha256').update(body).digest('hex')).toBe(sft.sha256);
  expect(body.toString('utf8').split('\n').filter(Boolean)).toHaveLength(sft.records);

  // The list shows it too, and a reload keeps it open.
  await page.reload();
  await expect(page.getByRole('table', { name: 'Versions' }).getByRole('row').filter({ hasText: name })).toContainText('Ready');
  await expect(page.getByRole('region', { name: 'Dataset card' })).toBeVisible();
});
