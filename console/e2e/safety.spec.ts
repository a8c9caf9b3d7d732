import { apiUrl, axe, expect, signIn, test } from './fixtures';
import { DEMO_PASSWORD, gql, login } from './seed';

/** A word no list holds, made of letters only (whole-word matching), different on every run. */
const word = () => `zorb${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 6)}`;
const fullWidth = (s: string) => [...s].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');

/** Until the api filters with the newest term list and rules (it reloads them every second here). */
async function listInForce(token: string) {
  await expect
    .poll(async () => {
      const { safetyStatus: s } = await gql<{ safetyStatus: { version: number; latestVersion: number } }>(apiUrl(), '{safetyStatus{version latestVersion}}', {}, token);
      return s.version >= s.latestVersion;
    })
    .toBe(true);
}

test('an admin keeps the term list: add, find by search and level, import a CSV whose bad lines are named, switch off and delete', async ({ page }) => {
  const term = word();
  await signIn(page, 'admin@demo.local', undefined, '/admin/safety');
  await expect(page.getByRole('heading', { name: 'Safety', level: 1 })).toBeVisible();

  await page.getByRole('button', { name: 'Add a term' }).click();
  const add = page.getByRole('dialog', { name: 'Add a term' });
  await add.getByRole('textbox', { name: 'Term', exact: true }).fill(term);
  await add.getByRole('textbox', { name: 'Category' }).fill('e2e');
  await add.getByRole('button', { name: 'Save' }).click();
  await expect(add).toBeHidden();

  // Found by search in another case and width, as the filter matches; the level filter narrows.
  const table = page.getByRole('table', { name: 'Terms' });
  await page.getByRole('searchbox', { name: 'Search' }).fill(term.toUpperCase());
  await expect(table.getByRole('row').filter({ hasText: term })).toHaveCount(1);
  await expect(page).toHaveURL(new RegExp(`q=${term.toUpperCase()}`));
  await page.getByRole('combobox', { name: 'Level' }).click();
  await page.getByRole('option', { name: 'Block', exact: true }).click();
  await expect(page.getByText('No term matches these filters.')).toBeVisible();
  await page.getByRole('combobox', { name: 'Level' }).click();
  await page.getByRole('option', { name: 'Mask', exact: true }).click();
  await expect(table.getByRole('row').filter({ hasText: term })).toHaveCount(1);

  // A CSV with bad lines is refused whole, each bad line named; mended, it goes in.
  const [a, b] = [word(), word()];
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import terms from CSV' });
  await dialog.getByLabel('CSV').fill(`term,level,category\n${a},MASK,e2e\n${b},LOUD,e2e\n,BLOCK,e2e\n`);
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Nothing was imported');
  const bad = dialog.getByRole('list', { name: 'Lines to mend' });
  await expect(bad.getByRole('listitem')).toHaveCount(2);
  await expect(bad).toContainText('line 3');
  await expect(bad).toContainText('line 4');
  await dialog.getByLabel('CSV').fill(`term,level,category\n${a},MASK,e2e\n${b},REVIEW,e2e\n`);
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByRole('status')).toContainText('2 rows: 2 new');
  expect(await axe(page), 'the import dialog').toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).first().click();

  // Switched off and deleted.
  await page.getByRole('searchbox', { name: 'Search' }).fill(b);
  await page.getByRole('combobox', { name: 'Level' }).click();
  await page.getByRole('option', { name: 'Review', exact: true }).click();
  const row = table.getByRole('row').filter({ hasText: b });
  await expect(row).toHaveCount(1);
  await row.getByRole('switch', { name: `“${b}” is on` }).click({ force: true });
  await expect(row.getByRole('switch')).not.toBeChecked();
  await row.getByRole('button', { name: `Delete “${b}”` }).click();
  await page.getByRole('dialog', { name: 'Delete a term' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('No term matches these filters.')).toBeVisible();
  const token = await login(apiUrl(), 'admin@demo.local');
  const left = await gql<{ safetyTerms: { term: string; enabled: boolean }[] }>(apiUrl(), 'query($s:String){safetyTerms(search:$s){term enabled}}', { s: b }, token);
  expect(left.safetyTerms).toEqual([]);
});

