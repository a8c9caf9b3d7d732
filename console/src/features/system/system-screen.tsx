'use client';
import { Sparkline } from '@mantine/charts';
import { Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { Stat } from '@/components/ui/stat';
import { StatusBadge } from '@/components/ui/status-badge';
import type { SystemInferenceServersQuery } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { InferenceServersQuery } from './documents';

type Server = SystemInferenceServersQuery['inferenceServers'][number];
const REFRESH_MS = 3_000;
/** Points kept per server for its sparkline (about three minutes). */
const HISTORY = 60;

/** Each inference server as the api sees it, looked at again every few seconds: state, models, batch, queue and throughput. */
export function SystemScreen() {
  const t = useTranslations('system');
  const format = useFormatter();
  const servers = useQuery({ queryKey: ['system', 'servers'], queryFn: () => gql(InferenceServersQuery), refetchInterval: REFRESH_MS, refetchIntervalInBackground: false });
  // Tokens per second seen since the page opened, per server, for the sparklines: one point per
  // look that measured a rate, added when a look arrives (state derived while rendering).
  const [history, setHistory] = useState<{ at: number; byUrl: Record<string, number[]> }>({ at: 0, byUrl: {} });
  if (servers.data && servers.dataUpdatedAt !== history.at) {
    const byUrl = { ...history.byUrl };
    for (const s of servers.data.inferenceServers) if (s.tokensPerSecond != null) byUrl[s.url] = [...(byUrl[s.url] ?? []), s.tokensPerSecond].slice(-HISTORY);
    setHistory({ at: servers.dataUpdatedAt, byUrl });
  }
  const list = servers.data?.inferenceServers ?? [];
  const up = list.filter((s) => s.ready).length;
  const total = (pick: (s: Server) => number | null | undefined) => list.reduce((a, s) => a + (pick(s) ?? 0), 0);
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('title')}
        </Title>
        <Text c="dimmed">{t('subtitle', { seconds: REFRESH_MS / 1000 })}</Text>
      </div>
      {servers.isError && <ErrorNotice error={servers.error} />}
      {servers.data && (
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Stat label={t('ready')} value={`${format.number(up)} / ${format.number(list.length)}`} />
          <Stat label={t('running')} value={format.number(total((s) => s.runningSequences))} />
          <Stat label={t('queued')} value={format.number(total((s) => s.queuedSequences))} />
          <Stat label={t('tokensPerSecond')} value={format.number(Math.round(total((s) => s.tokensPerSecond)))} />
        </SimpleGrid>
      )}
      <Stack gap="md" aria-label={t('servers')} component="section">
        {list.map((s) => (
          <ServerCard key={s.url} server={s} history={history.byUrl[s.url] ?? []} />
        ))}
      </Stack>
    </Stack>
  );
}

function ServerCard({ server: s, history }: { server: Server; history: number[] }) {
  const t = useTranslations('system');
  const format = useFormatter();
  const n = (v: number | null | undefined, digits = 0) => (v == null ? '—' : format.number(v, { maximumFractionDigits: digits }));
  const state = s.ready ? 'ready' : s.reachable ? 'notReady' : 'down';
  return (
    <Paper withBorder p="md" component="article" aria-label={s.url} data-server-url={s.url} data-state={state}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <StatusBadge color={s.ready ? 'green' : s.reachable ? 'yellow' : 'red'} label={t(`state.${state}`)} />
            <Text fw={600} ff="monospace" size="sm" style={{ overflowWrap: 'anywhere' }}>
              {s.url}
            </Text>
          </Group>
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
            {s.responseTimeMs == null ? t('noAnswer') : t('answeredIn', { ms: n(s.responseTimeMs, 1) })}
          </Text>
        </Group>
        {s.error && (
          <Text size="sm" c="red.9" role="status">
            {s.error}
          </Text>
        )}
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Stat size="sm" label={t('running')} value={n(s.runningSequences)} />
          <Stat size="sm" label={t('queued')} value={n(s.queuedSequences)} />
          <Stat size="sm" label={t('tokensPerSecond')} value={n(s.tokensPerSecond)}>
            {history.length > 1 && <Sparkline h={28} data={history} curveType="linear" color="blue" fillOpacity={0.3} strokeWidth={1.5} aria-hidden />}
          </Stat>
          <Stat size="sm" label={t('generated')} value={n(s.generatedTokensTotal)} />
        </SimpleGrid>
        <Group gap={6}>
          <Text size="sm" fw={500}>
            {t('models', { count: s.models.length })}
          </Text>
          {s.models.map((m) => (
            <Badge key={m} variant="outline" color="gray" c="dark.9" tt="none" radius="sm">
              {m}
            </Badge>
          ))}
        </Group>
      </Stack>
    </Paper>
  );
}
