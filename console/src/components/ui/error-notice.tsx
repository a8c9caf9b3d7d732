'use client';
import { Alert, Code, Text } from '@mantine/core';
import { useTranslations } from 'use-intl';
import { ApiError } from '@/lib/graphql/execute';

/** An api error as people read it: its message (in the page's language where the api names a reason) and its code, never a stack or a blank page. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  const t = useTranslations('common');
  const e = error instanceof ApiError ? error : new ApiError(error instanceof Error ? error.message : String(error), 'INTERNAL_SERVER_ERROR');
  return (
    <Alert color="red" role="alert" title={title ?? t('error.title')}>
      <Text size="sm">{e.reason && t.has(`error.reasons.${e.reason}`) ? t(`error.reasons.${e.reason}` as 'error.title') : e.message}</Text>
      <Text size="xs" c="dimmed" mt={4}>
        {t('error.code')} <Code>{e.code}</Code>
      </Text>
    </Alert>
  );
}
