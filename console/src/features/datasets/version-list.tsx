'use client';
import { Anchor, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import { DatasetVersionsQuery } from './documents';
import { StatusBadge, pairsOf } from './status-badge';

/** Versions, newest first; refreshed every second and a half while one builds. */
export function VersionList({ selected, onSelect }: { selected: string | null; onSelect(id: string): void }) {
  const t = useTranslations('datasets');
  const tc = useTranslations('common');
  const format = useFormatter();
  const versions = useQuery({
    queryKey: ['datasets', 'list'],
    queryFn: () => gql(DatasetVersionsQuery, { first: 50 }),
    refetchInterval: (q) => (q.state.data?.datasetVersions.some((v) => v.status === 'BUILDING') ? 1_500 : false),
  });
  const rows = versions.data?.datasetVersions ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="datasets-versions">
      <Stack gap="sm">
        <Title order={2} size="h4" id="datasets-versions">
          {t('versions')}
        </Title>
        {versions.isError && <ErrorNotice error={versions.error} />}
        {versions.isPending && <Loader size="sm" aria-label={tc('loading')} />}
        {versions.isSuccess && rows.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('none')}
          </Text>
        )}
        {rows.length > 0 && (
          <Table highlightOnHover verticalSpacing={6} fz="sm" aria-labelledby="datasets-versions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('columns.version')}</Table.Th>
                <Table.Th>{t('columns.status')}</Table.Th>
                <Table.Th ta="right">{t('columns.pairs')}</Table.Th>
                <Table.Th>{t('columns.created')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((v) => (
                <Table.Tr key={v.id} aria-selected={selected === v.id} bg={selected === v.id ? 'var(--mantine-primary-color-light)' : undefined} onClick={() => onSelect(v.id)} style={{ cursor: 'pointer' }}>
                  <Table.Td>
                    <Anchor component="button" type="button" size="sm" fw={600} onClick={() => onSelect(v.id)} aria-label={t('open', { number: v.number })}>
                      v{v.number}
                    </Anchor>
                    {v.name && (
                      <Text span size="sm" c="dimmed">
                        {' '}
                        {v.name}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={v.status} />
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace">
                    {pairsOf(v.counts) === null ? '—' : format.number(pairsOf(v.counts)!)}
                  </Table.Td>
                  <Table.Td>{format.dateTime(new Date(v.createdAt), { dateStyle: 'short', timeStyle: 'short' })}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
