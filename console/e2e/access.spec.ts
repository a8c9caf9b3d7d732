import { axe, expect, signIn, test } from './fixtures';

const MENUS: Record<string, string[]> = {
  'user@demo.local': ['Chat'],
  'reviewer@demo.local': ['Chat', 'Review queue'],
  'senior@demo.local': ['Chat', 'Review queue', 'Adjudication'],
  'admin@demo.local': ['Chat', 'Review queue', 'Adjudication', 'Agreement', 'Datasets', 'Training runs', 'Models', 'Audit trail', 'Users and keys', 'Safety', 'System'],
  'ml@demo.local': ['Chat', 'Agreement', 'Datasets', 'Training runs', 'Models', 'System'],
  'compliance@demo.local': ['Audit trail'],
};
const ALL = ['Chat', 'Review queue', 'Adjudication', 'Agreement', 'Datasets', 'Training runs', 'Models', 'Audit trail', 'Users and keys', 'Safety', 'System'];
const PAGES: Record<string, string> = { Chat: '/chat', 'Review queue': '/review', Adjudication: '/review/adjudicate', Agreement: '/review/agreement', Datasets: '/datasets', 'Training runs': '/training', Models: '/models', 'Audit trail': '/audit', 'Users and keys': '/admin/users', Safety: '/admin/safety', System: '/admin/system' };

test('GET / signed out leads to the sign-in page', async ({ page }) => {
  const res = await page.request.get('/', { maxRedirects: 0 });
  expect(res.status()).toBe(307);
  expect(res.headers().location).toMatch(/\/signin$/);
  await page.goto('/review');
  await expect(page).toHaveURL(/\/signin\?next=%2Freview/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('a wrong password says so in the page, with its code', async ({ page }) => {
  await page.goto('/signin');
  await page.getByLabel('Email').fill('user@demo.local');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert', { name: 'Something went wrong' })).toContainText('Invalid email or password');
  await expect(page.getByRole('alert', { name: 'Something went wrong' })).toContainText('UNAUTHENTICATED');
});

for (const [email, menu] of Object.entries(MENUS)) {
  test(`${email} sees only their menus; other pages say "not allowed"; no token is readable`, async ({ page, context }) => {
    await signIn(page, email);
    const nav = page.getByRole('navigation', { name: 'Main menu' });
    await expect(nav).toBeVisible();
    for (const name of ALL) {
      if (menu.includes(name)) await expect(nav.getByRole('link', { name, exact: true })).toBeVisible();
      else await expect(nav.getByRole('link', { name, exact: true })).toHaveCount(0);
    }
    // The landing page's own requests are done before counting those of the pages it may not see.
    await page.waitForLoadState('networkidle');
    for (const name of ALL.filter((n) => !menu.includes(n))) {
      const seen: string[] = [];
      // Only the requests of the page navigated to: the landing page's last queries may still leave
      // while the navigation starts (its document is then still the one shown).
      const onRequest = (r: { url(): string; postData(): string | null }) =>
        r.url().includes('/graphql') && new URL(page.url()).pathname === PAGES[name] && seen.push(r.postData() ?? '');
      page.on('request', onRequest);
      await page.goto(PAGES[name]!);
      await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
      page.off('request', onRequest);
      // The page asked the api for nothing (the session refresh goes to the console, not /graphql).
      expect(seen).toEqual([]);
    }
    // A reload keeps the person signed in.
    await page.reload();
    await expect(nav).toBeVisible();
    // No token anywhere a script can read it.
    const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    expect(stored).not.toMatch(/eyJ|dr_|dk_/);
    const cookies = await context.cookies();
    // Preferences (language, time zone) are plain cookies; everything else is httpOnly and strict.
    for (const c of cookies.filter((c) => c.name.startsWith('dialoop_') && c.name !== 'dialoop_locale' && c.name !== 'dialoop_tz')) {
      expect(c.httpOnly, c.name).toBe(true);
      expect(c.sameSite, c.name).toBe('Strict');
    }
    expect(cookies.find((c) => c.name === 'dialoop_refresh')?.path).toBe('/api/session');
  });
}

test('sign-out revokes the refresh token at the api', async ({ page, context }) => {
  await signIn(page, 'user@demo.local');
  const refresh = (await context.cookies()).find((c) => c.name === 'dialoop_refresh')!.value;
  await page.getByRole('banner').getByRole('button', { name: /user/i }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  // No session cookie outlives it (the access token's copy included).
  expect((await context.cookies()).filter((c) => ['dialoop_refresh', 'dialoop_access', 'dialoop_signed_in'].includes(c.name) && c.value !== '')).toEqual([]);
  const { apiUrl } = await import('./fixtures');
  const res = await fetch(apiUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation($t:String!){refreshToken(token:$t){accessToken}}', variables: { t: refresh } }) });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

for (const lang of ['en', 'zh'] as const) {
  test(`every page passes axe-core (${lang})`, async ({ page, context }) => {
    await context.addCookies([{ name: 'dialoop_locale', value: lang, url: process.env.E2E_CONSOLE_URL! }]);
    await page.goto('/signin');
    expect(await axe(page), '/signin').toEqual([]);
    await page.getByLabel(lang === 'en' ? 'Email' : '邮箱').fill('admin@demo.local');
    await page.getByLabel(lang === 'en' ? 'Password' : '密码').fill('dialoop-demo');
    await page.getByRole('button', { name: lang === 'en' ? 'Sign in' : '登录' }).click();
    await expect(page).not.toHaveURL(/\/signin/);
    for (const path of ['/chat', '/review', '/review/adjudicate', '/review/agreement', '/audit', '/audit?outcome=DENIED&entry=1', '/admin/users', '/admin/safety', '/admin/safety?tab=try', '/admin/safety?tab=rules', '/admin/safety?tab=escalations', '/admin/safety?tab=activity', '/admin/system', '/datasets', '/training', '/models']) {
      await page.goto(path);
      await expect(page.getByRole('navigation').first()).toBeVisible();
      await page.waitForLoadState('networkidle');
      expect(await axe(page), path).toEqual([]);
    }
  });
}
