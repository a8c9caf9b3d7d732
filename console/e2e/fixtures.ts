import { test as base, expect, type Page } from '@playwright/test';
import { DEMO_PASSWORD } from './seed';

export const consoleUrl = () => process.env.E2E_CONSOLE_URL!;
export const apiUrl = () => process.env.E2E_API_URL!;
export const inferenceUrl = () => process.env.E2E_INFERENCE_URL!;

/** Console errors and failed page scripts fail the test that caused them (a missing translation logs one). */
export const test = base.extend<{ errors: string[] }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured object
  baseURL: async ({}, use) => use(consoleUrl()),
  errors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text())) errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await use(errors);
      expect(errors, 'errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD, path = '/') {
  await page.goto(path);
  await expect(page).toHaveURL(/\/signin/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/signin/);
}
