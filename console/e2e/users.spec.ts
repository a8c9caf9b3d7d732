/**
 * The admin's users page, on the real platform: create an account, change its role, disable it,
 * erase it with a typed confirmation; the page says why the last admin cannot demote or disable
 * themself (and the api refuses it too); an API key's secret is shown once and the key revoked.
 */
import { randomUUID } from 'node:crypto';
import { apiUrl, axe, expect, signIn, test } from './fixtures';
import { gql, login } from './seed';

const graphql = () => `${apiUrl()}/graphql`;
interface Row {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
}
const accounts = async (token: string) => (await gql<{ users: Row[] }>(graphql(), '{ users(first: 200) { id email role disabled } }', {}, token)).users;

test('an admin creates, changes, disables and erases an account; the last admin cannot demote themself; a key is shown once and revoked', async ({ page }) => {
  test.setTimeout(120_000);
  const admin = await login(graphql(), 'admin@demo.local');
  // The premise of the last-admin checks: the demo admin is the only active one.
  expect((await accounts(admin)).filter((u) => u.role === 'ADMIN' && !u.disabled).map((u) => u.email)).toEqual(['admin@demo.local']);

  await signIn(page, 'admin@demo.local', undefined, '/admin/users');
  await expect(page.getByRole('heading', { name: 'Users and API keys', level: 1 })).toBeVisible();

  // Create.
  const email = `casey.${randomUUID().slice(0, 8)}@e2e.test`;
  await page.getByRole('button', { name: 'New account' }).click();
  const form = page.getByRole('dialog', { name: 'New account' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Name (optional)').fill('Casey Example');
  await form.getByLabel('First password').fill('short');
  await form.getByRole('button', { name: 'Create the account' }).click();
  await expect(form).toContainText('At least 8 characters');
  expect(await axe(page), 'the new-account dialog').toEqual([]);
  await form.getByLabel('First password').fill('a-long-enough-password');
  await form.getByRole('button', { name: 'Create the account' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // Search finds it; role and sign-in change from the row.
  const table = page.getByRole('table', { name: 'Accounts' });
  await page.getByLabel('Search accounts').fill(email.slice(0, 12).toUpperCase());
  const row = table.getByRole('row').filter({ hasText: email });
  await expect(row).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(2); // the header and Casey
  await row.getByRole('combobox', { name: `Role of ${email}` }).click();
  await page.getByRole('option', { name: 'Reviewer', exact: true }).click();
  await expect.poll(async () => (await accounts(admin)).find((u) => u.email === email)?.role).toBe('REVIEWER');
  const signInSwitch = row.getByRole('switch', { name: `${email} may sign in` });
  await expect(row.getByRole('combobox', { name: `Role of ${email}` })).toHaveValue('Reviewer');
  await expect(signInSwitch).toBeEnabled();
  await signInSwitch.click({ force: true });
  await expect(row).toContainText('Disabled');
  await expect.poll(async () => (await accounts(admin)).find((u) => u.email === email)?.disabled).toBe(true);

  // Erase: the button waits for the email typed in full.
  await row.getByRole('button', { name: `Erase ${email}` }).click();
  const erase = page.getByRole('dialog', { name: `Erase ${email}` });
  await expect(erase.getByRole('button', { name: 'Erase for good' })).toBeDisabled();
  expect(await axe(page), 'the erase dialog').toEqual([]);
  await erase.getByLabel(`Type ${email} to confirm`).fill(email.slice(0, -1));
  await expect(erase.getByRole('button', { name: 'Erase for good' })).toBeDisabled();
  await erase.getByLabel(`Type ${email} to confirm`).fill(email);
  await erase.getByRole('button', { name: 'Erase for good' }).click();
  await expect(erase.getByRole('status')).toContainText('u_');
  await erase.getByRole('button', { name: 'Close' }).last().click(); // the footer's (the header's × is named Close too)
  await expect(page.getByText(`No account matches`)).toBeVisible();
  expect((await accounts(admin)).map((u) => u.email)).not.toContain(email);

  // The last admin: the page says why, and nothing changed.
  await page.getByLabel('Search accounts').fill('admin@demo.local');
  const self = table.getByRole('row').filter({ hasText: 'admin@demo.local' });
  await expect(self).toContainText('you');
  await self.getByRole('combobox', { name: 'Role of admin@demo.local' }).click();
  await page.getByRole('option', { name: 'User', exact: true }).click();
  const accountsRegion = page.getByRole('region', { name: 'Accounts' });
  await expect(accountsRegion.getByRole('alert')).toContainText('The role of admin@demo.local was not changed');
  await expect(accountsRegion.getByRole('alert')).toContainText('This is the last active administrator');
  await expect(accountsRegion.getByRole('alert')).toContainText('CONFLICT');
  await expect(self.getByRole('switch', { name: 'admin@demo.local may sign in' })).toBeEnabled();
  await self.getByRole('switch', { name: 'admin@demo.local may sign in' }).click({ force: true });
  await expect(accountsRegion.getByRole('alert')).toContainText('admin@demo.local was not disabled');
  await expect(accountsRegion.getByRole('alert')).toContainText('This is the last active administrator');
  await expect(self.getByRole('switch', { name: 'admin@demo.local may sign in' })).toBeChecked();
  // One's own account is not erased from this page; the api refuses the last admin's erasure too.
  await expect(self.getByRole('button', { name: 'Erase admin@demo.local' })).toHaveCount(0);
  await expect(gql(graphql(), 'mutation { deleteMyAccount(confirmEmail: "admin@demo.local") { pseudonym } }', {}, admin)).rejects.toThrow(/CONFLICT|last active admin/i);
  const me = (await accounts(admin)).find((u) => u.email === 'admin@demo.local')!;
  expect(me).toMatchObject({ role: 'ADMIN', disabled: false });
  // …and the api says the same to a client that skips the page.
  await expect(gql(graphql(), 'mutation($id: ID!) { updateUser(id: $id, role: USER) { id } }', { id: me.id }, admin)).rejects.toThrow(/CONFLICT|last active admin/i);

  // An API key: the secret once, then revoked.
  const keys = page.getByRole('region', { name: 'API keys' });
  await keys.getByLabel('Name').fill('e2e app');
  await keys.getByRole('button', { name: 'Create a key' }).click();
  const secret = (await page.getByTestId('api-key-secret').textContent())!;
  expect(secret).toMatch(/^dk_/);
  const CONVERSATIONS = '{ conversations(first: 1) { pageInfo { hasNextPage } } }';
  await gql(graphql(), CONVERSATIONS, {}, secret); // the key works (chat scope)
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await expect(page.getByTestId('api-key-secret')).toHaveCount(0);
  await keys.getByRole('button', { name: 'Revoke e2e app' }).first().click();
  await expect(keys.getByRole('row').filter({ hasText: 'e2e app' }).first()).toContainText('Revoked');
  await expect(gql(graphql(), CONVERSATIONS, {}, secret)).rejects.toThrow(/UNAUTHENTICATED/);
});
