'use client';
import { Alert, AppShell, Burger, Center, Group, Loader, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'use-intl';
import { useEffect, type ReactNode } from 'react';
import { useSocketState } from '@/lib/graphql/client';
import { preloadFor } from '@/lib/preload';
import { abilityOf, useAbility } from '@/lib/rbac';
import { restore, useSession } from '@/lib/session/client';
import { LanguageSwitch } from './language-switch';
import { ROUTES, routeFor } from './routes';
import { UserMenu } from './user-menu';

/** Every signed-in page: header, menu filtered by role, the reconnecting banner, and the page's permission check. */
export function ConsoleShell({ children }: { children: ReactNode }) {
  const t = useTranslations('common');
  const session = useSession();
  const ability = useAbility();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const socket = useSocketState();
  const [opened, { toggle }] = useDisclosure();

  const queryClient = useQueryClient();
  useEffect(
    () =>
      restore((user) => {
        // The page's first request leaves now, while React renders the page (if the person may see it).
        const here = routeFor(window.location.pathname);
        const preload = here && preloadFor(here.href);
        if (preload && abilityOf(user.role, user.id).can(here.requires[0], here.requires[1])) preload(queryClient, new URLSearchParams(window.location.search));
      }),
    [queryClient],
  );
  useEffect(() => {
    if (session.status !== 'signedOut') return;
    const here = `${pathname}${search.size ? `?${search.toString()}` : ''}`;
    router.replace(`/signin?next=${encodeURIComponent(here)}${session.expired ? '&expired=1' : ''}`);
  }, [session, pathname, search, router]);

  if (session.status !== 'signedIn') {
    return (
      <Center h="100vh" aria-busy="true">
        <Loader aria-label={t('loading')} />
      </Center>
    );
  }
  const route = routeFor(pathname);
  const allowed = !route || ability.can(route.requires[0], route.requires[1]);
  const menu = ROUTES.filter((r) => r.menu && ability.can(r.requires[0], r.requires[1]));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('menu')} />
            <Text component={Link} href="/" fw={700} size="lg" c="indigo.7" style={{ textDecoration: 'none' }}>
              Dialoop
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSwitch />
            <UserMenu user={session.user} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t('mainMenu')}>
        {menu.map((r) => (
          <NavLink key={r.href} component={Link} href={r.href} label={t(`nav.${r.label}`)} active={routeFor(pathname)?.href === r.href} aria-current={routeFor(pathname)?.href === r.href ? 'page' : undefined} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {socket === 'reconnecting' && (
          <Alert color="yellow" role="status" mb="sm" title={t('reconnecting.title')}>
            {t('reconnecting.body')}
          </Alert>
        )}
        {allowed ? children : <NotAllowed />}
      </AppShell.Main>
    </AppShell>
  );
}

export function NotAllowed() {
  const t = useTranslations('common');
  return (
    <Center mih="50vh">
      <Stack align="center" gap="xs">
        <Title order={1} size="h2">
          {t('notAllowed.title')}
        </Title>
        <Text c="dimmed">{t('notAllowed.body')}</Text>
        <Text component={Link} href="/" c="indigo.7">
          {t('notAllowed.home')}
        </Text>
      </Stack>
    </Center>
  );
}
