'use client';
import { Center, Loader, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useDeferredValue, useMemo } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { AuditFilterInput, AuditStatsQuery } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { AuditStatsQuery as StatsDoc } from './documents';
import { OUTCOMES } from './filters';

/**
 * The charting library (recharts, a third of the page's script) loads after the page is up: the
 * table is what the page is opened for, and the charts draw after its rows anyway.
 */
const BarChart = dynamic(() => import('@mantine/charts').then((m) => m.BarChart), { ssr: false, loading: () => <ChartPending /> });

function ChartPending() {
  const t = useTranslations('audit');
  return (
    <Center h={220}>
      <Loader size="sm" aria-label={t('entries.loading')} />
    </Center>
  );
}

/** Rows of the "per day" chart: one per day, a column per outcome. */
export function perDayRows(perDay: AuditStatsQuery['auditStats']['perDay']) {
  const days = new Map<string, Record<string, number | string>>();
  for (const r of perDay) {
    const row = days.get(r.day) ?? { day: r.day, ALLOWED: 0, DENIED: 0, FAILED: 0 };
    row[r.outcome] = r.count;
    days.set(r.day, row);
  }
  return [...days.values()];
}

/** Entries per day by outcome, and denials by action, for the current filter. */
export function AuditCharts({ filter, enabled = true }: { filter: AuditFilterInput; enabled?: boolean }) {
  const t = useTranslations('audit');
  const format = useFormatter();
  const stats = useQuery({ queryKey: ['audit', 'stats', filter], queryFn: ({ signal }) => gql(StatsDoc, { filter }, signal), enabled });
  // Charts draw after the table: the rows are what a filter is applied for.
  const data = useDeferredValue(stats.data);
  const perDay = useMemo(() => perDayRows(data?.auditStats.perDay ?? []), [data]);
  const denials = data?.auditStats.denialsByAction ?? [];
  const colors = { ALLOWED: 'teal.6', DENIED: 'red.6', FAILED: 'orange.5' } as const;
  const body = (empty: boolean, chart: React.ReactNode) =>
    stats.isPending ? (
      <ChartPending />
    ) : empty ? (
      <Center h={220}>
        <Text c="dimmed" size="sm">
          {t('charts.nothing')}
        </Text>
      </Center>
    ) : (
      chart
    );
  if (stats.isError) return <ErrorNotice error={stats.error} />;
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
      <Paper withBorder p="md" component="section" aria-labelledby="audit-per-day">
        <Title order={2} size="h5" id="audit-per-day" mb="sm">
          {t('charts.perDay')}
        </Title>
        {body(
          perDay.length === 0,
          <BarChart
            h={220}
            data={perDay}
            dataKey="day"
            type="stacked"
            series={OUTCOMES.map((o) => ({ name: o, label: t(`outcome.${o}`), color: colors[o] }))}
            withLegend
            legendProps={{ verticalAlign: 'bottom' }}
            valueFormatter={(v) => format.number(v)}
            maxBarWidth={40}
            yAxisProps={{ allowDecimals: false }}
            barProps={{ isAnimationActive: false }}
          />,
        )}
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="audit-denials">
        <Title order={2} size="h5" id="audit-denials" mb="sm">
          {t('charts.denials')}
        </Title>
        {body(
          denials.length === 0,
          <BarChart
            h={220}
            data={denials.slice(0, 8)}
            dataKey="action"
            orientation="vertical"
            series={[{ name: 'count', label: t('charts.denied'), color: 'red.6' }]}
            valueFormatter={(v) => format.number(v)}
            yAxisProps={{ width: 150 }}
            xAxisProps={{ allowDecimals: false }}
            maxBarWidth={18}
            barProps={{ isAnimationActive: false }}
          />,
        )}
      </Paper>
    </SimpleGrid>
  );
}
