'use client';
import { Button, FileButton, Group, List, ScrollArea, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ConsoleModal } from '@/components/ui/console-modal';
import { ErrorNotice } from '@/components/ui/error-notice';
import { SuccessNotice } from '@/components/ui/success-notice';
import type { SafetyImportTermsMutation } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { ApiError } from '@/lib/graphql/execute';
import { ImportSafetyTermsMutation } from './documents';

const MAX_BYTES = 2 * 1024 * 1024;

/**
 * Terms from CSV (`term,level[,language,category,wholeWord,enabled]`), chosen as a file or pasted.
 * The api takes the whole file or nothing: a refused file lists each bad line, so that it can be
 * mended and sent again.
 */
export function ImportModal({ opened, onClose, onImported }: { opened: boolean; onClose(): void; onImported(): void }) {
  const t = useTranslations('safety');
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<SafetyImportTermsMutation['importSafetyTerms'] | null>(null);
  const close = () => {
    setCsv('');
    setFileName(null);
    setError(null);
    setResult(null);
    onClose();
  };
  const choose = async (file: File | null) => {
    setError(null);
    setResult(null);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setError(new ApiError(t('import.tooLarge', { mb: 2 }), 'BAD_USER_INPUT'));
      return;
    }
    setFileName(file.name);
    setCsv(await file.text());
  };
  const submit = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const data = await gql(ImportSafetyTermsMutation, { csv });
      setResult(data.importSafetyTerms);
      onImported();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const lines = error instanceof ApiError ? (error.details ?? []) : [];
  return (
    <ConsoleModal opened={opened} onClose={close} title={t('import.title')} closeLabel={t('close')} size="lg">
      <Stack gap="sm">
        <Text size="sm">{t('import.help')}</Text>
        <Text size="xs" ff="monospace" c="dimmed">
          term,level,language,category,wholeWord,enabled
        </Text>
        <Group gap="xs">
          <FileButton onChange={(f) => void choose(f)} accept=".csv,text/csv,text/plain">
            {(props) => (
              <Button size="xs" variant="default" {...props}>
                {t('import.chooseFile')}
              </Button>
            )}
          </FileButton>
          <Text size="sm" c="dimmed">
            {fileName ?? t('import.orPaste')}
          </Text>
        </Group>
        <Textarea
          label={t('import.csv')}
          autosize
          minRows={6}
          maxRows={14}
          ff="monospace"
          value={csv}
          onChange={(e) => {
            setCsv(e.currentTarget.value);
            setFileName(null);
            setResult(null);
          }}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        />
        {error !== null && <ErrorNotice error={error} title={lines.length > 0 ? t('import.refused') : undefined} />}
        {lines.length > 0 && (
          <ScrollArea.Autosize mah={180} type="auto">
            <List size="sm" spacing={2} aria-label={t('import.badLines')}>
              {lines.map((l) => (
                <List.Item key={l}>
                  <Text size="sm" ff="monospace" c="red.9">
                    {l}
                  </Text>
                </List.Item>
              ))}
            </List>
          </ScrollArea.Autosize>
        )}
        {result && (
          <SuccessNotice title={t('import.done', { version: result.version })}>
            <Text size="sm" c="dark.9">
              {t('import.counts', { rows: result.rows, created: result.created, updated: result.updated, unchanged: result.unchanged, duplicates: result.duplicates })}
            </Text>
          </SuccessNotice>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t('close')}
          </Button>
          <Button onClick={() => void submit()} loading={busy} disabled={csv.trim() === ''}>
            {t('import.submit')}
          </Button>
        </Group>
      </Stack>
    </ConsoleModal>
  );
}
