import type { Page } from '@playwright/test';
import { expect, inferenceUrl, signIn, test } from './fixtures';
import { loadInference } from './seed';

/** Records every distinct text the newest reply shows, from inside the page (a MutationObserver). */
async function watchReplies(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __texts: string[] };
    w.__texts = [];
    const log = document.body;
    new MutationObserver(() => {
      const replies = log.querySelectorAll('article[aria-label="Assistant\'s reply"] .dialoop-reply');
      const text = replies[replies.length - 1]?.textContent ?? '';
      if (text && w.__texts.at(-1) !== text) w.__texts.push(text);
    }).observe(log, { subtree: true, childList: true, characterData: true });
  });
}
const texts = (page: Page) => page.evaluate(() => (window as unknown as { __texts: string[] }).__texts);

test.describe('chat', () => {
  test('a reply streams into the page token by token', async ({ page }) => {
    await signIn(page, 'user@demo.local', undefined, '/chat');
    await watchReplies(page);
    await page.getByLabel('Message').fill('Tell me about the moon');
    await page.getByLabel('Message').press('Enter');
    const reply = page.getByRole('log').getByRole('article', { name: "Assistant's reply" }).last();
    await expect(reply).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
    const seen = await texts(page);
    // Several partial texts, each extending the one before, then the whole reply.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.startsWith(seen[i - 1]!.replace(/…$/, '')) || seen[i - 1] === 'Thinking…').toBeTruthy();
    await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}/);
  });

  test('search finds a conversation by any of its messages, not only its title', async ({ page }) => {
    await signIn(page, 'user@demo.local', undefined, '/chat');
    const word = `quokka${Date.now().toString(36)}`;
    const replies = page.getByRole('log').getByRole('article', { name: "Assistant's reply" });
    await page.getByRole('textbox', { name: 'Message' }).fill('Tell me about small animals');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect(replies.last()).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
    const url = page.url();
    await page.getByRole('textbox', { name: 'Message' }).fill(`And what does a ${word} eat?`);
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect(replies).toHaveCount(2);
    await expect(replies.last()).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });

    const list = page.getByRole('navigation', { name: 'Conversations' });
    await page.getByRole('searchbox', { name: 'Search conversations' }).fill(word.toUpperCase());
    await expect(list.getByRole('link')).toHaveCount(1);
    await expect(list.getByRole('link')).toHaveAttribute('href', new URL(url).pathname);
    await page.getByRole('searchbox', { name: 'Search conversations' }).fill(`${word}-none`);
    await expect(list.getByText('No conversation matches.')).toBeVisible();
    await expect(list.getByRole('link')).toHaveCount(0);
  });
});

