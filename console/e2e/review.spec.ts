import type { Browser, Page } from '@playwright/test';
import { apiUrl, axe, expect, signIn, test } from './fixtures';
import { gql, login, seedReviewItems, type Kind } from './seed';

type Items = Record<Kind, string[]>;
let items: Items;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  items = await seedReviewItems(apiUrl(), { PAIRWISE: 2, RANKING: 1, RUBRIC: 1, CORRECTION: 1 }, 2);
});

const EMPTY = 'Nothing left to review of this kind';

/** Labels every item of one kind the queue offers, with the keyboard only; returns the item ids in the order seen. */
async function labelAll(page: Page, kind: Kind, keys: (index: number) => Promise<void>): Promise<string[]> {
  await page.goto('/review');
  await page.getByRole('button', { name: new RegExp(`^Claim next ${kind.toLowerCase()}`) }).click();
  const item = page.locator('[data-item-id]');
  const empty = page.getByRole('heading', { name: EMPTY });
  const seen: string[] = [];
  for (let i = 0; i < 8; i++) {
    await expect(item.or(empty)).toBeVisible();
    if (await empty.isVisible()) break;
    const id = (await item.getAttribute('data-item-id'))!;
    if (seen.at(-1) !== id) seen.push(id);
    const submitted = page.waitForResponse((r) => (r.request().postData() ?? '').includes('submitReview'));
    await keys(seen.length - 1);
    expect((await submitted).ok()).toBe(true);
    await page.waitForTimeout(400);
  }
  await expect(empty).toBeVisible();
  return seen;
}

async function reviewer(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: process.env.E2E_CONSOLE_URL })).newPage();
  await signIn(page, email);
  return page;
}

test('two reviewers label every kind with the keyboard, disagree once, a senior reviewer adjudicates, and the dataset holds those decisions', async ({ browser }) => {
  test.setTimeout(300_000);
  const first = await reviewer(browser, 'reviewer@demo.local');
  const second = await reviewer(browser, 'senior@demo.local');

  // PAIRWISE: the first prefers A on both; the second prefers B on the first item (a disagreement) and A on the other.
  const press = (page: Page, ...keys: string[]) => async () => {
    for (const k of keys) await page.keyboard.press(k);
  };
  const p1 = await labelAll(first, 'PAIRWISE', () => press(first, 'a', '2', 'Enter')());
  const p2 = await labelAll(second, 'PAIRWISE', (i) => (i === 0 ? press(second, 'b', '3', 'Enter')() : press(second, 'a', '2', 'Enter')()));
  expect(new Set(p1)).toEqual(new Set(items.PAIRWISE));
  expect(new Set(p2)).toEqual(new Set(items.PAIRWISE));

  // RANKING: both move the first reply down one place.
  for (const page of [first, second]) await labelAll(page, 'RANKING', () => press(page, 'j', 'Shift+ArrowDown', 'Enter')());
  // RUBRIC: 4 on every criterion of each reply the page asks for.
  for (const page of [first, second]) await labelAll(page, 'RUBRIC', () => press(page, '4', '4', '4', 'Enter')());
  // CORRECTION: edit the reply, then Ctrl+Enter.
  for (const page of [first, second]) await labelAll(page, 'CORRECTION', () => press(page, 'e', 'Control+End', ...' Anything else?'.split('').map((c) => (c === ' ' ? 'Space' : c)), 'Control+Enter')());

  // The disagreement waits for adjudication; the senior reviewer decides A, clearly.
  const disputed = p2[0]!;
  await second.goto('/review/adjudicate');
  await second.getByRole('link', { name: /^Open pairwise item/ }).first().click();
  await expect(second.getByRole('heading', { name: /^Adjudicate/ })).toBeVisible();
  await expect(second.getByRole('article').or(second.locator('[aria-label^="Review by"]')).first()).toBeVisible();
  await press(second, 'a', '3', 'Enter')();
  await expect(second.getByRole('link', { name: /^Open pairwise item/ })).toHaveCount(0);
  // Rankings can disagree too (each reviewer sees the replies in their own order): decided as shown.
  for (let i = 0; i < 3 && (await second.getByRole('link', { name: /^Open ranking item/ }).count()); i++) {
    await second.getByRole('link', { name: /^Open ranking item/ }).first().click();
    await expect(second.getByRole('heading', { name: /^Adjudicate/ })).toBeVisible();
    await press(second, 'Enter')();
    await second.waitForTimeout(500);
  }

  // The preference pairs those decisions make, and a dataset version built from them.
  const admin = await login(apiUrl(), 'admin@demo.local');
  type ItemPairs = { reviewItem: { status: string; candidates: { label: string; content: string }[]; pairs: { chosen: string; rejected: string; source: string }[] } };
  const pairsOf = (id: string) => gql<ItemPairs>(apiUrl(), 'query($id:ID!){reviewItem(id:$id){status candidates{label content} pairs{chosen rejected source}}}', { id }, admin);
  const all = await Promise.all(Object.values(items).flat().map(pairsOf));
  expect(all.map(({ reviewItem: it }, i) => `${Object.values(items).flat()[i]} ${it.status}`).filter((x) => !x.endsWith('DONE'))).toEqual([]);
  const [disputedItem, agreedItem] = await Promise.all([pairsOf(disputed), pairsOf(p2[1]!)]);
  for (const { reviewItem: it } of [disputedItem, agreedItem]) {
    const A = it.candidates.find((c) => c.label === 'A')!.content;
    const B = it.candidates.find((c) => c.label === 'B')!.content;
    expect(it.pairs).toEqual([expect.objectContaining({ chosen: A, rejected: B })]);
  }
  const expected = all.reduce((n, { reviewItem: it }) => n + it.pairs.length, 0);
  expect(expected).toBeGreaterThanOrEqual(4);
  const ml = await login(apiUrl(), 'ml@demo.local');
  const { createDatasetVersion: v } = await gql<{ createDatasetVersion: { id: string } }>(apiUrl(), 'mutation{createDatasetVersion(input:{formats:[DPO],testShare:0}){id}}', {}, ml);
  let version: { status: string; counts: { pairs: { total: number }; duplicates: { pairs: number }; records: Record<string, { train: number; test: number }> } } | undefined;
  await expect
    .poll(async () => {
      version = (await gql<{ datasetVersion: NonNullable<typeof version> }>(apiUrl(), 'query($id:ID!){datasetVersion(id:$id){status counts}}', { id: v.id }, ml)).datasetVersion;
      return version.status;
    })
    .toBe('READY');
  expect(version!.counts.pairs.total + version!.counts.duplicates.pairs).toBe(expected);
  const records = Object.values(version!.counts.records);
  expect(records).toHaveLength(1);
  expect(records[0]!.train + records[0]!.test, JSON.stringify(version!.counts)).toBe(version!.counts.pairs.total);
});

