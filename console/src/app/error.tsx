'use client';
import { Button, Center, Stack } from '@mantine/core';
import { useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';

/** A render failure shows its message and a way back, never a blank page. */
export default function ErrorPage({ error, reset }: { error: Error; reset: () => void }) {
  const t = useTranslations('common');
  return (
    <Center mih="60vh" component="main">
      <Stack maw={520}>
        <ErrorNotice error={error} />
        <Button variant="light" onClick={reset}>
          {t('error.retry')}
        </Button>
      </Stack>
    </Center>
  );
}
