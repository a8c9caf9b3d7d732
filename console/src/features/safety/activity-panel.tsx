'use client';
import { BarChart } from '@mantine/charts';
import { Center, Loader, Paper, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { Stat } from '@/components/ui/stat';
import { gql } from '@/lib/graphql/client';
import { SafetyStatsQuery } from './documents';
import { PanelHeader } from './parts';

const PERIODS = ['7', '30', '90'] as const;
const DAY = 86_400_000;

/** Hits per level per day over a chosen period (from the recorded safety events), and the totals by direction. */
export function ActivityPanel() {
  const t = useTranslations('safety');
  const format = useFormatter();
  const [days, setDays] = useState<(typeof PERIODS)[number]>('30');
  const stats = useQuery({
    queryKey: ['safety', 'stats', days],
    queryFn: () => {
      // Whole UTC days, today included.
      const to = new Date(Math.floor(Date.now() / DAY) * DAY + DAY);
      return gql(SafetyStatsQuery, { from: new Date(to.getTime() - Number(days) * DAY).toISOString(), to: to.toISOString() });
    },
  });
  const s = stats.data?.safetyStats;
  const rows = useMemo(() => (s?.days ?? []).map((d) => ({ day: format.dateTime(new Date(`${d.day}T00:00:00Z`), { month: 'short', day: 'numeric', timeZone: 'UTC' }), BLOCK: d.all.block, MASK: d.all.mask, REVIEW: d.all.review })), [s, format]);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="safety-activity">
      <Stack gap="sm">
        <PanelHeader id="safety-activity" title={t('activity.title')} subtitle={t('activity.subtitle')}>
          <SegmentedControl size="xs" aria-label={t('activity.period')} value={days} onChange={(v) => setDays(v as typeof days)} data={PERIODS.map((p) => ({ value: p, label: t('activity.days', { days: Number(p) }) }))} />
        </PanelHeader>
        {stats.isError && <ErrorNotice error={stats.error} />}
        {s && (
          <SimpleGrid cols={{ base: 2, sm: 5 }}>
            <Stat size="sm" label={t('levels.BLOCK')} value={format.number(s.all.block)} />
            <Stat size="sm" label={t('levels.MASK')} value={format.number(s.all.mask)} />
            <Stat size="sm" label={t('levels.REVIEW')} value={format.number(s.all.review)} />
            <Stat size="sm" label={t('activity.inPrompts')} value={format.number(s.input.total)} />
            <Stat size="sm" label={t('activity.inReplies')} value={format.number(s.output.total)} />
          </SimpleGrid>
        )}
        {stats.isPending ? (
          <Center h={240}>
            <Loader size="sm" aria-label={t('activity.loading')} />
          </Center>
        ) : s && s.all.total === 0 ? (
          <Center h={120}>
            <Text c="dimmed" size="sm">
              {t('activity.nothing')}
            </Text>
          </Center>
        ) : (
          <BarChart
            h={240}
            data={rows}
            dataKey="day"
            type="stacked"
            series={[
              { name: 'BLOCK', label: t('levels.BLOCK'), color: 'red.6' },
              { name: 'MASK', label: t('levels.MASK'), color: 'orange.5' },
              { name: 'REVIEW', label: t('levels.REVIEW'), color: 'blue.6' },
            ]}
            withLegend
            legendProps={{ verticalAlign: 'bottom' }}
            valueFormatter={(v) => format.number(v)}
            maxBarWidth={28}
            yAxisProps={{ allowDecimals: false }}
            barProps={{ isAnimationActive: false }}
          />
        )}
      </Stack>
    </Paper>
  );
}
