/**
 * pnpm bench:console — measured in the real browser (Debian's Chromium) against the real platform:
 *  1. the JavaScript each route ships (kB, gzip-compressed as `next start` sends it);
 *  2. the time from pressing Enter on a PAIRWISE item to the next item ready in the page (goal: p50 ≤ 150 ms);
 *  3. the delay from the api's delta (as a second graphql-ws subscriber receives it) to its text in the DOM (goal: p50 ≤ 30 ms);
 *  4. the audit page on a trail of a million entries (bench:audit's generator; `--quick` 100,000), on a platform of its own:
 *     opening it, applying each filter, and each page of rows while scrolling, to the rows in the DOM (goal: p50 ≤ 150 ms).
 * Prints a table and writes tests/bench/results/console.json (`--quick`: fewer samples, to a temporary folder).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { seededAuditDatabase } from '../../tests/bench/audit-trail.js';
import { ms, quantile, runInfo } from '../../tests/bench/lib.js';
import { build } from '../scripts/build.mjs';
import { ROOT, startPlatform } from './platform';
import { DEMO_PASSWORD, login, seedReviewItems } from './seed';

const quick = process.argv.includes('--quick');
const ITEMS = quick ? 6 : 30;
const REPLIES = quick ? 1 : Number(process.env.BENCH_REPLIES ?? 4);
const AUDIT_ENTRIES = quick ? 100_000 : 1_000_000;
const AUDIT_SAMPLES = quick ? 3 : 7;
const AUDIT_PAGES = quick ? 5 : 20;
const AUDIT_WARMUP = 3;
/** `--audit-only`: part 4 alone, printed, nothing written. */
const auditOnly = process.argv.includes('--audit-only');
/** `--stream-only`: part 3 alone, printed, nothing written (to compare two builds of the chat). */
const streamOnly = process.argv.includes('--stream-only');
const info = runInfo();
build({ quiet: true });
// Parts 1-3 share one platform; part 4 starts its own on a seeded database.
const platform = auditOnly ? (undefined as never as Awaited<ReturnType<typeof startPlatform>>) : await startPlatform();
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


/** In the page: milliseconds from `startedAt` until the audit table holds `minRows` rows, is not fetching, and every row in the DOM contains `text`. */
const SINCE_SCRIPT = `window.__untilRow = (startedAt, minRows, text) => new Promise((resolve) => {
  const check = () => {
    const scroller = document.querySelector('[data-testid="audit-scroller"]');
    const rows = Number(scroller?.getAttribute('data-rows') ?? 0);
    const shown = [...document.querySelectorAll('tr[aria-rowindex]')];
    const ok = rows >= minRows && shown.length > 0 && !scroller?.hasAttribute('data-fetching') && (!text || shown.every((r) => r.textContent.includes(text)));
    if (!ok) return requestAnimationFrame(check);
    // The api requests made meanwhile: the slowest one's duration, browser to api and back.
    const calls = performance.getEntriesByType('resource').filter((r) => r.startTime >= startedAt && r.name.includes('/graphql'));
    window.__slowestRequest = calls.length ? Math.max(...calls.map((r) => r.responseEnd - r.startTime)) : NaN;
    resolve(performance.now() - startedAt);
  };
  requestAnimationFrame(check);
});`;
/**
 * From the document's start: when the first rows were in the DOM, whoever put them there (the
 * server's HTML, or the page's scripts after their own request), at the frame they are painted in.
 */
const FIRST_ROWS_SCRIPT = `window.__firstRows = new Promise((resolve) => {
  const check = () => {
    const scroller = document.querySelector('[data-testid="audit-scroller"]');
    const ok = Number(scroller?.getAttribute('data-rows') ?? 0) > 0 && document.querySelector('tr[aria-rowindex]') && !scroller.hasAttribute('data-fetching');
    if (ok) resolve(performance.now()); else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
});
// When React has taken the rows over (the scroller carries its fiber): clicks and scrolling work.
window.__interactive = new Promise((resolve) => {
  const check = () => {
    const scroller = document.querySelector('[data-testid="audit-scroller"]');
    if (scroller && Object.keys(scroller).some((k) => k.startsWith('__reactFiber'))) resolve(performance.now()); else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
});`;
/** The slowest GraphQL request of the last measurement (see SINCE_SCRIPT). */
const slowestRequest = (page: Page) => page.evaluate(() => (window as unknown as { __slowestRequest: number }).__slowestRequest);

