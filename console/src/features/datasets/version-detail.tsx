'use client';
import { Alert, Button, Code, Group, Paper, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { DetailPlaceholder } from '@/components/ui/detail-placeholder';
import { ErrorNotice } from '@/components/ui/error-notice';
import { Markdown } from '@/components/ui/markdown';
import { Stat } from '@/components/ui/stat';
import { apiBase, gql } from '@/lib/graphql/client';
import { follow } from '@/lib/download';
import { DatasetDownloadMutation, DatasetVersionQuery } from './documents';
import { StatusBadge } from './status-badge';

interface Counts {
  pairs?: { total: number; bySource: Record<string, number>; byLanguage: Record<string, number>; bySplit: Record<string, number> };
  labelled?: { total: number };
  sft?: { total: number };
  duplicates?: { pairs: number; labelled: number };
  rowsRead?: number;
}

/** One version: its build's progress, or its numbers, files (each downloadable) and card. */
export function VersionDetail({ id }: { id: string | null }) {
  const t = useTranslations('datasets');
  const format = useFormatter();
  const version = useQuery({
    queryKey: ['datasets', 'version', id],
    queryFn: () => gql(DatasetVersionQuery, { id: id! }),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.datasetVersion.status === 'BUILDING' ? 1_000 : false),
  });
  const [downloading, setDownloading] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (id === null || !version.data) return <DetailPlaceholder picked={id !== null} hint={t('pick')} error={version.error} ready={false} />;
  const v = version.data.datasetVersion;
  const counts = (v.counts ?? {}) as Counts;
  const download = async (path: string) => {
    setDownloading(path);
    setError(null);
    try {
      const link = (await gql(DatasetDownloadMutation, { id: v.id, path })).datasetDownload;
      follow(`${apiBase()}${link.url}`, path.replaceAll('/', '-'));
    } catch (err) {
      setError(err);
    } finally {
      setDownloading(null);
    }
  };
  const breakdown = (title: string, rows: Record<string, number>, label: (k: string) => string) => (
    <Table fz="sm" verticalSpacing={2} aria-label={title}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{title}</Table.Th>
          <Table.Th ta="right">{t('detail.pairs')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {Object.entries(rows).map(([k, n]) => (
          <Table.Tr key={k}>
            <Table.Td>{label(k)}</Table.Td>
            <Table.Td ta="right" ff="monospace">
              {format.number(n)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  return (
    <Stack gap="lg" component="section" aria-labelledby="datasets-detail">
      <Paper withBorder p="md">
        <Stack gap="sm">
          <Group justify="space-between" wrap="nowrap">
            <Title order={2} size="h3" id="datasets-detail">
              {t('detail.title', { number: v.number })}
              {v.name ? ` · ${v.name}` : ''}
            </Title>
            <StatusBadge status={v.status} />
          </Group>
          <Text size="sm" c="dimmed">
            {t('detail.made', { at: format.dateTime(new Date(v.createdAt), { dateStyle: 'medium', timeStyle: 'short' }), by: v.createdBy ?? '—' })}
          </Text>
          {v.status === 'BUILDING' && (
            <Stack gap={4} role="status">
              <Progress value={100} animated striped aria-label={t('detail.building')} />
              <Text size="sm">{t('detail.rowsRead', { rows: v.progress })}</Text>
            </Stack>
          )}
          {v.status === 'FAILED' && (
            <Alert color="red" role="alert" title={t('detail.failed')}>
              {v.error}
            </Alert>
          )}
          {v.status === 'READY' && (
            <>
              <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
                <Stat size="sm" label={t('detail.pairs')} value={format.number(counts.pairs?.total ?? 0)} />
                <Stat size="sm" label={t('detail.labelled')} value={format.number(counts.labelled?.total ?? 0)} />
                <Stat size="sm" label={t('detail.sft')} value={format.number(counts.sft?.total ?? 0)} />
                <Stat size="sm" label={t('detail.duplicates')} value={format.number((counts.duplicates?.pairs ?? 0) + (counts.duplicates?.labelled ?? 0))} />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
                {counts.pairs && Object.keys(counts.pairs.bySource).length > 0 && breakdown(t('detail.bySource'), counts.pairs.bySource, (k) => t(`create.source.${k as 'COMPARISON'}`))}
                {counts.pairs && Object.keys(counts.pairs.byLanguage).length > 0 && breakdown(t('detail.byLanguage'), counts.pairs.byLanguage, (k) => (k === 'en' || k === 'zh' ? t(`create.language.${k}`) : k))}
              </SimpleGrid>
              <Text size="sm">
                {t('detail.testShare', { share: format.number(v.testShare, { style: 'percent' }) })} · {t('detail.sha')} <Code>{v.sha256?.slice(0, 16)}…</Code>
              </Text>
            </>
          )}
        </Stack>
      </Paper>
      {v.status === 'READY' && v.files && (
        <Paper withBorder p="md" component="section" aria-labelledby="datasets-files">
          <Title order={3} size="h4" id="datasets-files" mb="sm">
            {t('detail.files')}
          </Title>
          {error !== null && <ErrorNotice error={error} />}
          <Table.ScrollContainer minWidth={420}>
            <Table fz="sm" verticalSpacing={4} aria-labelledby="datasets-files">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('detail.path')}</Table.Th>
                  <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>{t('detail.records')}</Table.Th>
                  <Table.Th ta="right">{t('detail.size')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {v.files.map((f) => (
                  <Table.Tr key={f.path}>
                    <Table.Td>
                      <Text ff="monospace" size="sm">
                        {f.path}
                      </Text>
                      <Text ff="monospace" size="xs" c="dimmed" title={f.sha256}>
                        sha256 {f.sha256.slice(0, 12)}…
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {format.number(f.records)}
                    </Table.Td>
                    <Table.Td ta="right" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                      {format.number(f.bytes / 1024, { maximumFractionDigits: 1 })} KiB
                    </Table.Td>
                    <Table.Td>
                      <Button size="compact-xs" variant="default" loading={downloading === f.path} onClick={() => void download(f.path)} aria-label={t('detail.download', { path: f.path })}>
                        {t('detail.downloadShort')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      {v.card && (
        <Paper withBorder p="md" component="section" aria-labelledby="datasets-card">
          <Title order={3} size="h4" id="datasets-card" mb="sm">
            {t('detail.card')}
          </Title>
          <Markdown text={v.card} />
        </Paper>
      )}
    </Stack>
  );
}
