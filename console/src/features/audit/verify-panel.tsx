'use client';
import { Alert, Button, Group, NumberInput, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { VerifyAuditChainQuery } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { AuditEntriesQuery, VerifyAuditChainQuery as VerifyDoc } from './documents';
import { stretches } from './filters';

/** Entries verified per request: the page shows progress between them. */
const STRETCH = 50_000;

type Result = { valid: true; checked: number; checkpoints: number; ms: number; from: number; to: number } | { valid: false; broken: NonNullable<VerifyAuditChainQuery['verifyAuditChain']['broken']>; checked: number };

/** "Verify chain" over a range, stretch by stretch with progress; the first break is named and linked. */
export function VerifyPanel({ onOpen }: { onOpen(seq: number): void }) {
  const t = useTranslations('audit');
  const format = useFormatter();
  const [from, setFrom] = useState<number | string>('');
  const [to, setTo] = useState<number | string>('');
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>(null);
  const cancelled = useRef(false);
  const qc = useQueryClient();

  const run = async () => {
    cancelled.current = false;
    setResult(null);
    setError(null);
    try {
      const head = (await gql(AuditEntriesQuery, { first: 1 })).auditEntries.edges[0]?.node.seq ?? 0;
      const start = typeof from === 'number' ? from : 1;
      const end = typeof to === 'number' ? Math.min(to, head) : head;
      const parts = end >= start ? stretches(start, end, STRETCH) : [];
      setProgress({ done: 0, total: Math.max(1, end - start + 1) });
      let checked = 0;
      let checkpoints = 0;
      let ms = 0;
      for (const part of parts) {
        if (cancelled.current) break;
        const r = (await gql(VerifyDoc, part)).verifyAuditChain;
        checked += r.checked;
        checkpoints += r.checkpointsVerified;
        ms += r.ms;
        setProgress({ done: part.to - start + 1, total: end - start + 1 });
        if (r.broken) {
          // What the page holds of the trail may predate the change: read it again.
          await qc.invalidateQueries({ queryKey: ['audit'] });
          setResult({ valid: false, broken: r.broken, checked });
          return;
        }
      }
      if (!cancelled.current) setResult({ valid: true, checked, checkpoints, ms, from: start, to: end });
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };

  const running = progress !== null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="audit-verify">
      <Stack gap="sm">
        <Title order={2} size="h4" id="audit-verify">
          {t('verify.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('verify.hint')}
        </Text>
        <Group grow gap="xs">
          <NumberInput label={t('verify.from')} placeholder={t('verify.first')} min={1} allowDecimal={false} value={from} onChange={setFrom} disabled={running} />
          <NumberInput label={t('verify.to')} placeholder={t('verify.last')} min={1} allowDecimal={false} value={to} onChange={setTo} disabled={running} />
        </Group>
        <Group gap="xs">
          <Button onClick={() => void run()} loading={running}>
            {t('verify.run')}
          </Button>
          {running && (
            <Button variant="default" onClick={() => (cancelled.current = true)}>
              {t('verify.stop')}
            </Button>
          )}
        </Group>
        {progress && (
          <Stack gap={4}>
            <Progress value={(100 * progress.done) / progress.total} aria-label={t('verify.progress')} animated />
            <Text size="xs" c="dimmed">
              {t('verify.checkedOf', { done: format.number(progress.done), total: format.number(progress.total) })}
            </Text>
          </Stack>
        )}
        {error !== null && <ErrorNotice error={error} />}
        {result?.valid === true && (
          <Alert color="teal" title={t('verify.valid')} role="status">
            {t('verify.validBody', { checked: format.number(result.checked), from: result.from, to: result.to, checkpoints: result.checkpoints, seconds: format.number(result.ms / 1000, { maximumSignificantDigits: 2 }) })}
          </Alert>
        )}
        {result?.valid === false && (
          <Alert color="red" title={t('verify.broken', { seq: result.broken.seq })} role="alert">
            <Stack gap={6}>
              <Text size="sm">
                <Text span fw={600}>
                  {result.broken.reason}
                </Text>
                {`: ${result.broken.detail}`}
              </Text>
              <Button variant="default" c="red.9" size="xs" onClick={() => onOpen(result.broken.seq)} w="fit-content">
                {t('verify.openBroken', { seq: result.broken.seq })}
              </Button>
            </Stack>
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
