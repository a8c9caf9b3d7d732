'use client';
import { Center, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'use-intl';

export default function NotFound() {
  const t = useTranslations('common');
  return (
    <Center mih="100vh" component="main">
      <Stack align="center" gap="xs">
        <Title order={1} size="h2">
          {t('notFound.title')}
        </Title>
        <Text c="dimmed">{t('notFound.body')}</Text>
        <Text component={Link} href="/" c="indigo.7">
          {t('notFound.home')}
        </Text>
      </Stack>
    </Center>
  );
}
