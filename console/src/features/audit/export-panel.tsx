'use client';
import { Button, Code, CopyButton, Group, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { SuccessNotice } from '@/components/ui/success-notice';
import type { AuditExportFormat, AuditFilterInput, ExportAuditMutation } from '@/gql/graphql';
import { apiBase, gql } from '@/lib/graphql/client';
import { useAbility } from '@/lib/rbac';
import { ExportAuditMutation as ExportDoc } from './documents';
import { follow } from '@/lib/download';
import { verifyCommand } from './filters';

/** "Export": the entries the current filter matches, as a signed CSV or JSONL file, with the line that checks it offline. */
export function ExportPanel({ filter }: { filter: AuditFilterInput }) {
  const t = useTranslations('audit');
  const ability = useAbility();
  const [format, setFormat] = useState<AuditExportFormat>('JSONL');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ExportAuditMutation['exportAudit'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (!ability.can('export', 'AuditEntry')) return null;

  const run = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = (await gql(ExportDoc, { format, filter })).exportAudit;
      setDone(r);
      follow(`${apiBase()}${r.downloadPath}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const file = done ? `audit-${done.fromSeq ?? 0}-${done.toSeq ?? 0}.${done.format === 'CSV' ? 'csv' : 'jsonl'}` : '';

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="audit-export">
      <Stack gap="sm">
        <Title order={2} size="h4" id="audit-export">
          {t('export.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('export.hint')}
        </Text>
        <Group gap="xs">
          <SegmentedControl
            aria-label={t('export.format')}
            value={format}
            onChange={(v) => setFormat(v as AuditExportFormat)}
            data={[
              { value: 'JSONL', label: 'JSONL' },
              { value: 'CSV', label: 'CSV' },
            ]}
          />
          <Button onClick={() => void run()} loading={busy}>
            {t('export.run')}
          </Button>
        </Group>
        {error !== null && <ErrorNotice error={error} />}
        {done && (
          <SuccessNotice title={t('export.ready', { file })}>
            <Stack gap={6}>
              <Text size="sm">{done.fromSeq === null ? t('export.empty') : t('export.covers', { from: done.fromSeq, to: done.toSeq ?? done.fromSeq, checkpoint: done.checkpoint?.seq ?? '—' })}</Text>
              <Text size="sm">{t('export.check')}</Text>
              <Group gap="xs" wrap="nowrap" align="flex-start">
                <Code block style={{ flex: 1, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                  {verifyCommand(file)}
                </Code>
                <CopyButton value={verifyCommand(file)}>
                  {({ copied, copy }) => (
                    <Button size="xs" variant="default" onClick={copy}>
                      {copied ? t('copied') : t('copy')}
                    </Button>
                  )}
                </CopyButton>
              </Group>
              <Button variant="subtle" size="xs" w="fit-content" onClick={() => follow(`${apiBase()}${done.downloadPath}`)}>
                {t('export.again')}
              </Button>
            </Stack>
          </SuccessNotice>
        )}
      </Stack>
    </Paper>
  );
}
