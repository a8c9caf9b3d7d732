'use client';
import { Grid, Stack, Text, Title } from '@mantine/core';
import { useTranslations } from 'use-intl';
import { useUrlParam } from '@/lib/url-param';
import { NewVersionForm } from './new-version-form';
import { VersionDetail } from './version-detail';
import { VersionList } from './version-list';

/**
 * Dataset versions for ML engineers and admins: build one with any filters, watch it build, read
 * its card and counts, download its files. The version shown lives in the URL (`?version=`).
 */
export function DatasetsScreen() {
  const t = useTranslations('datasets');
  const [selected, select] = useUrlParam('version');
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('title')}
        </Title>
        <Text c="dimmed">{t('subtitle')}</Text>
      </div>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="lg">
            <NewVersionForm onCreated={select} />
            <VersionList selected={selected} onSelect={select} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <VersionDetail id={selected} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