test('"try a text" shows live what the filter would do and why, and a rewrite rule at work', async ({ page }) => {
  const term = word();
  const token = await login(apiUrl(), 'admin@demo.local');
  await gql(apiUrl(), 'mutation($i:CreateSafetyTermInput!){createSafetyTerm(input:$i){id}}', { i: { term, level: 'MASK', category: 'e2e' } }, token);
  await listInForce(token);
  await signIn(page, 'admin@demo.local', undefined, '/admin/safety?tab=try');
  const text = page.getByRole('textbox', { name: 'Text' });
  // A disguised form (full-width letters) is found, and the page says why.
  await text.fill(`Hello ${fullWidth(term)} friend`);
  const verdict = page.getByTestId('safety-verdict');
  await expect(verdict).toContainText('Masked');
  const matches = page.getByRole('table', { name: 'Matches' });
  await expect(matches).toContainText(term);
  await expect(matches).toContainText(`reads as “${term}”`);
  // As a prompt, the same.
  const asPrompt = page.waitForResponse((r) => (r.request().postData() ?? '').includes('"direction":"INPUT"'));
  await page.getByText("A person's prompt", { exact: true }).click();
  expect((await (await asPrompt).json()).data.safetyPreview.outcome).toBe('MASKED');
  await expect(verdict).toContainText('Masked');
  await text.fill('Nothing to see here');
  await expect(verdict).toContainText('Allowed');
  expect(await axe(page), 'try a text').toEqual([]);

  // A rewrite rule changes replies before the terms are looked for.
  const from = word();
  await page.getByRole('tab', { name: 'Rewrite rules' }).click();
  await page.getByRole('button', { name: 'Add a rule' }).click();
  const rule = page.getByRole('dialog', { name: 'Add a rewrite rule' });
  await rule.getByRole('textbox', { name: 'Pattern', exact: true }).fill('(');
  await rule.getByLabel('The pattern is a regular expression').check();
  await rule.getByRole('button', { name: 'Save' }).click();
  await expect(rule).toContainText('Not a valid regular expression');
  await rule.getByRole('textbox', { name: 'Pattern', exact: true }).fill(from);
  await rule.getByLabel('The pattern is a regular expression').uncheck();
  await rule.getByRole('textbox', { name: 'Replacement', exact: true }).fill(term);
  await rule.getByRole('button', { name: 'Save' }).click();
  await expect(rule).toBeHidden();
  await expect(page.getByRole('table', { name: 'Rewrite rules' })).toContainText(from);
  await listInForce(token);
  await page.getByRole('tab', { name: 'Try a text' }).click();
  await page.getByRole('textbox', { name: 'Text' }).fill(`say ${from} now`);
  await expect(page.getByTestId('safety-verdict')).toContainText('Masked');
  await expect(page.getByTestId('safety-verdict')).toContainText('Rewrite rules applied');
  // Taken away again, so that other tests' replies are not rewritten.
  await page.getByRole('tab', { name: 'Rewrite rules' }).click();
  await page.getByRole('button', { name: `Delete rule “${from}”` }).click();
  await page.getByRole('dialog', { name: 'Delete a rule' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('table', { name: 'Rewrite rules' })).not.toContainText(from);
});

test('escalations: a conversation monitoring locked is unlocked in the page, a warning resolved with a note; the hits are charted', async ({ page }) => {
  test.setTimeout(120_000);
  const term = word();
  const admin = await login(apiUrl(), 'admin@demo.local');
  await gql(apiUrl(), 'mutation($i:CreateSafetyTermInput!){createSafetyTerm(input:$i){id}}', { i: { term, level: 'MASK', category: 'e2e' } }, admin);
  const email = `${term}@e2e.local`;
  await gql(apiUrl(), 'mutation($i:CreateUserInput!){createUser(input:$i){id}}', { i: { email, password: DEMO_PASSWORD, role: 'USER' } }, admin);
  const person = await login(apiUrl(), email);
  await listInForce(admin);
  // Eight hits in one prompt: warn, slow, lock and review in one go (the default thresholds 3, 5, 8, 8).
  const sent = await gql<{ sendMessage: { conversation: { id: string } } }>(apiUrl(), 'mutation($i:SendMessageInput!){sendMessage(input:$i){conversation{id}}}', { i: { content: Array(8).fill(term).join(' '), params: { maxTokens: 4 } } }, person);
  const conversation = sent.sendMessage.conversation;
  const locked = await gql<{ conversation: { lockedAt: string | null } }>(apiUrl(), 'query($id:ID!){conversation(id:$id){lockedAt}}', { id: conversation.id }, person);
  expect(locked.conversation.lockedAt).not.toBeNull();

  await signIn(page, 'admin@demo.local', undefined, '/admin/safety?tab=escalations');
  const table = page.getByRole('table', { name: 'Escalations' });
  const ours = table.getByRole('row').filter({ has: page.locator(`a[href="/chat/${conversation.id}"]`) });
  const lock = ours.filter({ has: page.getByText('Lock', { exact: true }) });
  await expect(lock).toHaveCount(1);
  await lock.getByRole('button', { name: 'Unlock' }).click();
  await expect(lock).toHaveCount(0);
  const after = await gql<{ conversation: { lockedAt: string | null } }>(apiUrl(), 'query($id:ID!){conversation(id:$id){lockedAt}}', { id: conversation.id }, person);
  expect(after.conversation.lockedAt).toBeNull();

  const warn = ours.filter({ has: page.getByText('Warn', { exact: true }) });
  await warn.getByRole('button', { name: 'Resolve' }).click();
  const dialog = page.getByRole('dialog', { name: 'Resolve an escalation' });
  await dialog.getByLabel('What was done').fill('Spoke to the person');
  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await expect(warn).toHaveCount(0);
  await page.getByText('Resolved', { exact: true }).click();
  await expect(table.getByRole('row').filter({ hasText: 'Spoke to the person' }).first()).toBeVisible();
  expect(await axe(page), 'escalations').toEqual([]);

  await page.getByRole('tab', { name: 'Activity' }).click();
  const masked = page.getByRole('region', { name: 'What the filter caught' }).getByText('Mask', { exact: true }).first().locator('xpath=following-sibling::*[1]');
  await expect.poll(async () => Number((await masked.textContent())?.replace(/\D/g, '') ?? 0)).toBeGreaterThanOrEqual(8);
  await expect(page.getByRole('region', { name: 'What the filter caught' }).locator('.recharts-surface').first()).toBeVisible();
});