async function auditPart(b: Browser) {
  console.log(`seeding an audit trail of ${AUDIT_ENTRIES.toLocaleString('en-US')} entries…`);
  const db = await seededAuditDatabase(AUDIT_ENTRIES);
  const { trail } = db;
  const seedS = Number(db.seedS.toFixed(1));
  // No periodic checkpoint (a verification of the whole chain) in the middle of a measurement.
  const p = await startPlatform({ databaseUrl: db.url, apiEnv: { AUDIT_CHECKPOINT_INTERVAL_S: '86400' } });
  const steps: Record<string, number[]> = { 'open /audit (first rows)': [] };
  /** Opening /audit: when the document, the rows' hydration, the session and the first api request were done (ms from navigation). */
  const openMarks: Record<string, number[]> = {};
  /** Per step, the slowest api request of each sample (what the page waited for at least). */
  const requests: Record<string, number[]> = {};
  const record = async (page: Page, step: string, msTaken: number) => {
    (steps[step] ??= []).push(msTaken);
    (requests[step] ??= []).push(await slowestRequest(page));
  };
  try {
    const context = await newContext(b);
    await context.addInitScript({ content: SINCE_SCRIPT });
    await context.addInitScript({ content: FIRST_ROWS_SCRIPT });
    const page = await context.newPage();
    await page.goto(`${p.consoleUrl}/signin?next=/audit`);
    await page.getByLabel('Email').fill('compliance@demo.local');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/audit/);
    await page.locator('tr[aria-rowindex]').first().waitFor({ timeout: 60_000 });
    const rowsReady = (minRows: number, text = '') => page.evaluate(([m, t]) => (window as unknown as { __untilRow(s: number, m: number, t: string): Promise<number> }).__untilRow(0, m as number, t as string), [minRows, text] as const);

    // A few openings first, not recorded: the servers' code warmed up and the freshly seeded trail's
    // pages read once, as on a platform that has been running.
    for (let i = 0; i < AUDIT_WARMUP; i++) {
      await page.goto(`${p.consoleUrl}/audit`);
      await rowsReady(1);
      await page.waitForLoadState('networkidle');
    }
    // Opening the page: navigation start to the first rows in the DOM.
    for (let i = 0; i < AUDIT_SAMPLES; i++) {
      await page.goto(`${p.consoleUrl}/audit`);
      const firstRows = await page.evaluate(() => (window as unknown as { __firstRows: Promise<number> }).__firstRows);
      await rowsReady(1);
      await record(page, 'open /audit (first rows)', firstRows);
      await page.waitForLoadState('networkidle');
      // Where an opening's time goes: the document, the rows hydrated, the session restored, the first api request sent.
      const marks = await page.evaluate(async () => {
        const interactive = await (window as unknown as { __interactive: Promise<number> }).__interactive;
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        return {
          document: nav.responseEnd,
          domContentLoaded: nav.domContentLoadedEventEnd,
          session: res.find((r) => r.name.endsWith('/api/session/refresh'))?.responseEnd ?? NaN,
          firstRequest: res.find((r) => r.name.endsWith('/graphql'))?.startTime ?? NaN,
          interactive,
        };
      });
      for (const [k, v] of Object.entries(marks)) (openMarks[k] ??= []).push(v);
    }
    // Each filter, typed into the form and applied: the click to its rows.
    const filters: { name: string; fill: Record<string, string>; expect: string }[] = [
      { name: 'filter: action', fill: { Action: 'rateMessage' }, expect: 'rateMessage' },
      { name: 'filter: actor (pseudonym)', fill: { Actor: trail.people[150]!.pseudonym }, expect: trail.people[150]!.pseudonym },
      { name: 'filter: subject type', fill: { 'Subject type': 'Conversation' }, expect: 'Conversation' },
      { name: 'filter: outcome Denied', fill: {}, expect: 'Denied' },
    ];
    for (const f of filters) {
      for (let i = 0; i < AUDIT_SAMPLES; i++) {
        await page.goto(`${p.consoleUrl}/audit`);
        await rowsReady(1);
        // Each action from a quiet page (the charts' counting done), as a person would act.
        await page.waitForLoadState('networkidle');
        const form = page.getByRole('form', { name: 'Filter' });
        for (const [label, value] of Object.entries(f.fill)) await form.getByLabel(label, { exact: true }).fill(value);
        if (f.name.includes('outcome')) await form.getByLabel('Outcome').selectOption('DENIED');
        const took = page.evaluate((t) => {
          const w = window as unknown as { __untilRow(s: number, m: number, t: string): Promise<number> };
          return new Promise<number>((resolve) =>
            document.querySelector('form[aria-label="Filter"]')!.addEventListener('submit', () => void w.__untilRow(performance.now(), 1, t).then(resolve), { capture: true, once: true }),
          );
        }, f.expect);
        await form.getByRole('button', { name: 'Apply' }).click();
        await record(page, f.name, await took);
      }
    }
    // Scrolling: the scroller to its end, until the next page of rows is in the DOM.
    await page.goto(`${p.consoleUrl}/audit`);
    await rowsReady(1);
    for (let i = 0; i < AUDIT_PAGES; i++) {
      await record(
        page,
        'scroll: next page of rows',
        await page.evaluate(() => {
          const w = window as unknown as { __untilRow(s: number, m: number, t: string): Promise<number> };
          const el = document.querySelector('[data-testid="audit-scroller"]')!;
          const loaded = Number(el.getAttribute('data-rows'));
          const started = performance.now();
          el.scrollTop = el.scrollHeight;
          return w.__untilRow(started, loaded + 1, '');
        }),
      );
    }
    await context.close();
  } finally {
    await p.stop();
    await db.drop();
  }
  return {
    entries: AUDIT_ENTRIES,
    seedS,
    goalP50: 150,
    warmupOpenings: AUDIT_WARMUP,
    openMarksP50: Object.fromEntries(Object.entries(openMarks).map(([k, xs]) => [k, ms(quantile(xs, 0.5))])),
    steps: Object.fromEntries(
      Object.entries(steps).map(([k, xs]) => {
        const req = requests[k]!.filter((x) => Number.isFinite(x));
        return [k, { samples: xs.length, p50: ms(quantile(xs, 0.5)), p99: ms(quantile(xs, 0.99)), slowestRequestP50: req.length ? ms(quantile(req, 0.5)) : null }];
      }),
    ),
  };
}

