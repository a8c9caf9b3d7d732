'use client';
import { Badge } from '@mantine/core';
import { useTranslations } from 'use-intl';
import type { AuditOutcome } from '@/gql/graphql';

export const OUTCOME_COLOR: Record<AuditOutcome, string> = { ALLOWED: 'teal', DENIED: 'red', FAILED: 'orange' };

export function OutcomeBadge({ outcome }: { outcome: AuditOutcome }) {
  const t = useTranslations('audit');
  return (
    <Badge color={OUTCOME_COLOR[outcome]} c="dark.9" variant="light" radius="sm">
      {t(`outcome.${outcome}`)}
    </Badge>
  );
}
