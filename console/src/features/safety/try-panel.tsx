'use client';
import { Alert, Box, Code, Group, Loader, Mark, Paper, SegmentedControl, Stack, Table, Text, Textarea } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { StatusBadge } from '@/components/ui/status-badge';
import type { SafetyDirection, SafetyOutcome, SafetyPreviewQuery as PreviewData } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { SafetyPreviewQuery } from './documents';
import { LEVEL_COLOR } from './levels';
import { PanelHeader } from './parts';

const OUTCOME_COLOR: Record<SafetyOutcome, string> = { ALLOWED: 'green', MASKED: 'orange', FLAGGED: 'blue', BLOCKED: 'red' };
const MAX = 32_000;
type Match = PreviewData['safetyPreview']['matches'][number];

/** The scanned text with each match marked, in its level's colour (matches found after masking are listed, not marked). */
function Highlighted({ text, matches }: { text: string; matches: readonly Match[] }) {
  const spans = matches.filter((m) => !m.afterMasking).sort((a, b) => a.start - b.start);
  const out: ReactNode[] = [];
  let at = 0;
  for (const m of spans) {
    if (m.start < at) continue;
    if (m.start > at) out.push(text.slice(at, m.start));
    out.push(
      <Mark key={`${m.termId}-${m.start}`} color={LEVEL_COLOR[m.level]} title={m.term}>
        {text.slice(m.start, m.end)}
      </Mark>,
    );
    at = m.end;
  }
  out.push(text.slice(at));
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {out}
    </Text>
  );
}

/** "Try a text": what the live filter would do with it, as a prompt or as a reply, and why, while typing. */
export function TryPanel() {
  const t = useTranslations('safety');
  const [text, setText] = useState('');
  const [direction, setDirection] = useState<SafetyDirection>('OUTPUT');
  const [debounced] = useDebouncedValue(text, 200);
  const preview = useQuery({
    queryKey: ['safety', 'preview', direction, debounced],
    queryFn: ({ signal }) => gql(SafetyPreviewQuery, { text: debounced, direction }, signal),
    enabled: debounced.trim() !== '',
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
  const p = debounced.trim() === '' ? undefined : preview.data?.safetyPreview;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="safety-try">
      <Stack gap="sm">
        <PanelHeader id="safety-try" title={t('try.title')} subtitle={t('try.subtitle')} />
        <SegmentedControl
          w="fit-content"
          size="xs"
          aria-label={t('try.as')}
          value={direction}
          onChange={(v) => setDirection(v as SafetyDirection)}
          data={[
            { value: 'OUTPUT', label: t('try.asReply') },
            { value: 'INPUT', label: t('try.asPrompt') },
          ]}
        />
        <Textarea
          label={t('try.text')}
          placeholder={t('try.placeholder')}
          autosize
          minRows={3}
          maxRows={10}
          maxLength={MAX}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          rightSection={preview.isFetching ? <Loader size="xs" aria-label={t('try.checking')} /> : null}
        />
        {preview.isError && <ErrorNotice error={preview.error} />}
        {p && (
          <Stack gap="sm" data-testid="safety-verdict">
            {/* Only the verdict is announced as it changes, not the whole analysis on each keystroke. */}
            <Group gap="xs" aria-live="polite">
              <Text size="sm" fw={600}>
                {t('try.verdict')}
              </Text>
              <StatusBadge color={OUTCOME_COLOR[p.outcome]} label={t(`outcomes.${p.outcome}`)} />
              <Text size="xs" c="dimmed">
                {p.enabled ? t('try.listVersion', { version: p.version }) : t('try.filterOff')}
              </Text>
            </Group>
            <Box>
              <Text size="xs" fw={600} mb={4}>
                {t('try.scanned')}
              </Text>
              <Paper withBorder p="xs" bg="gray.0">
                <Highlighted text={p.scannedText} matches={p.matches} />
              </Paper>
            </Box>
            <Box>
              <Text size="xs" fw={600} mb={4}>
                {direction === 'INPUT' ? t('try.promptSeen') : t('try.replySeen')}
              </Text>
              {p.text === null ? (
                <Alert color="red" p="xs">
                  <Text size="sm" c="dark.9">
                    {t('try.refused')}
                  </Text>
                </Alert>
              ) : (
                <Paper withBorder p="xs">
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                    {p.text}
                  </Text>
                </Paper>
              )}
            </Box>
            {p.matches.length > 0 && (
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing={4} aria-label={t('try.matches')}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('try.columns.matched')}</Table.Th>
                      <Table.Th>{t('try.columns.term')}</Table.Th>
                      <Table.Th>{t('try.columns.level')}</Table.Th>
                      <Table.Th>{t('try.columns.why')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {p.matches.map((m) => (
                      <Table.Tr key={`${m.termId}-${m.start}-${m.afterMasking}`}>
                        <Table.Td>
                          <Code>{m.matched}</Code>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">
                            {m.term}{' '}
                            <Text span size="xs" c="dimmed">
                              {m.category}
                            </Text>
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <StatusBadge size="sm" color={LEVEL_COLOR[m.level]} label={m.level === 'BLOCK' ? `${t('levels.BLOCK')} · ${t(`actions.${m.action}` as 'actions.refused')}` : t(`levels.${m.level}`)} />
                        </Table.Td>
                        <Table.Td>
                          <Text size="xs">
                            {m.matched === m.term
                              ? t('try.exact')
                              : t('try.normalised', { matched: m.matched, normalized: m.normalized, term: m.termNormalized })}
                            {m.wholeWord ? ` ${t('try.wholeWord')}` : ''}
                            {m.afterMasking ? ` ${t('try.afterMasking')}` : ''}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {p.rewrites.length > 0 && (
              <Text size="sm">
                {t('try.rewrites')}{' '}
                {p.rewrites.map((r, i) => (
                  <span key={r.ruleId}>
                    {i > 0 && ', '}
                    <Code>{r.pattern}</Code> → <Code>{r.replacement || '∅'}</Code> ×{r.applications}
                  </span>
                ))}
              </Text>
            )}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