test.describe('chat actions', () => {
  test('stop, regenerate and switch siblings, edit and resend, rate', async ({ page }) => {
    await signIn(page, 'user@demo.local', undefined, '/chat');
    const message = page.getByLabel('Message');
    const replies = page.getByRole('log').getByRole('article', { name: "Assistant's reply" });

    // A long reply, so that there is time to stop it.
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Maximum reply length (tokens)').fill('900');
    await page.getByLabel('Keep writing to the maximum length').check();
    await page.keyboard.press('Escape');
    // The default model writes 900 tokens in well under a second here, faster than a click can
    // travel: the inference server is made busy first (a full batch of long requests straight to
    // it, as other users would), so that this reply waits its turn while the person presses Stop.
    const load = loadInference(inferenceUrl(), 16);
    await message.fill('Tell me a long story about the sea');
    await message.press('Enter');
    await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(replies.last()).toHaveAttribute('aria-busy', 'false');
    await expect(replies.last()).toContainText('Stopped');
    await load.stop();

    await page.getByRole('button', { name: 'Regenerate' }).click();
    await expect(page.getByText('2 / 2')).toBeVisible();
    await expect(replies.last()).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Previous version' }).last().click();
    await expect(page.getByText('1 / 2')).toBeVisible();
    await page.getByRole('button', { name: 'Next version' }).last().click();
    await expect(page.getByText('2 / 2')).toBeVisible();

    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit your message').fill('What is the capital of Italy?');
    await page.getByRole('button', { name: 'Send as a new branch' }).click();
    await expect(page.getByRole('log')).toContainText('What is the capital of Italy?');
    await expect(page.getByRole('log').getByRole('group', { name: 'Versions' }).first()).toContainText('2 / 2');
    await expect(replies.last()).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });

    await page.getByRole('button', { name: 'Good reply' }).click();
    await expect(page.getByRole('button', { name: 'Good reply' })).toHaveAttribute('aria-pressed', 'true');
    // The rating is stored: it is still there after a reload.
    await page.reload();
    await expect(page.getByRole('button', { name: 'Good reply' })).toHaveAttribute('aria-pressed', 'true');
  });

  test('continues a reply cut short by its length limit, as a new version that starts with its text', async ({ page }) => {
    await signIn(page, 'user@demo.local', undefined, '/chat');
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Maximum reply length (tokens)').fill('16');
    await page.getByLabel('Keep writing to the maximum length').check();
    await page.keyboard.press('Escape');
    await page.getByLabel('Message').fill('Tell me about rivers');
    await page.getByLabel('Message').press('Enter');
    const reply = page.getByRole('log').getByRole('article', { name: "Assistant's reply" }).last();
    await expect(reply).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
    const text = async () => (await reply.locator('.dialoop-reply').innerText()).replace(/\s+/g, ' ').trim();
    const first = await text();
    expect(first.length).toBeGreaterThan(0);
    await reply.getByRole('button', { name: 'Continue' }).click();
    await expect(reply.getByText('2 / 2')).toBeVisible();
    await expect(reply).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
    await expect.poll(text).not.toBe(first);
    const continued = await text();
    expect(continued.startsWith(first)).toBe(true);
    // The version continued is still there, unchanged.
    await reply.getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(text).toBe(first);
  });

  test('a reply waits its turn while the model server is full, says so, then streams', async ({ page }) => {
    await signIn(page, 'user@demo.local', undefined, '/chat');
    // The inference server filled, running and queue (16 + 64 by default), by other clients.
    const load = loadInference(inferenceUrl(), 90);
    try {
      await expect.poll(() => load.full()).toBe(true);
      await page.getByLabel('Message').fill('What is the capital of France?');
      await page.getByLabel('Message').press('Enter');
      const reply = page.getByRole('log').getByRole('article', { name: "Assistant's reply" }).last();
      await expect(reply).toContainText('Waiting for a free model server');
      await expect(reply).toHaveAttribute('aria-busy', 'true');
    } finally {
      await load.stop();
    }
    const reply = page.getByRole('log').getByRole('article', { name: "Assistant's reply" }).last();
    await expect(reply).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
    await expect(reply).not.toContainText('Waiting');
    await expect(reply.getByRole('status')).toHaveCount(0);
    expect((await reply.locator('.dialoop-reply').innerText()).trim().length).toBeGreaterThan(0);
  });

  test('a reload mid-reply resumes the stream', async ({ page }) => {
    await signIn(page, 'user@demo.local', undefined, '/chat');
    await page.getByLabel('Message').fill('Tell me about the moon and the stars');
    await page.getByLabel('Message').press('Enter');
    await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}/);
    await page.reload();
    const reply = page.getByRole('log').getByRole('article', { name: "Assistant's reply" }).last();
    await expect(reply).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
    const shown = (await reply.locator('.dialoop-reply').innerText()).trim();
    // What the page shows after the reload is the whole stored reply.
    await page.reload();
    await expect(reply.locator('.dialoop-reply')).toHaveText(shown);
    expect(shown.length).toBeGreaterThan(0);
  });

  test('markup in messages renders inert', async ({ page, request }) => {
    const { apiUrl } = await import('./fixtures');
    const { gql, login } = await import('./seed');
    const admin = await login(apiUrl(), 'admin@demo.local');
    const payload = 'Tokyo <img src=x onerror="window.__xss=1"> [click me](javascript:window.__xss=2) ![remote](http://127.0.0.1:9/remote.png)';
    const rule = await gql<{ createRewriteRule: { id: string } }>(apiUrl(), 'mutation($i:CreateRewriteRuleInput!){createRewriteRule(input:$i){id}}', { i: { pattern: 'Tokyo', replacement: payload } }, admin);
    void request;
    const remote: string[] = [];
    page.on('request', (r) => r.url().includes('remote.png') && remote.push(r.url()));
    try {
      await signIn(page, 'user@demo.local', undefined, '/chat');
      await page.getByLabel('Message').fill('<img src=x onerror="window.__xss=3"> What is the capital of Japan?');
      await page.getByLabel('Message').press('Enter');
      const reply = page.getByRole('log').getByRole('article', { name: "Assistant's reply" }).last();
      await expect(reply).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
      await expect(page.getByRole('log')).toContainText('<img src=x onerror="window.__xss=3">');
      await expect(reply).toContainText('<img src=x onerror="window.__xss=1">');
      const link = reply.getByText('click me');
      // The javascript: link keeps its text but not its address.
      await expect(link).toBeVisible();
      expect(await link.getAttribute('href')).toBeNull();
      await link.click();
      expect(await page.locator('[role="log"] img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(remote).toEqual([]);
    } finally {
      await gql(apiUrl(), 'mutation($id:ID!){deleteRewriteRule(id:$id)}', { id: rule.createRewriteRule.id }, admin);
    }
  });
});

