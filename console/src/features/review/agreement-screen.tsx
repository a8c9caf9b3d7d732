'use client';
import { BarChart } from '@mantine/charts';
import { Badge, Box, Center, Group, Loader, NativeSelect, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { Stat } from '@/components/ui/stat';
import type { ReviewAgreementQuery, ReviewKind } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { ReviewAgreementQuery as AgreementDoc } from './documents';
import { Empty } from './item-parts';
import { KINDS } from './kinds';
import { alphaBand, kappaBand, KAPPA_BANDS, periodFilter, presetRange, shortPseudonym, type Preset } from './agreement';

type Report = ReviewAgreementQuery['reviewAgreement'];

const PRESETS: Preset[] = ['7', '30', '90', 'all'];

/** Agreement among reviewers over a period: Krippendorff's alpha, pairwise Cohen's kappa as a heat map, per-reviewer figures. */
export function AgreementScreen() {
  const t = useTranslations('review');
  const [preset, setPreset] = useState<Preset | 'custom'>('30');
  const [range, setRange] = useState(() => presetRange('30', new Date()));
  const [kind, setKind] = useState<ReviewKind | ''>('');
  const filter = useMemo(() => periodFilter(range, kind || null), [range, kind]);
  const report = useQuery({ queryKey: ['review', 'agreement', filter], queryFn: () => gql(AgreementDoc, { filter }) });

  const choosePreset = (p: string) => {
    setPreset(p as Preset);
    if (p !== 'custom') setRange(presetRange(p as Preset, new Date()));
  };
  const data = report.data?.reviewAgreement;

  return (
    <Stack gap="lg" maw={1200}>
      <div>
        <Title order={1} size="h2">
          {t('agreement.title')}
        </Title>
        <Text c="dimmed">{t('agreement.subtitle')}</Text>
      </div>

      <Paper withBorder p="md" component="section" aria-label={t('agreement.filters')}>
        <Stack gap="sm">
          <Stack gap={4} align="flex-start">
            <Text size="sm" fw={500} id="agreement-period">
              {t('agreement.period')}
            </Text>
            <SegmentedControl
              aria-labelledby="agreement-period"
              value={preset}
              onChange={choosePreset}
              data={[...PRESETS.map((p) => ({ value: p, label: p === 'all' ? t('agreement.presets.all') : t('agreement.presets.days', { days: Number(p) }) })), { value: 'custom', label: t('agreement.presets.custom') }]}
            />
          </Stack>
          <Group align="flex-end" gap="md" wrap="wrap">
            <TextInput
              type="date"
              label={t('agreement.from')}
              value={range.from}
              max={range.to || undefined}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setPreset('custom');
                setRange((r) => ({ ...r, from: value }));
              }}
              w={170}
            />
            <TextInput
              type="date"
              label={t('agreement.to')}
              value={range.to}
              min={range.from || undefined}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setPreset('custom');
                setRange((r) => ({ ...r, to: value }));
              }}
              w={170}
            />
            <NativeSelect
              label={t('agreement.kind')}
              value={kind}
              onChange={(e) => setKind(e.currentTarget.value as ReviewKind | '')}
              data={[{ value: '', label: t('agreement.allKinds') }, ...KINDS.map((k) => ({ value: k, label: t(`kinds.${k}.title`) }))]}
              w={200}
            />
          </Group>
        </Stack>
      </Paper>

      {report.error && <ErrorNotice error={report.error} />}
      {report.isPending && (
        <Center mih={200}>
          <Loader aria-label={t('label.loading')} />
        </Center>
      )}
      {data && data.reviews === 0 && <Empty title={t('agreement.emptyTitle')} description={t('agreement.emptyBody')} />}
      {data && data.reviews > 0 && <Figures report={data} />}
    </Stack>
  );
}