function printAudit(audit: Awaited<ReturnType<typeof auditPart>>) {
  console.log(`\n  audit page, ${AUDIT_ENTRIES.toLocaleString('en-US')} entries (seeded in ${audit.seedS} s; ${AUDIT_WARMUP} openings first, not recorded), to the rows in the DOM:`);
  for (const [name, m] of Object.entries(audit.steps)) {
    console.log(`    ${name.padEnd(34)} ${String(m.samples).padStart(4)}  ${String(m.p50).padStart(7)}  ${String(m.p99).padStart(7)}     ≤ 150 ${m.p50 <= 150 ? 'MET' : 'NOT MET'}   (slowest api request p50 ${m.slowestRequestP50} ms)`);
  }
  const o = audit.openMarksP50;
  console.log(`    opening, ms from navigation (p50): document ${o.document}, DOMContentLoaded ${o.domContentLoaded}, rows interactive (hydrated) ${o.interactive}, session restored ${o.session}, first api request sent ${o.firstRequest}`);
}

/** Part 3: milliseconds from each live delta (as a second graphql-ws subscriber receives it) to its text in the page's DOM. */
async function streamPart(b: Browser): Promise<number[]> {
  const delays: number[] = [];
  const token = await login(platform.apiUrl, 'user@demo.local');
  const context = await newContext(b);
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
  return delays;
}

