'use client';
import { Anchor, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import { TrainingRunsQuery } from './documents';
import { RunStatus, isLive } from './status';

/** Runs, newest first; refreshed every two seconds while one is queued or running. */
export function RunList({ selected, onSelect }: { selected: string | null; onSelect(id: string): void }) {
  const t = useTranslations('training');
  const tc = useTranslations('common');
  const format = useFormatter();
  const runs = useQuery({
    queryKey: ['training', 'list'],
    queryFn: () => gql(TrainingRunsQuery, { first: 50 }),
    refetchInterval: (q) => (q.state.data?.trainingRuns.some((r) => isLive(r.status)) ? 2_000 : false),
  });
  const rows = runs.data?.trainingRuns ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="training-runs">
      <Stack gap="sm">
        <Title order={2} size="h4" id="training-runs">
          {t('runs')}
        </Title>
        {runs.isError && <ErrorNotice error={runs.error} />}
        {runs.isPending && <Loader size="sm" aria-label={tc('loading')} />}
        {runs.isSuccess && rows.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('none')}
          </Text>
        )}
        {rows.length > 0 && (
          <Table.ScrollContainer minWidth={320}>
            <Table highlightOnHover verticalSpacing={6} horizontalSpacing="xs" fz="sm" aria-labelledby="training-runs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('columns.run')}</Table.Th>
                  <Table.Th>{t('columns.status')}</Table.Th>
                  <Table.Th ta="right">{t('columns.step')}</Table.Th>
                  <Table.Th ta="right">{t('columns.loss')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.id} aria-selected={selected === r.id} bg={selected === r.id ? 'var(--mantine-primary-color-light)' : undefined} onClick={() => onSelect(r.id)} style={{ cursor: 'pointer' }}>
                    <Table.Td>
                      <Anchor component="button" type="button" size="sm" fw={600} onClick={() => onSelect(r.id)} aria-label={t('open', { number: r.number })}>
                        #{r.number}
                      </Anchor>{' '}
                      <Text span size="sm" c="dimmed">
                        {r.method}
                      </Text>
                      {/* The model it made (or starts from), under the run: the panel is narrow. */}
                      <Text size="xs" c="dimmed" truncate maw={150} title={r.modelVersion?.name ?? r.baseModelVersion.name}>
                        {r.modelVersion?.name ?? r.baseModelVersion.name}
                      </Text>
                    </Table.Td>
                    {/* A badge's label may shrink to nothing in a narrow table: the column keeps room for the longest one. */}
                    <Table.Td style={{ whiteSpace: 'nowrap', minWidth: 124 }}>
                      <RunStatus status={r.status} size="sm" />
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {r.totalSteps ? `${r.step}/${r.totalSteps}` : r.step}
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {r.loss === null || r.loss === undefined ? '—' : format.number(r.loss, { maximumFractionDigits: 4 })}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
