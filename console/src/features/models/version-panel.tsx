'use client';
import { Anchor, Button, Code, Group, Paper, Slider, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { ModelVersionFieldsFragment } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { useAbility } from '@/lib/rbac';
import { ActivateModelVersionMutation, ModelVersionDetailQuery, RollbackMutation, SetCanaryMutation } from './documents';
import { ModelStatus } from './models-screen';

/** Flattens metrics.json into rows ("heldout.reward_accuracy" → 0.62), numbers and strings only; file hashes are listed under Files. */
function metricRows(metrics: unknown, prefix = ''): [string, string | number][] {
  if (!metrics || typeof metrics !== 'object') return [];
  return Object.entries(metrics as Record<string, unknown>).filter(([k]) => !(prefix === '' && k === 'files')).flatMap(([k, v]): [string, string | number][] =>
    typeof v === 'number' || typeof v === 'string' ? [[`${prefix}${k}`, v]] : v && typeof v === 'object' && !Array.isArray(v) ? metricRows(v, `${prefix}${k}.`) : [],
  );
}

/** One version: where it came from, its metrics and files, and (admins) the traffic it gets. */
export function VersionPanel({ version: v, parent }: { version: ModelVersionFieldsFragment; parent: ModelVersionFieldsFragment | undefined }) {
  const t = useTranslations('models');
  const format = useFormatter();
  const ability = useAbility();
  const qc = useQueryClient();
  const [share, setShare] = useState(v.status === 'CANARY' ? v.canaryShare : 0.5);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const manage = ability.can('update', 'ModelVersion');
  const act = async (what: 'activate' | 'canary' | 'rollback') => {
    setBusy(what);
    setError(null);
    try {
      if (what === 'activate') await gql(ActivateModelVersionMutation, { id: v.id });
      else if (what === 'canary') await gql(SetCanaryMutation, { id: v.id, share });
      else await gql(RollbackMutation);
      await qc.invalidateQueries({ queryKey: ['models'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const detail = useQuery({ queryKey: ['models', 'version', v.id], queryFn: () => gql(ModelVersionDetailQuery, { id: v.id }) });
  const metrics = metricRows(detail.data?.modelVersion.metrics);
  const files = detail.data?.modelVersion.files ?? [];
  return (
    <Stack gap="lg" component="section" aria-labelledby="models-version">
      <Paper withBorder p="md">
        <Stack gap="sm">
          <Group justify="space-between" wrap="nowrap">
            <Title order={2} size="h3" id="models-version">
              {v.name}
            </Title>
            <ModelStatus status={v.status} />
          </Group>
          <Text size="sm" c="dimmed">
            {t('made', { at: format.dateTime(new Date(v.createdAt), { dateStyle: 'medium', timeStyle: 'short' }) })}
            {parent ? ` · ${t('from', { parent: parent.name })}` : ''}
          </Text>
          <Group gap="md">
            {v.datasetVersionId && (
              <Anchor component={Link} href={`/datasets?version=${v.datasetVersionId}`} size="sm">
                {t('dataset')}
              </Anchor>
            )}
            {v.trainingRunId && (
              <Anchor component={Link} href={`/training?run=${v.trainingRunId}`} size="sm">
                {t('run')}
              </Anchor>
            )}
          </Group>
          <Text size="sm">
            {t('sha')} <Code>{v.sha256.slice(0, 16)}…</Code>
          </Text>
          {manage && v.status !== 'RETIRED' && (
            <Stack gap="xs" mt="xs">
              <Group gap="xs">
                {v.status !== 'ACTIVE' && (
                  <Button size="xs" loading={busy === 'activate'} onClick={() => void act('activate')}>
                    {t('activate')}
                  </Button>
                )}
                {(v.status === 'CANARY' || (v.status === 'ACTIVE' && v.previousActiveId)) && (
                  <Button size="xs" variant="default" c="red.9" loading={busy === 'rollback'} onClick={() => void act('rollback')}>
                    {v.status === 'CANARY' ? t('endCanary') : t('rollback')}
                  </Button>
                )}
              </Group>
              {v.status !== 'ACTIVE' && (
                <Group gap="sm" align="end" wrap="nowrap">
                  <Stack gap={4} style={{ flex: 1 }}>
                    <Text size="sm" fw={500} id="models-share">
                      {t('share', { share: Math.round(share * 100) })}
                    </Text>
                    <Slider min={0.05} max={1} step={0.05} value={share} onChange={setShare} label={(x) => `${Math.round(x * 100)} %`} thumbProps={{ 'aria-labelledby': 'models-share' }} />
                  </Stack>
                  <Button size="xs" variant="default" loading={busy === 'canary'} onClick={() => void act('canary')}>
                    {v.status === 'CANARY' ? t('changeShare') : t('makeCanary')}
                  </Button>
                </Group>
              )}
            </Stack>
          )}
          {error !== null && <ErrorNotice error={error} />}
        </Stack>
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="models-metrics">
        <Title order={3} size="h4" id="models-metrics" mb="sm">
          {t('metrics')}
        </Title>
        {detail.isError && <ErrorNotice error={detail.error} />}
        {detail.isSuccess && metrics.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('noMetrics')}
          </Text>
        ) : (
          <Table fz="sm" verticalSpacing={2} layout="fixed" aria-labelledby="models-metrics">
            <Table.Tbody>
              {metrics.map(([k, x]) => (
                <Table.Tr key={k}>
                  <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {k}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace" title={String(x)} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                    {typeof x === 'number' ? format.number(x, { maximumFractionDigits: 4 }) : x}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="models-files">
        <Title order={3} size="h4" id="models-files" mb="sm">
          {t('files')}
        </Title>
        <Table.ScrollContainer minWidth={480}>
          <Table fz="sm" verticalSpacing={2} aria-labelledby="models-files">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('path')}</Table.Th>
                <Table.Th ta="right">{t('size')}</Table.Th>
                <Table.Th>SHA-256</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {files.map((f) => (
                <Table.Tr key={f.path}>
                  <Table.Td ff="monospace">{f.path}</Table.Td>
                  <Table.Td ta="right" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                    {format.number(f.bytes / 1024, { maximumFractionDigits: 1 })} KiB
                  </Table.Td>
                  <Table.Td ff="monospace" fz="xs" title={f.sha256}>
                    {f.sha256.slice(0, 12)}…
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    </Stack>
  );
}
