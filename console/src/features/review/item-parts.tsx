'use client';
import { Badge, Box, EmptyState, Group, Paper, Stack, Text, Title, type BoxProps } from '@mantine/core';
import { useFormatter, useNow, useTranslations } from 'use-intl';
import { memo, type ReactNode } from 'react';
import type { Item } from './draft';

/** Prompt and reply text exactly as written: plain text (React escapes it), line breaks kept. Never HTML or Markdown. */
export function PlainText({ children, ...box }: { children: string } & BoxProps) {
  return (
    <Box {...box} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', lineHeight: 1.55 }}>
      {children}
    </Box>
  );
}

const ROLE_COLOR: Record<string, string> = { user: 'indigo', assistant: 'teal', system: 'gray' };

/** The conversation up to and including the prompt, one turn after another. */
export const PromptView = memo(function PromptView({ item }: { item: Pick<Item, 'prompt'> }) {
  const t = useTranslations('review');
  return (
    <Box component="section" aria-labelledby="review-prompt-heading">
      <Title order={2} size="h4" id="review-prompt-heading" mb="xs">
        {t('item.prompt')}
      </Title>
      <Stack component="ol" gap="xs" m={0} p={0} style={{ listStyle: 'none' }}>
        {item.prompt.map((turn, i) => (
          <Paper component="li" key={i} withBorder p="sm" bg={turn.role === 'user' ? 'indigo.0' : undefined}>
            <Badge size="sm" variant="light" color={ROLE_COLOR[turn.role] ?? 'gray'} mb={6}>
              {t.has(`roles.${turn.role}`) ? t(`roles.${turn.role}`) : turn.role}
            </Badge>
            <PlainText>{turn.content}</PlainText>
          </Paper>
        ))}
      </Stack>
    </Box>
  );
});

/** Kind, source, safety flag and the owner's pseudonym (never who they are). */
export function ItemBadges({ item }: { item: Pick<Item, 'kind' | 'source' | 'ownerPseudonym'> }) {
  const t = useTranslations('review');
  return (
    <Group gap="xs" wrap="wrap">
      <Badge variant="light">{t(`kinds.${item.kind}.name`)}</Badge>
      <Badge variant="outline" color="gray" tt="none">
        {t('item.source', { source: t(`sources.${item.source}`) })}
      </Badge>
      {item.source === 'SAFETY' && (
        <Badge color="red.8" variant="filled" tt="none">
          {t('item.safetyFlag')}
        </Badge>
      )}
      <Text size="sm" c="dimmed">
        {t('item.owner')} <Text span ff="monospace" size="sm">{item.ownerPseudonym}</Text>
      </Text>
    </Group>
  );
}

/** Time left on a lease, counting down every second; red in its last minute. */
export function LeaseCountdown({ expiresAt }: { expiresAt: string }) {
  const t = useTranslations('review');
  const format = useFormatter();
  const now = useNow({ updateInterval: 1000 });
  const left = Math.max(0, Math.floor((new Date(expiresAt).getTime() - now.getTime()) / 1000));
  const minutes = format.number(Math.floor(left / 60));
  const seconds = format.number(left % 60, { minimumIntegerDigits: 2 });
  const expired = left === 0;
  return (
    <Badge
      role="timer"
      aria-live="off"
      aria-label={expired ? t('lease.expired') : t('lease.left', { time: `${minutes}:${seconds}` })}
      size="lg"
      variant={expired || left < 180 ? 'filled' : 'light'}
      autoContrast
      color={expired || left < 60 ? 'red.8' : left < 180 ? 'orange.3' : 'gray'}
      title={t('lease.until', { time: format.dateTime(new Date(expiresAt), { hour: '2-digit', minute: '2-digit' }) })}
      style={{ fontVariantNumeric: 'tabular-nums', textTransform: 'none' }}
    >
      {expired ? t('lease.expired') : t('lease.left', { time: `${minutes}:${seconds}` })}
    </Badge>
  );
}

/** One candidate reply: its letter, the model that wrote it, the text. */
export const CandidateCard = memo(function CandidateCard({ label, model, content, selected, children, headingLevel = 3 }: { label: string; model: string | null; content: string; selected?: boolean; children?: ReactNode; headingLevel?: 3 | 4 }) {
  const t = useTranslations('review');
  return (
    <Paper withBorder p="md" h="100%" style={selected ? { borderColor: 'var(--mantine-color-indigo-6)', boxShadow: '0 0 0 2px var(--mantine-color-indigo-2)' } : undefined}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={headingLevel} size="h5">
          {t('item.candidate', { label })}
        </Title>
        {model && (
          <Text size="xs" c="dimmed" truncate>
            {model}
          </Text>
        )}
      </Group>
      <PlainText>{content}</PlainText>
      {children}
    </Paper>
  );
});

/** An empty state whose title is a real heading (level 2), with optional actions. */
export function Empty({ title, description, children }: { title: string; description: string; children?: ReactNode }) {
  return (
    <EmptyState mt="xl">
      <EmptyState.Title order={2}>{title}</EmptyState.Title>
      <EmptyState.Description>{description}</EmptyState.Description>
      {children && <EmptyState.Actions>{children}</EmptyState.Actions>}
    </EmptyState>
  );
}
