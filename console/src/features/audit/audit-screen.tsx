'use client';
import { Grid, Stack, Text, Title } from '@mantine/core';
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useState } from 'react';
import { useTranslations } from 'use-intl';
import { AuditCharts } from './charts';
import { CheckpointsPanel } from './checkpoints-panel';
import { EntriesTable } from './entries-table';
import { EntryDrawer } from './entry-drawer';
import { ExportPanel } from './export-panel';
import { FilterBar } from './filter-bar';
import { filterOf, paramsOf, viewFromParams, type AuditView } from './filters';
import { VerifyPanel } from './verify-panel';

/**
 * The audit trail for compliance officers: the entries the filter matches (the filter and the
 * open entry live in the URL, so a view can be shared), charts of the same, verification of the
 * chain, signed checkpoints and signed exports.
 */
export function AuditScreen() {
  const t = useTranslations('audit');
  const params = useSearchParams();
  const pathname = usePathname();
  const view = useMemo(() => viewFromParams(new URLSearchParams(params.toString())), [params]);
  const filter = useMemo(() => filterOf(view), [view]);
  const setView = useCallback(
    (next: AuditView) => {
      const q = paramsOf(next).toString();
      // The browser's own history (Next.js keeps useSearchParams in step): no server round trip
      // for what only this page reads.
      window.history.replaceState(null, '', q ? `${pathname}?${q}` : pathname);
    },
    [pathname],
  );
  const open = useCallback((seq: number | null) => setView({ ...view, entry: seq }), [setView, view]);
  // The charts ask once the table has its first page: on a long trail their counting is the
  // slower query, and the rows are what a filter is applied for.
  const key = JSON.stringify(filter);
  const [tableAnswered, setTableAnswered] = useState<string | null>(null);
  const firstPage = useCallback(() => setTableAnswered(key), [key]);
  // The side panels (and an entry opened from a shared link) render once the table has its first
  // rows: they are not what the page is opened for, and rendering them (and their requests) first
  // would make the rows wait.
  const rowsFirst = tableAnswered !== null;

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('title')}
        </Title>
        <Text c="dimmed">{t('subtitle')}</Text>
      </div>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="lg">
            <FilterBar view={view} onApply={setView} />
            <AuditCharts filter={filter} enabled={tableAnswered === key} />
            <EntriesTable filter={filter} selected={view.entry} onOpen={open} onFirstPage={firstPage} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          {rowsFirst && (
            <Stack gap="lg">
              <VerifyPanel onOpen={open} />
              <ExportPanel filter={filter} />
              <CheckpointsPanel />
            </Stack>
          )}
        </Grid.Col>
      </Grid>
      {rowsFirst && <EntryDrawer seq={view.entry} onClose={() => open(null)} />}
    </Stack>
  );
}
