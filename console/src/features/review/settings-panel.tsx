'use client';
import { Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { SuccessNotice } from '@/components/ui/success-notice';
import { Stat } from '@/components/ui/stat';
import { StatusBadge } from '@/components/ui/status-badge';
import type { CollectReviewItemsMutation } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { useAbility } from '@/lib/rbac';
import { CollectReviewItemsDoc, ReviewSettingsQuery } from './documents';

/** How the queue is fed and judged (read-only: set by the api's configuration), and "Collect now" for those who may run a sweep. */
export function SettingsPanel() {
  const t = useTranslations('review');
  const format = useFormatter();
  const ability = useAbility();
  const qc = useQueryClient();
  const settings = useQuery({ queryKey: ['review', 'settings'], queryFn: () => gql(ReviewSettingsQuery) });
  const [collecting, setCollecting] = useState(false);
  const [report, setReport] = useState<CollectReviewItemsMutation['collectReviewItems'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const collect = async () => {
    setCollecting(true);
    setError(null);
    setReport(null);
    try {
      setReport((await gql(CollectReviewItemsDoc)).collectReviewItems);
      await qc.invalidateQueries({ queryKey: ['review'] });
    } catch (err) {
      setError(err);
    } finally {
      setCollecting(false);
    }
  };
  const s = settings.data?.reviewSettings;
  // A duration in the unit people read it in: seconds, minutes or hours.
  const seconds = (v: number) => {
    const [n, unit] = v < 120 ? [v, 'second'] : v < 7200 ? [v / 60, 'minute'] : [v / 3600, 'hour'];
    return format.number(n, { style: 'unit', unit, unitDisplay: 'long', maximumFractionDigits: 1 });
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="review-settings">
      <Stack gap="md">
        <Group justify="space-between" align="end">
          <div>
            <Title order={2} size="h4" id="review-settings">
              {t('settings.title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('settings.subtitle')}
            </Text>
          </div>
          {ability.can('create', 'ReviewItem') && (
            <Button size="xs" onClick={() => void collect()} loading={collecting}>
              {t('settings.collectNow')}
            </Button>
          )}
        </Group>
        {settings.isError && <ErrorNotice error={settings.error} />}
        {error !== null && <ErrorNotice error={error} />}
        {report && (
          <SuccessNotice title={t('settings.collected')}>
            <Text size="sm" c="dark.9">
              {t('settings.report', { ...report })}
            </Text>
          </SuccessNotice>
        )}
        {s && (
          <>
            <SimpleGrid cols={{ base: 2, md: 4 }}>
              <Stat size="sm" label={t('settings.reviewsPerItem')} value={format.number(s.reviewsPerItem)} />
              <Stat size="sm" label={t('settings.minAgreement')} value={format.number(s.minAgreement, { maximumFractionDigits: 2 })} />
              <Stat size="sm" label={t('settings.lease')} value={seconds(s.leaseSeconds)} />
              <Stat size="sm" label={t('settings.interval')} value={s.collectIntervalSeconds > 0 ? seconds(s.collectIntervalSeconds) : t('settings.onRequest')} />
            </SimpleGrid>
            <Text size="sm">
              {s.lastCollection
                ? s.lastCollection.error
                  ? t('settings.lastFailed', { when: format.dateTime(new Date(s.lastCollection.startedAt), { dateStyle: 'medium', timeStyle: 'short' }), error: s.lastCollection.error })
                  : s.lastCollection.report
                    ? t('settings.last', { when: format.dateTime(new Date(s.lastCollection.startedAt), { dateStyle: 'medium', timeStyle: 'short' }), trigger: s.lastCollection.trigger, ...s.lastCollection.report })
                    : t('settings.running')
                : t('settings.noCollection')}
            </Text>
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
              <div>
                <Title order={3} size="h6" mb={6} id="review-sources">
                  {t('settings.sources')}
                </Title>
                <Table verticalSpacing={4} aria-labelledby="review-sources">
                  <Table.Tbody>
                    {s.sources.map((src) => (
                      <Table.Tr key={src.source}>
                        <Table.Td fw={500} style={{ whiteSpace: 'nowrap' }}>
                          {t(`sources.${src.source}`)}
                        </Table.Td>
                        <Table.Td>
                          <StatusBadge size="sm" color={src.enabled ? 'green' : 'gray'} label={src.enabled ? (src.collected ? t('settings.collectedSource') : t('settings.byHand')) : t('settings.off')} />
                        </Table.Td>
                        <Table.Td>
                          <Text size="xs">
                            {src.share != null && t('settings.share', { share: format.number(src.share, { style: 'percent', maximumFractionDigits: 1 }) })}
                            {src.lowScore != null && t('settings.lowScore', { score: src.lowScore })}
                            {src.source === 'ARENA' && (s.arenaModels.length > 0 ? t('settings.arenaModels', { models: s.arenaModels.join(', ') }) : t('settings.arenaSelf'))}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
              <div>
                <Title order={3} size="h6" mb={6} id="review-rubric">
                  {t('settings.rubric')}
                </Title>
                <Group gap={6}>
                  {s.rubric.map((c) => (
                    <Badge key={c.id} variant="outline" color="gray" c="dark.9" tt="none" radius="sm">
                      {t('settings.criterion', { label: c.label, min: c.min, max: c.max })}
                    </Badge>
                  ))}
                </Group>
              </div>
            </SimpleGrid>
          </>
        )}
      </Stack>
    </Paper>
  );
}
