import { axe, expect, inferenceUrl, signIn, test } from './fixtures';
import { keepInferenceBusy } from './seed';

test('the system page shows each inference server, its models, batch, queue and tokens per second, live', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, 'ml@demo.local', undefined, '/admin/system');
  const server = page.getByRole('article', { name: inferenceUrl().replace(/\/+$/, '') });
  await expect(server).toHaveAttribute('data-state', 'ready');
  await expect(server.getByText('Ready', { exact: true })).toBeVisible();
  await expect(server).toContainText(/1 model:|\d+ models:/);
  await expect(server).toContainText(/answered in [\d.]+ ms/);
  expect(await axe(page), 'the system page').toEqual([]);

  // Made busy (a full batch of long requests), the next looks show the work, without a reload.
  const figure = (label: string) => server.getByText(label, { exact: true }).locator('xpath=following-sibling::*[1]');
  // Sixteen long replies at a time, each started again when it ends, until the page has shown them.
  const load = keepInferenceBusy(inferenceUrl(), 16);
  try {
    await expect.poll(async () => Number((await figure('Replies being written').textContent())?.replace(/\D/g, '') || 0), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => Number((await figure('Tokens per second').textContent())?.replace(/\D/g, '') || 0), { timeout: 30_000 }).toBeGreaterThan(0);
  } finally {
    await load.stop();
  }
});
