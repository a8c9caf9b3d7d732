'use client';
import { Center, Stack, Text, Title } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { useTranslations } from 'use-intl';
import { useAbility } from '@/lib/rbac';
import { ROUTES } from './routes';

export function Home() {
  const t = useTranslations('common');
  const ability = useAbility();
  const router = useRouter();
  const first = ROUTES.find((r) => r.menu && ability.can(r.requires[0], r.requires[1]));
  useEffect(() => {
    if (first) router.replace(first.href);
  }, [first, router]);
  if (first) return null;
  return (
    <Center mih="50vh">
      <Stack align="center" gap="xs">
        <Title order={1} size="h2">
          {t('home.title')}
        </Title>
        <Text c="dimmed" maw={480} ta="center">
          {t('home.nothingYet')}
        </Text>
      </Stack>
    </Center>
  );
}
