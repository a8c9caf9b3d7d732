'use client';
import { useTranslations } from 'use-intl';
import { StatusBadge as Badge } from '@/components/ui/status-badge';
import type { DatasetStatus } from '@/gql/graphql';

const COLOR: Record<DatasetStatus, string> = { READY: 'teal', BUILDING: 'blue', FAILED: 'red' };

export function StatusBadge({ status }: { status: DatasetStatus }) {
  const t = useTranslations('datasets');
  return <Badge color={COLOR[status]} label={t(`status.${status}`)} />;
}

/** The pairs a version holds, from its counts (absent while it builds). */
export function pairsOf(counts: unknown): number | null {
  const total = (counts as { pairs?: { total?: unknown } } | null)?.pairs?.total;
  return typeof total === 'number' ? total : null;
}
