'use client';
import { Anchor, Grid, Group, List, Loader, Paper, Stack, Text, Title, type TreeNodeData } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { StatusBadge } from '@/components/ui/status-badge';
import type { ModelVersionFieldsFragment, ModelVersionStatus } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { ComparisonPanel } from './comparison-panel';
import { ModelVersionsQuery } from './documents';
import { lineage } from './lineage';
import { VersionPanel } from './version-panel';

export const STATUS_COLOR: Record<ModelVersionStatus, string> = { ACTIVE: 'teal', CANARY: 'yellow', REGISTERED: 'gray', RETIRED: 'red' };

export function ModelStatus({ status }: { status: ModelVersionStatus }) {
  const t = useTranslations('models');
  return <StatusBadge size="sm" color={STATUS_COLOR[status]} label={t(`status.${status}`)} />;
}

/**
 * The model registry: versions as a lineage tree (each under the version it was trained from),
 * one version's metrics, files and traffic (activate, canary share, rollback: admins), and the
 * canary's win rate against the active version from arena reviews. The version shown is in the URL.
 */
export function ModelsScreen() {
  const t = useTranslations('models');
  const params = useSearchParams();
  const versions = useQuery({ queryKey: ['models', 'versions'], queryFn: () => gql(ModelVersionsQuery) });
  const all = useMemo(() => versions.data?.modelVersions ?? [], [versions.data]);
  const active = all.find((v) => v.status === 'ACTIVE');
  const selectedId = params.get('version') ?? active?.id ?? null;
  const selected = all.find((v) => v.id === selectedId) ?? null;
  const data = useMemo(() => lineage(all, (v: ModelVersionFieldsFragment) => v.name), [all]);
  const byId = useMemo(() => new Map(all.map((v) => [v.id, v])), [all]);
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('title')}
        </Title>
        <Text c="dimmed">{t('subtitle')}</Text>
      </div>
      {versions.isError && <ErrorNotice error={versions.error} />}
      {versions.isPending && <Loader size="sm" />}
      {versions.isSuccess && (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, lg: 5 }}>
            <Stack gap="lg">
              <Paper withBorder p="md" component="section" aria-labelledby="models-lineage">
                <Title order={2} size="h4" id="models-lineage" mb="sm">
                  {t('lineage')}
                </Title>
                <LineageList nodes={data} byId={byId} selectedId={selectedId} />
              </Paper>
              <ComparisonPanel versions={all} />
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 7 }}>{selected ? <VersionPanel key={selected.id} version={selected} parent={selected.parentId ? byId.get(selected.parentId) : undefined} /> : <Text c="dimmed">{t('pick')}</Text>}</Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}

/** The lineage as nested lists: each version a link (the URL names the one shown), its children under it. */
function LineageList({ nodes, byId, selectedId, level = 0 }: { nodes: TreeNodeData[]; byId: Map<string, ModelVersionFieldsFragment>; selectedId: string | null; level?: number }) {
  return (
    <List listStyleType="none" withPadding={level > 0} spacing={4} style={level > 0 ? { borderLeft: '1px solid var(--mantine-color-gray-4)', marginLeft: 6 } : undefined}>
      {nodes.map((node) => {
        const v = byId.get(node.value)!;
        const current = v.id === selectedId;
        return (
          <List.Item key={v.id}>
            <Group gap={6} wrap="nowrap">
              <Anchor component={Link} href={`/models?version=${v.id}`} scroll={false} aria-current={current ? 'page' : undefined} fw={current ? 700 : 500} fz="sm" c={current ? 'indigo.8' : 'dark.7'}>
                {v.name}
              </Anchor>
              <ModelStatus status={v.status} />
              {v.status === 'CANARY' && (
                <Text size="xs" c="dimmed">
                  {Math.round(v.canaryShare * 100)} %
                </Text>
              )}
            </Group>
            {node.children && node.children.length > 0 && <LineageList nodes={node.children} byId={byId} selectedId={selectedId} level={level + 1} />}
          </List.Item>
        );
      })}
    </List>
  );
}