test('the queue, an item of every kind and the shortcuts pass axe-core in both languages', async ({ browser }) => {
  test.setTimeout(180_000);
  await seedReviewItems(apiUrl(), { PAIRWISE: 1, RANKING: 1, RUBRIC: 1, CORRECTION: 1 }, 1);
  for (const lang of ['en', 'zh']) {
    const context = await browser.newContext({ baseURL: process.env.E2E_CONSOLE_URL });
    await context.addCookies([{ name: 'dialoop_locale', value: lang, url: process.env.E2E_CONSOLE_URL! }]);
    const page = await context.newPage();
    await page.goto('/signin');
    await page.locator('input[type="email"]').fill('admin@demo.local');
    await page.locator('input[type="password"]').fill('dialoop-demo');
    await page.locator('button[type="submit"]').click();
    await expect(page).not.toHaveURL(/\/signin/);
    for (const step of ['/review', '/review/pairwise', '?', '/review/ranking', '/review/rubric', '/review/correction']) {
      if (step === '?') await page.keyboard.press('?');
      else await page.goto(step);
      await page.waitForLoadState('networkidle');
      if (step !== '/review' && step !== '?') await expect(page.locator('[data-item-id]')).toBeVisible();
      // The shortcuts dialog fades in: axe() measures once no transition runs (mid-fade colours are paler).
      if (step === '?') await expect(page.getByRole('dialog')).toBeVisible();
      expect(await axe(page), `${lang} ${step}`).toEqual([]);
    }
    await context.close();
  }
});

test('admins see how the queue is fed; reviewers do not see the settings', async ({ page, browser }) => {
  await signIn(page, 'admin@demo.local', undefined, '/review');
  const settings = page.getByRole('region', { name: 'How the queue is fed' });
  await expect(settings).toContainText('Reviews per item');
  await expect(settings).toContainText('on request only');
  await expect(settings.getByRole('table', { name: 'Sources' }).getByRole('row')).toHaveCount(6);
  await expect(settings.getByRole('table', { name: 'Sources' })).toContainText('Low rating');
  await expect(settings.getByRole('button', { name: 'Collect now' })).toBeVisible();

  const reviewer = await browser.newPage({ baseURL: process.env.E2E_CONSOLE_URL });
  await signIn(reviewer, 'reviewer@demo.local', undefined, '/review');
  await expect(reviewer.getByRole('button', { name: /^Claim next/ }).first()).toBeVisible();
  await expect(reviewer.getByRole('region', { name: 'How the queue is fed' })).toHaveCount(0);
  await reviewer.close();
});
