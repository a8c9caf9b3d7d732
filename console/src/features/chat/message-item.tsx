'use client';
import { ActionIcon, Badge, Box, Button, Group, Paper, Stack, Text, Textarea, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import type { ChatMessageFragment } from '@/gql/graphql';
import { Markdown } from '@/components/ui/markdown';
import { RatingControls } from './rating';
import { useStream } from './streams';

export interface MessageActions {
  select(id: string): void;
  stop(id: string): void;
  regenerate(id: string): void;
  /** A new reply that begins with this one's text and goes on (one cut short). */
  continue(id: string): void;
  editAndResend(id: string, content: string): void;
  rated(id: string, rating: NonNullable<ChatMessageFragment['myRating']>): void;
}

/** "‹ 2 / 3 ›": moves between siblings (regenerated replies, edited prompts). */
function SiblingNav({ siblings, index, onSelect }: { siblings: { id: string }[]; index: number; onSelect(id: string): void }) {
  const t = useTranslations('chat');
  if (siblings.length < 2) return null;
  return (
    <Group gap={2} wrap="nowrap" role="group" aria-label={t('versions')}>
      <ActionIcon variant="subtle" size="sm" disabled={index === 0} aria-label={t('previousVersion')} onClick={() => onSelect(siblings[index - 1]!.id)}>
        ‹
      </ActionIcon>
      <Text size="xs" c="dimmed" aria-live="polite">
        {t('versionOf', { index: index + 1, total: siblings.length })}
      </Text>
      <ActionIcon variant="subtle" size="sm" disabled={index === siblings.length - 1} aria-label={t('nextVersion')} onClick={() => onSelect(siblings[index + 1]!.id)}>
        ›
      </ActionIcon>
    </Group>
  );
}

export function MessageItem({ message, siblings, index, actions, busy }: { message: ChatMessageFragment; siblings: ChatMessageFragment[]; index: number; actions: MessageActions; busy: boolean }) {
  const t = useTranslations('chat');
  const live = useStream(message.id);
  const [editing, setEditing] = useState<string | null>(null);
  const streaming = (message.status === 'STREAMING' || message.status === 'QUEUED') && !live?.done;
  const waiting = streaming && !live?.text && (live?.queue ?? (message.status === 'QUEUED' ? { position: null, estimatedWaitMs: null } : null));
  const text = live && (live.text || streaming) ? live.text : message.content;
  const status = live?.done ? (live.status ?? message.status) : message.status;
  const error = live?.error ?? (message.errorCode ? { code: message.errorCode, message: message.errorMessage ?? '' } : null);
  const isUser = message.role === 'USER';
  const finishReason = live?.done ? live.finishReason : message.finishReason;
  // Cut short, with text to go on from: by a stopped server or upstream, by Stop, or by its length limit.
  const continuable = !!text && (status === 'INTERRUPTED' || status === 'CANCELLED' || (status === 'COMPLETE' && finishReason === 'length'));

  if (isUser) {
    return (
      <Stack gap={4} align="flex-end" component="article" aria-label={t('yourMessage')}>
        {editing !== null ? (
          <Paper withBorder p="sm" w="min(100%, 640px)">
            <Stack gap="xs">
              <Textarea aria-label={t('editMessage')} value={editing} onChange={(e) => setEditing(e.currentTarget.value)} autosize minRows={2} data-autofocus autoFocus />
              <Group justify="flex-end" gap="xs">
                <Button size="xs" variant="default" onClick={() => setEditing(null)}>
                  {t('cancel')}
                </Button>
                <Button
                  size="xs"
                  disabled={!editing.trim()}
                  onClick={() => {
                    actions.editAndResend(message.id, editing.trim());
                    setEditing(null);
                  }}
                >
                  {t('sendEdit')}
                </Button>
              </Group>
            </Stack>
          </Paper>
        ) : (
          <Paper bg="indigo.0" p="sm" maw="min(100%, 640px)" radius="lg">
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {message.content}
            </Text>
          </Paper>
        )}
        <Group gap="xs">
          <SiblingNav siblings={siblings} index={index} onSelect={actions.select} />
          {editing === null && (
            <Tooltip label={t('edit')}>
              <Button variant="subtle" size="compact-xs" disabled={busy} onClick={() => setEditing(message.content)}>
                {t('edit')}
              </Button>
            </Tooltip>
          )}
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap={4} component="article" aria-label={t('assistantMessage')} aria-busy={streaming}>
      <Paper withBorder p="sm" radius="lg" maw="min(100%, 760px)">
        <Box className="dialoop-reply" style={{ fontSize: 'var(--mantine-font-size-sm)', overflowWrap: 'anywhere' }}>
          {text ? (
            <Markdown text={text} />
          ) : waiting ? (
            <Text size="sm" c="dimmed" role="status">
              {waiting.position ? t('waitingAt', { position: waiting.position }) : t('waiting')}
              {waiting.estimatedWaitMs != null && ` · ${t('waitingEta', { seconds: Math.max(1, Math.round(waiting.estimatedWaitMs / 1000)) })}`}
            </Text>
          ) : streaming ? (
            <Text size="sm" c="dimmed">
              {t('thinking')}
            </Text>
          ) : null}
        </Box>
        {error && (
          <Text size="xs" c={status === 'INTERRUPTED' && text ? 'orange.8' : 'red'} mt={4} role="status">
            {status === 'INTERRUPTED' && text ? t('replyInterrupted', { code: error.code }) : t('replyFailed', { code: error.code })}{' '}
            {t.has(`errorCodes.${error.code}`) ? t(`errorCodes.${error.code}`) : error.message}
          </Text>
        )}
        {!streaming && status !== 'COMPLETE' && !error && (
          <Badge size="xs" variant="light" color="gray" mt={4}>
            {t(`status.${status}`)}
          </Badge>
        )}
      </Paper>
      <Group gap="xs" wrap="wrap">
        <SiblingNav siblings={siblings} index={index} onSelect={actions.select} />
        {message.model && (
          <Text size="xs" c="dimmed">
            {message.model}
          </Text>
        )}
        {streaming ? (
          <Button size="compact-xs" variant="light" color="red" onClick={() => actions.stop(message.id)}>
            {t('stop')}
          </Button>
        ) : (
          <>
            <Button size="compact-xs" variant="subtle" disabled={busy} onClick={() => actions.regenerate(message.id)}>
              {t('regenerate')}
            </Button>
            {continuable && (
              <Tooltip label={t('continueHint')} position="bottom">
                <Button size="compact-xs" variant="subtle" disabled={busy} onClick={() => actions.continue(message.id)}>
                  {t('continue')}
                </Button>
              </Tooltip>
            )}
            {status === 'COMPLETE' && <RatingControls messageId={message.id} rating={message.myRating} onRated={(r) => actions.rated(message.id, r)} />}
          </>
        )}
      </Group>
    </Stack>
  );
}
