/**
 * pnpm bench:console — measured in the real browser (Debian's Chromium) against the real platform:
 *  1. the JavaScript each route ships (kB, gzip-compressed as `next start` sends it);
 *  2. the time from pressing Enter on a PAIRWISE item to the next item ready in the page (goal: p50 ≤ 150 ms);
 *  3. the delay from the api's delta (as a second graphql-ws subscriber receives it) to its text in the DOM (goal: p50 ≤ 30 ms).
 * Prints a table and writes tests/bench/results/console.json (`--quick`: fewer samples, to a temporary folder).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ms, quantile, runInfo } from '../../tests/bench/lib.js';
import { build } from '../scripts/build.mjs';
import { ROOT, startPlatform } from './platform';
import { DEMO_PASSWORD, login, seedReviewItems } from './seed';

const quick = process.argv.includes('--quick');
const ITEMS = quick ? 6 : 30;
const REPLIES = quick ? 1 : 4;
const info = runInfo();
build({ quiet: true });
const platform = await startPlatform();
let browser: Browser | undefined;

/** A browser context whose pages know tsx's `__name` helper (functions passed to page.evaluate carry calls to it). */
async function newContext(b: Browser) {
  const context = await b.newContext();
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  return context;
}

async function signIn(page: Page, email: string) {
  await page.goto(`${platform.consoleUrl}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  console.log(`seeding ${ITEMS} PAIRWISE items…`);
  await seedReviewItems(platform.apiUrl, { PAIRWISE: ITEMS }, 1);
  info.noteLoad('seeded');

  // ---- 1. JavaScript per route ------------------------------------------------------------------
  const routes = ['/signin', '/chat', '/review', '/review/pairwise', '/review/adjudicate', '/review/agreement'];
  const js: { route: string; files: number; kB: number; rawKB: number }[] = [];
  {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'admin@demo.local');
    for (const route of routes) {
      const p = await context.newPage();
      const bodies: Promise<Buffer>[] = [];
      p.on('response', (r) => {
        if (r.url().includes('/_next/static/') && r.url().endsWith('.js')) bodies.push(r.body());
      });
      await p.goto(`${platform.consoleUrl}${route}`, { waitUntil: 'networkidle' });
      const files = await Promise.all(bodies);
      js.push({ route, files: files.length, kB: Number((files.reduce((s, b) => s + gzipSync(b).length, 0) / 1024).toFixed(1)), rawKB: Number((files.reduce((s, b) => s + b.length, 0) / 1024).toFixed(1)) });
      await p.close();
    }
    // Releases the item /review/pairwise claimed above.
    await context.close();
  }

  // ---- 2. submit → next item ready ----------------------------------------------------------------
  const nextItem: number[] = [];
  /** Of which the submit-and-claim request (browser → api → browser). */
  const nextItemRequest: number[] = [];
  /** Wall time for the first ten items, keys a, 2, Enter each (a script's speed: a person adds reading time). */
  let tenItemsS = NaN;
  {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'reviewer@demo.local');
    await page.goto(`${platform.consoleUrl}/review/pairwise`);
    await page.locator('[data-item-id]').first().waitFor();
    const began = performance.now();
    for (let i = 0; i < ITEMS - 2; i++) {
      if (i === 10) tenItemsS = (performance.now() - began) / 1000;
      const before = await page.locator('[data-item-id]').first().getAttribute('data-item-id');
      await page.keyboard.press('a');
      await page.keyboard.press('2');
      const measured = page.evaluate(
        (prev) =>
          new Promise<{ total: number; request: number }>((resolve) => {
            let start = 0;
            addEventListener('keydown', (e) => e.key === 'Enter' && (start = performance.now()), { capture: true, once: true });
            const check = () => {
              const el = document.querySelector('[data-item-id]');
              if (start && el && el.getAttribute('data-item-id') !== prev) {
                const now = performance.now();
                // The GraphQL request(s) the submit made: from the first one's start to the last one's end.
                const calls = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => r.startTime >= start && r.name.includes('/graphql'));
                const request = calls.length ? Math.max(...calls.map((r) => r.responseEnd)) - Math.min(...calls.map((r) => r.startTime)) : NaN;
                resolve({ total: now - start, request });
              } else requestAnimationFrame(check);
            };
            requestAnimationFrame(check);
          }),
        before,
      );
      await page.waitForTimeout(20);
      await page.keyboard.press('Enter');
      const m = await measured;
      nextItem.push(m.total);
      nextItemRequest.push(m.request);
    }
    await context.close();
  }
  info.noteLoad('labelled');

  // ---- 3. delta → DOM ----------------------------------------------------------------------------
  const delays: number[] = [];
  {
    const token = await login(platform.apiUrl, 'user@demo.local');
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'user@demo.local');
    const ws = createClient({ url: platform.apiUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
    const norm = (s: string) => s.replace(/[\s*_`#>[\]()-]/g, '').length;
    // A conversation, then regenerated long replies, followed live by the page and by a second subscriber.
    await page.goto(`${platform.consoleUrl}/chat`);
    await page.getByLabel('Message').fill('Hello');
    await page.getByLabel('Message').press('Enter');
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}/);
    const replies = page.getByRole('log').getByRole('article', { name: "Assistant's reply" });
    await replies.last().and(page.locator('[aria-busy="false"]')).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Maximum reply length (tokens)').fill('300');
    await page.getByLabel('Keep writing to the maximum length').check();
    await page.keyboard.press('Escape');
    await page.evaluate(() => {
      const w = window as unknown as { __seen: [number, string][] };
      w.__seen = [];
      new MutationObserver(() => {
        const el = [...document.querySelectorAll('article[aria-label="Assistant\'s reply"] .dialoop-reply')].at(-1);
        w.__seen.push([performance.timeOrigin + performance.now(), el?.textContent ?? '']);
      }).observe(document.querySelector('[role="log"]')!, { subtree: true, childList: true, characterData: true });
    });
    for (let r = 0; r < REPLIES; r++) {
      await page.evaluate(() => ((window as unknown as { __seen: unknown[] }).__seen = []));
      const response = page.waitForResponse((res) => res.request().postData()?.includes('ChatRegenerate') ?? false);
      await page.getByRole('button', { name: 'Regenerate' }).last().click();
      const { data } = (await (await response).json()) as { data: { regenerate: { id: string } } };
      const subscribedAt = performance.timeOrigin + performance.now();
      const arrivals: [number, number][] = [];
      let text = '';
      await new Promise<void>((resolve, reject) =>
        ws.subscribe<{ messageStream: { seq: number; delta: string | null; done: boolean } }>(
          { query: 'subscription($id:ID!){messageStream(messageId:$id){seq delta done}}', variables: { id: data.regenerate.id } },
          {
            next: ({ data: d }) => {
              const e = d!.messageStream;
              if (e.delta) {
                text += e.delta;
                arrivals.push([performance.timeOrigin + performance.now(), norm(text)]);
              }
              if (e.done) resolve();
            },
            error: reject,
            complete: () => resolve(),
          },
        ),
      );
      await replies.last().and(page.locator('[aria-busy="false"]')).waitFor({ timeout: 60_000 });
      const seen = (await page.evaluate(() => (window as unknown as { __seen: [number, string][] }).__seen)).map(([t, s]) => [t, norm(s)] as const);
      // Deltas replayed when the subscriber joined came in one burst: only the live ones count.
      for (const [at, len] of arrivals) {
        if (at < subscribedAt + 100) continue;
        const shown = seen.find(([, l]) => l >= len);
        if (shown) delays.push(Math.max(0, shown[0] - at));
      }
    }
    await ws.dispose();
    await context.close();
  }
  info.noteLoad('streamed');

  const table = {
    js,
    nextItem: { samples: nextItem.length, p50: ms(quantile(nextItem, 0.5)), p99: ms(quantile(nextItem, 0.99)), goalP50: 150, tenItemsByKeyboardS: Number(tenItemsS.toFixed(2)), requestP50: ms(quantile(nextItemRequest, 0.5)), requestP99: ms(quantile(nextItemRequest, 0.99)) },
    deltaToDom: { samples: delays.length, p50: ms(quantile(delays, 0.5)), p99: ms(quantile(delays, 0.99)), goalP50: 30 },
  };
  console.log('\nJavaScript per route (gzip, as served):');
  console.log('  route                 files   kB (gzip)   kB (raw)');
  for (const r of js) console.log(`  ${r.route.padEnd(20)}  ${String(r.files).padStart(5)}   ${String(r.kB).padStart(9)}   ${String(r.rawKB).padStart(8)}`);
  console.log('\n                                   samples      p50      p99     goal p50');
  console.log(`  submit → next item ready (ms)     ${String(table.nextItem.samples).padStart(7)}  ${String(table.nextItem.p50).padStart(7)}  ${String(table.nextItem.p99).padStart(7)}     ≤ 150 ${table.nextItem.p50 <= 150 ? 'MET' : 'NOT MET'}`);
  console.log(`    of which the submit-and-claim request  ${String(table.nextItem.requestP50).padStart(7)}  ${String(table.nextItem.requestP99).padStart(7)}`);
  console.log(`  ten PAIRWISE items by keyboard (a, 2, Enter), script speed: ${table.nextItem.tenItemsByKeyboardS} s`);
  console.log(`  api delta → text in DOM (ms)      ${String(table.deltaToDom.samples).padStart(7)}  ${String(table.deltaToDom.p50).padStart(7)}  ${String(table.deltaToDom.p99).padStart(7)}     ≤ 30  ${table.deltaToDom.p50 <= 30 ? 'MET' : 'NOT MET'}`);
  console.log(`\nmachine: ${info.machine.cpu}, ${info.machine.cores} cores; commit ${info.commit}; 1-minute load: ${JSON.stringify(info.load)}`);
  const out = quick ? mkdtempSync(join(tmpdir(), 'bench-console-')) : join(ROOT, 'tests', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const { noteLoad: _n, ...run } = info;
  writeFileSync(join(out, 'console.json'), JSON.stringify({ ...run, node: process.version, quick, ...table }, null, 2) + '\n');
  console.log(`wrote ${join(out, 'console.json')}`);
} finally {
  await browser?.close();
  await platform.stop();
}