test('a killed WebSocket mid-stream shows "reconnecting" and loses no token', async ({ page }) => {
  const { apiUrl } = await import('./fixtures');
  const { gql, login } = await import('./seed');
  const sockets: unknown[] = [];
  // The first socket is killed as soon as a reply's first delta has passed through it.
  let killed = false;
  await page.routeWebSocket(apiUrl().replace(/^http/, 'ws'), (ws) => {
    const server = ws.connectToServer();
    sockets.push(ws);
    server.onMessage((m) => {
      ws.send(m);
      if (!killed && typeof m === 'string' && m.includes('"delta":"')) {
        killed = true;
        void ws.close({ code: 4999, reason: 'killed by the test' });
      }
    });
  });
  await signIn(page, 'user@demo.local', undefined, '/chat');
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Maximum reply length (tokens)').fill('600');
  await page.getByLabel('Keep writing to the maximum length').check();
  await page.keyboard.press('Escape');
  await page.getByLabel('Message').fill('Tell me about the sea');
  await page.getByLabel('Message').press('Enter');
  const reply = page.getByRole('log').getByRole('article', { name: "Assistant's reply" }).last();
  await expect(page.getByRole('status').filter({ hasText: 'Reconnecting…' })).toBeVisible();
  await expect(reply).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Reconnecting…' })).toHaveCount(0);
  expect(sockets.length).toBeGreaterThanOrEqual(2);
  // Every token is there once: the page shows exactly what the api stored.
  const id = page.url().split('/').at(-1)!;
  const token = await login(apiUrl(), 'user@demo.local');
  const d = await gql<{ conversation: { messages: { role: string; content: string; status: string }[] } }>(apiUrl(), 'query($id:ID!){conversation(id:$id){messages{role content status}}}', { id }, token);
  const stored = d.conversation.messages.filter((m) => m.role === 'ASSISTANT').at(-1)!;
  expect(stored.status).toBe('COMPLETE');
  const shown = await page.evaluate(() => {
    const el = [...document.querySelectorAll('article[aria-label="Assistant\'s reply"] .dialoop-reply')].at(-1)!;
    return el.textContent ?? '';
  });
  // Markdown may change whitespace and markup characters; the words must match one for one.
  const words = (s: string) => s.replace(/[*_`#>[\]()-]/g, ' ').split(/\s+/).filter(Boolean);
  expect(words(shown)).toEqual(words(stored.content));
});
