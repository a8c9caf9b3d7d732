import { expect, test, type Page } from '@playwright/test';
import { startPlatform, type Platform } from './platform';
import { DEMO_PASSWORD, gql, login, seedReviewItems } from './seed';

/**
 * Losing nothing to time: a platform of its own whose access tokens live 3 s and whose leases
 * live 12 s, so that both run out during a test.
 */
let platform: Platform;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  platform = await startPlatform({ apiEnv: { ACCESS_TOKEN_TTL_S: '3', REVIEW_LEASE_S: '12' } });
});
test.afterAll(async () => platform?.stop());

async function signIn(page: Page, path: string) {
  await page.goto(`${platform.consoleUrl}${path}`);
  await page.getByLabel('Email').fill('reviewer@demo.local');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/signin/);
}

const statusOf = async (id: string) => (await gql<{ reviewItem: { status: string; reviewCount: number; requiredReviews: number } }>(platform.apiUrl, 'query($id:ID!){reviewItem(id:$id){status reviewCount requiredReviews}}', { id }, await login(platform.apiUrl, 'admin@demo.local'))).reviewItem;

test('a lease expiring mid-review says so, keeps the correction and lets the reviewer finish it', async ({ page }) => {
  test.setTimeout(120_000);
  const { CORRECTION: [id] } = await seedReviewItems(platform.apiUrl, { CORRECTION: 1 }, 1);
  expect(await statusOf(id!)).toMatchObject({ status: 'OPEN', requiredReviews: 1, reviewCount: 0 });
  await signIn(page, '/review/correction');
  await expect(page.locator(`[data-item-id="${id}"]`)).toBeVisible();
  const text = page.getByRole('textbox', { name: /^Corrected/ });
  await text.fill('A corrected reply, written slowly.');
  await page.waitForTimeout(13_000);
  await page.keyboard.press('Control+Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'Your lease on this item has expired' })).toBeVisible();
  await expect(text).toHaveValue('A corrected reply, written slowly.');
  expect((await statusOf(id!)).reviewCount).toBe(0);
  // The item went back to the queue: claiming again brings it, and the draft, back.
  // The item on the page until the claim is answered is the one whose lease ran out: the review
  // is written only once the new lease is held (a slow machine would otherwise send it first).
  const claimed = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('ReviewClaimNext'));
  await page.getByRole('button', { name: 'Claim the next item' }).click();
  await claimed;
  await expect(page.getByRole('alert').filter({ hasText: 'Your lease on this item has expired' })).toHaveCount(0);
  await expect(page.locator(`[data-item-id="${id}"]`)).toBeVisible();
  await expect(page.getByRole('textbox', { name: /^Corrected/ })).toHaveValue('A corrected reply, written slowly.');
  await page.keyboard.press('Control+Enter');
  await expect(page.getByText('your review is in.')).toBeVisible();
  await expect.poll(async () => statusOf(id!)).toMatchObject({ status: 'DONE', reviewCount: 1 });
});

test('an ended session sends the reviewer to sign in and back, with the review they were writing', async ({ page, context }) => {
  test.setTimeout(120_000);
  const { PAIRWISE: [id] } = await seedReviewItems(platform.apiUrl, { PAIRWISE: 1 }, 1);
  await signIn(page, '/review/pairwise');
  await expect(page.locator(`[data-item-id="${id}"]`)).toBeVisible();
  await page.keyboard.press('b');
  await page.keyboard.press('3');
  // The session ends (its cookie gone) and the access token in the page runs out.
  await context.clearCookies();
  await page.waitForTimeout(4_000);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/signin\?next=.*item.*&expired=1/);
  await expect(page.getByText('Your session ended')).toBeVisible();
  await page.getByLabel('Email').fill('reviewer@demo.local');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator(`[data-item-id="${id}"]`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'B is better' })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await statusOf(id!)).status).toBe('DONE');
});

test('an expired access token is refreshed without the reviewer noticing', async ({ page }) => {
  test.setTimeout(120_000);
  const { PAIRWISE: [id] } = await seedReviewItems(platform.apiUrl, { PAIRWISE: 1 }, 1);
  await signIn(page, '/review/pairwise');
  await expect(page.locator(`[data-item-id="${id}"]`)).toBeVisible();
  // The background refresh fails for a while (offline), so the token in the page expires.
  await page.route('**/api/session/refresh', (route) => route.abort());
  await page.waitForTimeout(4_500);
  await page.unroute('**/api/session/refresh');
  await page.keyboard.press('a');
  await page.keyboard.press('2');
  const attempts: number[] = [];
  page.on('response', (r) => (r.request().postData() ?? '').includes('submitReview') && attempts.push(r.status()));
  await page.keyboard.press('Enter');
  // Refreshed before it is sent (or refused once as expired, refreshed and sent again): the review is in.
  await expect.poll(() => attempts.at(-1)).toBe(200);
  expect(attempts.every((s) => s === 401 || s === 200)).toBe(true);
  await expect.poll(async () => (await statusOf(id!)).status).toBe('DONE');
  await expect(page).not.toHaveURL(/\/signin/);
});

test('a token the api refuses mid-session is refreshed once and the review sent again', async ({ page }) => {
  test.setTimeout(120_000);
  const { PAIRWISE: [id] } = await seedReviewItems(platform.apiUrl, { PAIRWISE: 1 }, 1);
  await signIn(page, '/review/pairwise');
  await expect(page.locator(`[data-item-id="${id}"]`)).toBeVisible();
  // The page's token looks current to the page, but the api refuses it (as after a key rotation):
  // the first submit reaches the real api with a token whose signature does not verify.
  let spoiled = false;
  await page.route('**/graphql', async (route) => {
    if (spoiled || !(route.request().postData() ?? '').includes('submitReview')) return route.continue();
    spoiled = true;
    const headers = { ...route.request().headers(), authorization: `${route.request().headers().authorization ?? 'Bearer x'}x` };
    return route.fulfill({ response: await route.fetch({ headers }) });
  });
  const attempts: number[] = [];
  let refreshes = 0;
  page.on('response', (r) => (r.request().postData() ?? '').includes('submitReview') && attempts.push(r.status()));
  page.on('request', (r) => r.url().includes('/api/session/refresh') && attempts.length > 0 && refreshes++);
  await page.keyboard.press('b');
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await expect.poll(() => attempts).toEqual([401, 200]);
  expect(refreshes).toBeGreaterThanOrEqual(1);
  await expect.poll(async () => (await statusOf(id!)).status).toBe('DONE');
  await expect(page.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED' })).toHaveCount(0);
  await expect(page).not.toHaveURL(/\/signin/);
});
