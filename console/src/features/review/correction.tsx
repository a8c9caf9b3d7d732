'use client';
import { Box, Grid, Group, Paper, Radio, Stack, Text, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { diffWords } from 'diff';
import { useDeferredValue, useId, useMemo, useRef } from 'react';
import { useTranslations } from 'use-intl';
import { correctionText } from './answer';
import { ariaKeys, KeyHint, useMac } from './key-hint';
import { useShortcuts } from './keymap';
import type { KindProps } from './kind-props';

/** The field of the correction, so the page's "edit" key and the help dialog can reach it. */
export const CORRECTION_FIELD_ID = 'review-correction-text';

/**
 * The reply to correct, prefilled, and beside it a live word-level diff against the original
 * (insertions and deletions marked). Enter is a new line; Ctrl/⌘+Enter submits.
 */
export function CorrectionControls({ item, draft, update, keysEnabled }: KindProps) {
  const t = useTranslations('review');
  const mac = useMac();
  const field = useRef<HTMLTextAreaElement>(null);
  const candidateId = draft.candidateId ?? item.candidates[0]?.id ?? null;
  const candidate = item.candidates.find((c) => c.id === candidateId);
  const text = correctionText(item, draft);

  useShortcuts(['correction'], { editText: () => field.current?.focus() }, keysEnabled);

  return (
    <Stack gap="md">
      {item.candidates.length > 1 && (
        <Radio.Group label={t('correction.candidate')} value={candidateId} onChange={(id) => update({ candidateId: id })}>
          <Group gap="lg" mt={6}>
            {item.candidates.map((c) => (
              <Radio key={c.id} value={c.id} label={t('item.candidate', { label: c.label })} />
            ))}
          </Group>
        </Radio.Group>
      )}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Textarea
            ref={field}
            id={CORRECTION_FIELD_ID}
            label={
              <Group component="span" gap={4} wrap="nowrap">
                {t('correction.field', { name: t('item.candidate', { label: candidate?.label ?? '?' }) })}
                <KeyHint action="editText" />
              </Group>
            }
            description={t('correction.fieldHint', { submit: mac ? '⌘+Enter' : 'Ctrl+Enter' })}
            aria-keyshortcuts={ariaKeys('submitFromField', mac)}
            value={text}
            onChange={(e) => {
              const value = e.currentTarget.value;
              if (candidateId) update((d) => ({ texts: { ...d.texts, [candidateId]: value } }));
            }}
            autosize
            minRows={8}
            maxRows={24}
            styles={{ input: { fontFamily: 'var(--dialoop-font)', lineHeight: 1.55 } }}
          />
          <Text size="xs" c="dimmed" mt={4}>
            {candidate?.model ? t('correction.original', { model: candidate.model }) : null}
          </Text>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <WordDiff original={candidate?.content ?? ''} text={text} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** jsdiff's word diff of the original against the correction: <del> for removed words, <ins> for added ones. */
export function WordDiff({ original, text, title }: { original: string; text: string; title?: string }) {
  const t = useTranslations('review');
  const headingId = useId();
  const deferred = useDeferredValue(text);
  const parts = useMemo(() => diffWords(original, deferred), [original, deferred]);
  const added = parts.filter((p) => p.added).length;
  const removed = parts.filter((p) => p.removed).length;
  return (
    <Paper component="section" withBorder p="md" h="100%" aria-labelledby={headingId}>
      <Group justify="space-between" mb="xs" wrap="wrap" gap="xs">
        <Title order={3} size="h5" id={headingId}>
          {title ?? t('correction.diff')}
        </Title>
        <Group gap="sm" wrap="nowrap">
          <Text size="xs" c="teal.9" fw={600}>
            {t('correction.added', { count: added })}
          </Text>
          <Text size="xs" c="red.9" fw={600}>
            {t('correction.removed', { count: removed })}
          </Text>
        </Group>
      </Group>
      <Box style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', lineHeight: 1.7 }}>
        {added === 0 && removed === 0 ? (
          <Text size="sm" c="dimmed">
            {t('correction.noChanges')}
          </Text>
        ) : (
          parts.map((p, i) =>
            p.added ? (
              <ins key={i} style={{ background: 'var(--mantine-color-teal-1)', color: 'var(--mantine-color-black)', textDecoration: 'underline', textDecorationColor: 'var(--mantine-color-teal-7)', textDecorationThickness: 2, borderRadius: 2, padding: '0 2px', margin: '0 1px' }}>
                <VisuallyHidden>{t('correction.insertedMark')}</VisuallyHidden>
                {p.value}
              </ins>
            ) : p.removed ? (
              <del key={i} style={{ background: 'var(--mantine-color-red-1)', color: 'var(--mantine-color-red-9)', textDecorationColor: 'var(--mantine-color-red-7)', borderRadius: 2, padding: '0 2px', margin: '0 1px' }}>
                <VisuallyHidden>{t('correction.deletedMark')}</VisuallyHidden>
                {p.value}
              </del>
            ) : (
              <span key={i}>{p.value}</span>
            ),
          )
        )}
      </Box>
    </Paper>
  );
}
