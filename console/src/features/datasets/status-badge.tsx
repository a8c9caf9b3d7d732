'use client';
import { Badge } from '@mantine/core';
import { useTranslations } from 'use-intl';
import type { DatasetStatus } from '@/gql/graphql';

const COLOR: Record<DatasetStatus, string> = { READY: 'teal', BUILDING: 'blue', FAILED: 'red' };

export function StatusBadge({ status }: { status: DatasetStatus }) {
  const t = useTranslations('datasets');
  return (
    <Badge color={COLOR[status]} c="dark.9" variant="light" radius="sm">
      {t(`status.${status}`)}
    </Badge>
  );
}

/** The pairs a version holds, from its counts (absent while it builds). */
export function pairsOf(counts: unknown): number | null {
  const total = (counts as { pairs?: { total?: unknown } } | null)?.pairs?.total;
  return typeof total === 'number' ? total : null;
}
