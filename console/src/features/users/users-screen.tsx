'use client';
import { Stack, Text, Title } from '@mantine/core';
import { useTranslations } from 'use-intl';
import { ApiKeysPanel } from './api-keys-panel';
import { UsersTable } from './users-table';

/** Administrators manage accounts (create, role, disable, erase) and API keys. */
export function UsersScreen() {
  const t = useTranslations('users');
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('title')}
        </Title>
        <Text c="dimmed">{t('subtitle')}</Text>
      </div>
      <UsersTable />
      <ApiKeysPanel />
    </Stack>
  );
}
