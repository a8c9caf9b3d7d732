'use client';
import { useTranslations } from 'use-intl';
import { StatusBadge } from '@/components/ui/status-badge';
import type { TrainingStatus } from '@/gql/graphql';

const COLOR: Record<TrainingStatus, string> = { QUEUED: 'gray', RUNNING: 'blue', SUCCEEDED: 'teal', FAILED: 'red', CANCELLED: 'orange' };

export const isLive = (s: TrainingStatus) => s === 'QUEUED' || s === 'RUNNING';

export function RunStatus({ status, size }: { status: TrainingStatus; size?: 'sm' | 'md' }) {
  const t = useTranslations('training');
  return <StatusBadge color={COLOR[status]} label={t(`status.${status}`)} size={size} />;
}
