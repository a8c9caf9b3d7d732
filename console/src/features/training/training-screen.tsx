'use client';
import { Grid, Stack, Text, Title } from '@mantine/core';
import { useTranslations } from 'use-intl';
import { useAbility } from '@/lib/rbac';
import { useUrlParam } from '@/lib/url-param';
import { RunDetail } from './run-detail';
import { RunList } from './run-list';
import { StartRunForm } from './start-run-form';

/**
 * Training runs: start one from a dataset version and a base model (ML engineers), follow it live
 * (step, loss curve, ETA, log), cancel or resume it. The run shown lives in the URL (`?run=`).
 */
export function TrainingScreen() {
  const t = useTranslations('training');
  const ability = useAbility();
  const [selected, select] = useUrlParam('run');
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
            {ability.can('create', 'TrainingRun') && <StartRunForm onStarted={select} />}
            <RunList selected={selected} onSelect={select} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <RunDetail id={selected} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