try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  if (auditOnly) {
    printAudit(await auditPart(browser));
  } else if (streamOnly) {
    const delays = await streamPart(browser);
    console.log(`api delta → text in DOM (ms): ${delays.length} samples, p50 ${ms(quantile(delays, 0.5))}, p99 ${ms(quantile(delays, 0.99))} (goal p50 ≤ 30); commit ${info.commit}, 1-minute load ${JSON.stringify(info.load)}`);
  } else {
    console.log(`seeding ${ITEMS} PAIRWISE items…`);
    await seedReviewItems(platform.apiUrl, { PAIRWISE: ITEMS }, 1);
    info.noteLoad('seeded');

    // ---- 1. JavaScript per route ------------------------------------------------------------------
    const routes = ['/signin', '/chat', '/review', '/review/pairwise', '/review/adjudicate', '/review/agreement', '/audit', '/admin/users'];
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
    const delays = await streamPart(browser);
    info.noteLoad('streamed');

    // ---- 4. the audit page on a large trail -----------------------------------------------------------
    // Its own platform, on a database seeded before the api starts (the api appends to the chain).
    const audit = await auditPart(browser);
    info.noteLoad('audit');

    const table = {
      js,
      nextItem: { samples: nextItem.length, p50: ms(quantile(nextItem, 0.5)), p99: ms(quantile(nextItem, 0.99)), goalP50: 150, tenItemsByKeyboardS: Number(tenItemsS.toFixed(2)), requestP50: ms(quantile(nextItemRequest, 0.5)), requestP99: ms(quantile(nextItemRequest, 0.99)) },
      deltaToDom: { samples: delays.length, p50: ms(quantile(delays, 0.5)), p99: ms(quantile(delays, 0.99)), goalP50: 30 },
      audit,
    };
    console.log('\nJavaScript per route (gzip, as served):');
    console.log('  route                 files   kB (gzip)   kB (raw)');
    for (const r of js) console.log(`  ${r.route.padEnd(20)}  ${String(r.files).padStart(5)}   ${String(r.kB).padStart(9)}   ${String(r.rawKB).padStart(8)}`);
    console.log('\n                                   samples      p50      p99     goal p50');
    console.log(`  submit → next item ready (ms)     ${String(table.nextItem.samples).padStart(7)}  ${String(table.nextItem.p50).padStart(7)}  ${String(table.nextItem.p99).padStart(7)}     ≤ 150 ${table.nextItem.p50 <= 150 ? 'MET' : 'NOT MET'}`);
    console.log(`    of which the submit-and-claim request  ${String(table.nextItem.requestP50).padStart(7)}  ${String(table.nextItem.requestP99).padStart(7)}`);
    console.log(`  ten PAIRWISE items by keyboard (a, 2, Enter), script speed: ${table.nextItem.tenItemsByKeyboardS} s`);
    console.log(`  api delta → text in DOM (ms)      ${String(table.deltaToDom.samples).padStart(7)}  ${String(table.deltaToDom.p50).padStart(7)}  ${String(table.deltaToDom.p99).padStart(7)}     ≤ 30  ${table.deltaToDom.p50 <= 30 ? 'MET' : 'NOT MET'}`);
    printAudit(audit);
    console.log(`\nmachine: ${info.machine.cpu}, ${info.machine.cores} cores; commit ${info.commit}; 1-minute load: ${JSON.stringify(info.load)}`);
    const out = quick ? mkdtempSync(join(tmpdir(), 'bench-console-')) : join(ROOT, 'tests', 'bench', 'results');
    mkdirSync(out, { recursive: true });
    const { noteLoad: _n, ...run } = info;
    writeFileSync(join(out, 'console.json'), JSON.stringify({ ...run, node: process.version, quick, ...table }, null, 2) + '\n');
    console.log(`wrote ${join(out, 'console.json')}`);
  }
} finally {
  await browser?.close();
  await platform?.stop(); // none with --audit-only
}
