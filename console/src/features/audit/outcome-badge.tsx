'use client';
import { StatusBadge } from '@/components/ui/status-badge';
import { useTranslations } from 'use-intl';
import type { AuditOutcome } from '@/gql/graphql';

export const OUTCOME_COLOR: Record<AuditOutcome, string> = { ALLOWED: 'teal', DENIED: 'red', FAILED: 'orange' };

export function OutcomeBadge({ outcome }: { outcome: AuditOutcome }) {
  const t = useTranslations('audit');
  return <StatusBadge color={OUTCOME_COLOR[outcome]} label={t(`outcome.${outcome}`)} />;
}
