/**
 * The compliance officer's audit page, on the real platform: find a denied action by filter,
 * open it, verify the chain (valid), tamper with one row as the database superuser and see the
 * verification name it, export with a filter and check the file with the offline verifier.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { apiUrl, consoleUrl, expect, signIn, test } from './fixtures';
import { ROOT } from './platform';
import { gql, login } from './seed';

const run = promisify(execFile);
const graphql = () => `${apiUrl()}/graphql`;

test('a compliance officer finds a denied action, verifies the chain, sees a tampered row named, and exports a file that verifies offline', async ({ page }) => {
  test.setTimeout(180_000);
  // A person tries what only compliance officers may: a DENIED entry for `auditEntries`.
  const userToken = await login(graphql(), 'user@demo.local');
  await expect(gql(graphql(), '{ auditEntries(first: 1) { edges { cursor } } }', {}, userToken)).rejects.toThrow(/FORBIDDEN|not allowed/i);

  await signIn(page, 'compliance@demo.local', undefined, '/audit');
  await expect(page).toHaveURL(/\/audit/);
  await expect(page.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
  await expect(page.getByRole('row').nth(1)).toBeVisible();

  // Filter: the denied `auditEntries` calls; the filter is in the URL.
  const filter = page.getByRole('form', { name: 'Filter' });
  await filter.getByLabel('Action').fill('auditEntries');
  await filter.getByLabel('Outcome').selectOption('DENIED');
  await filter.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/action=auditEntries/);
  await expect(page).toHaveURL(/outcome=DENIED/);
  const rows = page.getByRole('table', { name: 'Entries' }).getByRole('row');
  await expect(rows.nth(1)).toContainText('auditEntries');
  await expect(rows.nth(1)).toContainText('Denied');
  const count = await rows.count();
  for (let i = 1; i < count; i++) await expect(rows.nth(i)).toContainText('Denied');

  // The entry opens with its hashes and the URL names it (a view to share).
  await rows.nth(1).getByRole('button').click();
  await expect(page).toHaveURL(/entry=\d+/);
  const drawer = page.getByRole('dialog');
  await expect(drawer).toContainText('Hash');
  await expect(drawer).toContainText('auditEntries');
  const seq = Number(new URL(page.url()).searchParams.get('entry'));
  await page.reload();
  await expect(page.getByRole('dialog')).toContainText(`Entry ${seq}`);
  await page.getByRole('button', { name: 'Close the entry' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // Verify: valid.
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Chain valid' })).toBeVisible({ timeout: 60_000 });

  // Export with the filter, then check the file offline with the public key from the page.
  const dir = await mkdtemp(join(tmpdir(), 'dialoop-audit-e2e-'));
  try {
    const keyDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the public key' }).click();
    const key = join(dir, 'audit-public-key.pem');
    await (await keyDownload).saveAs(key);
    const fileDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const download = await fileDownload;
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    await expect(page.getByRole('status').filter({ hasText: 'downloaded' })).toContainText('npm run audit:verify');
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean).length).toBeGreaterThan(1);
    // The line the page shows, as an officer would run it.
    const verified = await run('npm', ['run', '--silent', 'audit:verify', '--', '--public-key', key, file], { cwd: ROOT });
    expect(verified.stdout).toMatch(/^VALID: entries \d+…\d+/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // Tamper with the denied entry as the database superuser: the verification names it.
  const db = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await db.connect();
  try {
    await db.query(`SET session_replication_role = replica`);
    await db.query(`UPDATE "AuditEntry" SET "action" = 'tampered' WHERE "seq" = $1`, [seq]);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const broken = page.getByRole('alert').filter({ hasText: 'Chain broken' });
    await expect(broken).toContainText(`Chain broken at entry ${seq}`, { timeout: 60_000 });
    await broken.getByRole('button', { name: `Open entry ${seq}` }).click();
    await expect(page.getByRole('dialog')).toContainText('tampered');
  } finally {
    await db.query(`UPDATE "AuditEntry" SET "action" = 'auditEntries' WHERE "seq" = $1`, [seq]);
    await db.end();
  }
});

test('a role without access sees "not allowed" and no entries', async ({ page }) => {
  await signIn(page, 'reviewer@demo.local', undefined, '/audit');
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Entries' })).toHaveCount(0);
});

test('a reload restores the session with one refresh, asked for while the page loads, and the first rows come', async ({ page }) => {
  await signIn(page, 'compliance@demo.local', undefined, '/audit');
  await expect(page.locator('tr[aria-rowindex]').first()).toBeVisible();
  const refreshes: string[] = [];
  page.on('request', (r) => r.url().endsWith('/api/session/refresh') && refreshes.push(r.method()));
  const restored = () => expect.poll(() => page.evaluate(() => Object.keys(window).filter((k) => k.startsWith('__dialoop')))).toEqual([]);
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await expect(page.locator('tr[aria-rowindex]').first()).toBeVisible();
    // The rows come with the HTML: wait for the page's own session (the early answer taken).
    await restored();
  }
  // One exchange of the single-use refresh token per load (the inline script's, taken by the page).
  expect(refreshes).toEqual(['POST', 'POST', 'POST']);
});

test('the first rows come with the HTML, for a person allowed to read them only, and the filter works before (and without) the scripts', async ({ page, browser }) => {
  await signIn(page, 'compliance@demo.local', undefined, '/audit');
  await expect(page.locator('tr[aria-rowindex]').first()).toBeVisible();
  // The document itself holds the rows (the session's cookies, as the browser sends them).
  const html = await (await page.request.get('/audit?action=auditEntries')).text();
  const rows = html.match(/<tr[^>]*aria-rowindex[\s\S]*?<\/tr>/g) ?? [];
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) expect(r).toContain('auditEntries');
  // No token in the HTML: the access token travels only in its httpOnly cookie and the page's memory.
  expect(html).not.toMatch(/eyJ[\w-]+\.eyJ/);

  // Without scripts at all: the rows are there, and the filter form submits to the same URL.
  const noScript = await browser.newContext({ baseURL: consoleUrl(), javaScriptEnabled: false, storageState: await page.context().storageState() });
  try {
    const bare = await noScript.newPage();
    await bare.goto('/audit');
    await expect(bare.locator('tr[aria-rowindex]').first()).toBeVisible();
    const form = bare.getByRole('form', { name: 'Filter' });
    await form.getByLabel('Action').fill('login');
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect(bare).toHaveURL(/action=login/);
    const filtered = bare.locator('tr[aria-rowindex]');
    await expect(filtered.first()).toBeVisible();
    for (const text of await filtered.allTextContents()) expect(text).toContain('login');
  } finally {
    await noScript.close();
  }

  // In another time zone: the page shows times in it, the server learns it (a preference cookie),
  // and the next HTML has them in it too; the browser's render agrees with the server's throughout.
  const away = await browser.newContext({ baseURL: consoleUrl(), timezoneId: 'Asia/Shanghai', storageState: await page.context().storageState() });
  try {
    const there = await away.newPage();
    const errors: string[] = [];
    there.on('console', (m) => m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text()) && errors.push(m.text()));
    there.on('pageerror', (e) => errors.push(String(e)));
    // The first row's time, once the page has its session (the browser's render, not the server's HTML).
    const shown = async () => {
      await expect.poll(() => there.evaluate(() => Object.keys(window).filter((k) => k.startsWith('__dialoop')))).toEqual([]);
      return there.locator('tr[aria-rowindex] td:nth-child(2)').first().textContent();
    };
    await there.goto('/audit');
    await expect(there.locator('tr[aria-rowindex]').first()).toBeVisible();
    await expect.poll(async () => (await away.cookies()).find((c) => c.name === 'dialoop_tz')?.value).toBe(encodeURIComponent('Asia/Shanghai'));
    await there.reload();
    await expect(there.locator('tr[aria-rowindex]').first()).toBeVisible();
    const served = await (await there.request.get('/audit')).text();
    expect(served).toContain((await shown())!);
    expect(errors).toEqual([]);
  } finally {
    await away.close();
  }

  // A person the page does not allow gets "not allowed" in the HTML, and no rows; and the console's
  // server does not read the trail on their behalf (the api would record a denied read).
  const compliance = await login(graphql(), 'compliance@demo.local');
  const denied = async () =>
    (await gql<{ auditEntries: { edges: { node: { seq: number } }[] } }>(graphql(), '{ auditEntries(filter: {action: "auditEntries", outcome: DENIED}, first: 1) { edges { node { seq } } } }', {}, compliance)).auditEntries.edges[0]?.node.seq ?? 0;
  // The newest denied read of the trail, before and after.
  const deniedBefore = await denied();
  const other = await browser.newContext({ baseURL: consoleUrl() });
  try {
    const reviewer = await other.newPage();
    await signIn(reviewer, 'reviewer@demo.local', undefined, '/audit');
    await expect(reviewer.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
    const theirs = await (await reviewer.request.get('/audit')).text();
    expect(theirs).toContain('Not allowed');
    expect(theirs).not.toContain('aria-rowindex');
    expect(await denied()).toBe(deniedBefore);
  } finally {
    await other.close();
  }
});
