'use client';
import { Alert, Button, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { ReviewKind } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { useAbility } from '@/lib/rbac';
import { ClaimReviewItemMutation, MyReviewClaimsQuery, ReviewQueueQuery } from './documents';
import { LeaseCountdown } from './item-parts';
import { KINDS, labelHref } from './kinds';
import { SettingsPanel } from './settings-panel';

const STATES = ['open', 'pending', 'claimed', 'adjudication', 'done'] as const;
const STATE_COLOR: Record<(typeof STATES)[number], string> = { open: 'indigo', pending: 'gray', claimed: 'orange', adjudication: 'grape', done: 'teal' };

/** The review queue: how many items wait in each state, your open leases, and "claim next" per kind. */
export function QueueScreen() {
  const t = useTranslations('review');
  const format = useFormatter();
  const router = useRouter();
  const ability = useAbility();
  const qc = useQueryClient();
  const [claiming, setClaiming] = useState<ReviewKind | null>(null);
  const [nothing, setNothing] = useState<ReviewKind | null>(null);
  const [claimError, setClaimError] = useState<unknown>(null);
  const stats = useQuery({ queryKey: ['review', 'queue', 'stats'], queryFn: () => gql(ReviewQueueQuery), refetchInterval: 15_000 });
  const claims = useQuery({ queryKey: ['review', 'queue', 'claims'], queryFn: () => gql(MyReviewClaimsQuery), refetchInterval: 15_000 });

  const claim = async (kind: ReviewKind) => {
    setClaiming(kind);
    setNothing(null);
    setClaimError(null);
    try {
      const { claimReviewItem: c } = await gql(ClaimReviewItemMutation, { kind });
      if (!c) {
        setNothing(kind);
        void qc.invalidateQueries({ queryKey: ['review', 'queue'] });
        return;
      }
      router.push(labelHref(kind, c.item.id));
    } catch (err) {
      setClaimError(err);
    } finally {
      setClaiming(null);
    }
  };

  return (
    <Stack gap="xl" maw={1200}>
      <div>
        <Title order={1} size="h2">
          {t('queue.title')}
        </Title>
        <Text c="dimmed">{t('queue.subtitle')}</Text>
      </div>

      <section aria-labelledby="queue-states">
        <Title order={2} size="h4" id="queue-states" mb="sm">
          {t('queue.states')}
        </Title>
        {stats.error ? (
          <ErrorNotice error={stats.error} />
        ) : (
          <SimpleGrid component="dl" cols={{ base: 2, sm: 3, md: 5 }} spacing="sm" m={0}>
            {STATES.map((s) => (
              <Paper key={s} withBorder p="md" style={{ borderTop: `4px solid var(--mantine-color-${STATE_COLOR[s]}-5)` }}>
                <Text component="dt" size="sm" c="dimmed">
                  {t(`queue.state.${s}`)}
                </Text>
                <Text component="dd" m={0} fz={32} fw={700} style={{ fontVariantNumeric: 'tabular-nums' }}>
                  {stats.data ? format.number(stats.data.reviewQueue[s]) : <Skeleton h={36} w={48} component="span" display="block" />}
                </Text>
              </Paper>
            ))}
          </SimpleGrid>
        )}
      </section>

      <section aria-labelledby="queue-claim">
        <Title order={2} size="h4" id="queue-claim" mb="sm">
          {t('queue.claimTitle')}
        </Title>
        {claimError !== null && <ErrorNotice error={claimError} />}
        {nothing && (
          <Alert color="gray" role="status" mb="sm" title={t('queue.nothingTitle')}>
            {t('queue.nothing', { kind: t(`kinds.${nothing}.name`) })}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
          {KINDS.map((kind) => (
            <Paper key={kind} withBorder p="md">
              <Stack gap="sm" h="100%" justify="space-between">
                <div>
                  <Title order={3} size="h5">
                    {t(`kinds.${kind}.title`)}
                  </Title>
                  <Text size="sm" c="dimmed" mt={4}>
                    {t(`kinds.${kind}.description`)}
                  </Text>
                </div>
                <Button
                  onClick={() => void claim(kind)}
                  loading={claiming === kind}
                  disabled={claiming !== null && claiming !== kind}
                  fullWidth
                  h="auto"
                  mih={40}
                  py={8}
                  styles={{ label: { whiteSpace: 'normal', textAlign: 'center', lineHeight: 1.3 } }}
                >
                  {t('queue.claimNext', { kind: t(`kinds.${kind}.item`) })}
                </Button>
              </Stack>
            </Paper>
          ))}
        </SimpleGrid>
      </section>

      <section aria-labelledby="queue-leases">
        <Title order={2} size="h4" id="queue-leases" mb="sm">
          {t('queue.leases')}
        </Title>
        {claims.error ? (
          <ErrorNotice error={claims.error} />
        ) : !claims.data ? (
          <Skeleton h={48} />
        ) : claims.data.myReviewClaims.length === 0 ? (
          <Text c="dimmed">{t('queue.noLeases')}</Text>
        ) : (
          <Stack component="ul" gap="xs" m={0} p={0} style={{ listStyle: 'none' }}>
            {claims.data.myReviewClaims.map((c) => (
              <Paper component="li" key={c.id} withBorder p="sm">
                <Group justify="space-between" wrap="wrap" gap="sm">
                  <Group gap="md" wrap="wrap">
                    <Text fw={600}>{t(`kinds.${c.item.kind}.title`)}</Text>
                    <Text size="sm" c="dimmed">
                      {t('queue.claimedAt', { time: format.dateTime(new Date(c.claimedAt), { hour: '2-digit', minute: '2-digit' }) })}
                    </Text>
                    <LeaseCountdown expiresAt={c.expiresAt} />
                  </Group>
                  <Button variant="light" onClick={() => router.push(labelHref(c.item.kind, c.item.id))}>
                    {t('queue.continue', { kind: t(`kinds.${c.item.kind}.item`) })}
                  </Button>
                </Group>
              </Paper>
            ))}
          </Stack>
        )}
      </section>

      {ability.can('read', 'PreferencePair') && <SettingsPanel />}
    </Stack>
  );
}