function Figures({ report }: { report: Report }) {
  const t = useTranslations('review');
  const format = useFormatter();
  const num = (v: number | null) => (v === null ? '—' : format.number(v, { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  return (
    <Stack gap="xl">
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" component="section" aria-label={t('agreement.summary')}>
        <Stat label={t('agreement.items')} value={format.number(report.items)} />
        <Stat label={t('agreement.reviews')} value={format.number(report.reviews)} />
        <Alpha label={t('agreement.choiceAlpha')} help={t('agreement.choiceAlphaHelp')} value={report.choiceAlpha} num={num} />
        <Alpha label={t('agreement.scoreAlpha')} help={t('agreement.scoreAlphaHelp')} value={report.scoreAlpha} num={num} />
      </SimpleGrid>
      <Text size="sm" c="dimmed" mt={-16}>
        {t('agreement.alphaGuide')}
      </Text>
      <KappaMatrix report={report} num={num} />
      <ReviewerChart report={report} num={num} />
    </Stack>
  );
}

const BAND_COLOR = { reliable: 'teal.9', tentative: 'yellow.4', unreliable: 'red.8', none: 'gray.7' } as const;

function Alpha({ label, help, value, num }: { label: string; help: string; value: number | null; num(v: number | null): string }) {
  const t = useTranslations('review');
  const band = alphaBand(value);
  return (
    <Stat label={label} value={num(value)}>
      <Badge color={BAND_COLOR[band]} variant="filled" autoContrast tt="none">
        {t(`agreement.alphaBand.${band}`)}
      </Badge>
      <Text size="xs" c="dimmed" mt={4}>
        {help}
      </Text>
    </Stat>
  );
}

function KappaMatrix({ report, num }: { report: Report; num(v: number | null): string }) {
  const t = useTranslations('review');
  const format = useFormatter();
  const reviewers = useMemo(() => {
    const all = new Set(report.reviewers.map((r) => r.reviewer));
    for (const k of report.kappa) all.add(k.reviewerA).add(k.reviewerB);
    return [...all].sort();
  }, [report]);
  const pair = (a: string, b: string) => report.kappa.find((k) => (k.reviewerA === a && k.reviewerB === b) || (k.reviewerA === b && k.reviewerB === a));
  return (
    <Box component="section" aria-labelledby="agreement-kappa">
      <Title order={2} size="h4" id="agreement-kappa">
        {t('agreement.kappaTitle')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('agreement.kappaHelp')}
      </Text>
      {reviewers.length < 2 ? (
        <Text c="dimmed">{t('agreement.kappaNone')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={160 + reviewers.length * 96}>
          <Table withTableBorder withColumnBorders verticalSpacing="xs" style={{ tableLayout: 'fixed', maxWidth: 160 + reviewers.length * 150 }} aria-describedby="agreement-kappa-legend">
            <Table.Caption>{t('agreement.kappaCaption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={160}>{t('agreement.reviewer')}</Table.Th>
                {reviewers.map((r) => (
                  <Table.Th key={r} ta="center" ff="monospace" fz="xs" title={r} scope="col">
                    {shortPseudonym(r)}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {reviewers.map((a) => (
                <Table.Tr key={a}>
                  <Table.Th scope="row" ff="monospace" fz="xs" title={a}>
                    {shortPseudonym(a)}
                  </Table.Th>
                  {reviewers.map((b) => {
                    if (a === b)
                      return (
                        <Table.Td key={b} ta="center" c="dimmed" bg="gray.1">
                          <span aria-hidden="true">—</span>
                          <VisuallyHidden>{t('agreement.self')}</VisuallyHidden>
                        </Table.Td>
                      );
                    const k = pair(a, b);
                    const band = kappaBand(k?.kappa ?? null);
                    const text = k
                      ? t('agreement.kappaCell', { a: shortPseudonym(a), b: shortPseudonym(b), kappa: num(k.kappa), items: k.items, band: t(`agreement.kappaBand.${band}`) })
                      : t('agreement.kappaNoPair', { a: shortPseudonym(a), b: shortPseudonym(b) });
                    return (
                      <Table.Td key={b} ta="center" bg={KAPPA_BANDS[band].bg} c={KAPPA_BANDS[band].fg} title={text} aria-label={text}>
                        <Text fw={700} size="sm" inherit>
                          {k ? num(k.kappa) : '·'}
                        </Text>
                        {k && (
                          <Text size="xs" inherit>
                            {t('agreement.itemsShort', { items: format.number(k.items) })}
                          </Text>
                        )}
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Group gap="xs" mt="xs" id="agreement-kappa-legend" wrap="wrap">
        <Text size="xs" c="dimmed">
          {t('agreement.legend')}
        </Text>
        {(Object.keys(KAPPA_BANDS) as (keyof typeof KAPPA_BANDS)[]).map((band) => (
          <Badge key={band} size="sm" radius="sm" bg={KAPPA_BANDS[band].bg} c={KAPPA_BANDS[band].fg} style={{ textTransform: 'none' }}>
            {t(`agreement.kappaBand.${band}`)}
            {KAPPA_BANDS[band].range ? ` ${KAPPA_BANDS[band].range}` : ''}
          </Badge>
        ))}
      </Group>
    </Box>
  );
}

function ReviewerChart({ report, num }: { report: Report; num(v: number | null): string }) {
  const t = useTranslations('review');
  const format = useFormatter();
  const data = report.reviewers.map((r) => ({ reviewer: shortPseudonym(r.reviewer), meanKappa: r.meanKappa, alphaWithout: r.alphaWithout }));
  return (
    <Box component="section" aria-labelledby="agreement-reviewers">
      <Title order={2} size="h4" id="agreement-reviewers">
        {t('agreement.reviewersTitle')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('agreement.reviewersHelp')}
      </Text>
      <Paper withBorder p="md">
        <Box role="img" aria-label={t('agreement.chartLabel')}>
          <BarChart
            h={280}
            data={data}
            dataKey="reviewer"
            series={[
              { name: 'meanKappa', label: t('agreement.meanKappa'), color: 'indigo.6' },
              { name: 'alphaWithout', label: t('agreement.alphaWithout'), color: 'orange.5' },
            ]}
            withLegend
            legendProps={{ verticalAlign: 'bottom' }}
            yAxisProps={{ domain: [-1, 1] }}
            referenceLines={[{ y: 0, color: 'gray.5' }]}
            valueFormatter={(v) => format.number(v, { maximumFractionDigits: 2 })}
            maxBarWidth={48}
          />
        </Box>
        <Table mt="md" verticalSpacing={4} fz="sm" striped aria-label={t('agreement.reviewersTable')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('agreement.reviewer')}</Table.Th>
              <Table.Th ta="right">{t('agreement.reviews')}</Table.Th>
              <Table.Th ta="right">{t('agreement.pairs')}</Table.Th>
              <Table.Th ta="right">{t('agreement.meanKappa')}</Table.Th>
              <Table.Th ta="right">{t('agreement.alphaWithout')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.reviewers.map((r) => (
              <Table.Tr key={r.reviewer}>
                <Table.Td ff="monospace" title={r.reviewer}>
                  {r.reviewer}
                </Table.Td>
                <Table.Td ta="right">{format.number(r.reviews)}</Table.Td>
                <Table.Td ta="right">{format.number(r.pairs)}</Table.Td>
                <Table.Td ta="right">{num(r.meanKappa)}</Table.Td>
                <Table.Td ta="right">{num(r.alphaWithout)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Box>
  );
}
