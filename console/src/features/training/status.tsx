'use client';
import { Badge } from '@mantine/core';
import { useTranslations } from 'use-intl';
import type { TrainingStatus } from '@/gql/graphql';

const COLOR: Record<TrainingStatus, string> = { QUEUED: 'gray', RUNNING: 'blue', SUCCEEDED: 'teal', FAILED: 'red', CANCELLED: 'orange' };

export const isLive = (s: TrainingStatus) => s === 'QUEUED' || s === 'RUNNING';

export function RunStatus({ status }: { status: TrainingStatus }) {
  const t = useTranslations('training');
  return (
    <Badge color={COLOR[status]} c="dark.9" variant="light" radius="sm">
      {t(`status.${status}`)}
    </Badge>
  );
}
