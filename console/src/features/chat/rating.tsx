'use client';
import { ActionIcon, Button, Group, Popover, Rating as Stars, Stack, TagsInput, Textarea, Tooltip } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import type { ChatMessageFragment } from '@/gql/graphql';
import { RateMutation } from './documents';

type Rating = NonNullable<ChatMessageFragment['myRating']>;

/** A thumb drawn inline (no emoji font needed), pointing up or down. */
function Thumb({ down }: { down?: boolean }) {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" style={down ? { transform: 'rotate(180deg)' } : undefined} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M7 10v11H3V10h4zm0 0 4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.1 21H7" />
    </svg>
  );
}

/** Thumbs, a 1-5 score, tags and a comment on one reply (one rating per person per reply). */
export function RatingControls({ messageId, rating, onRated }: { messageId: string; rating: ChatMessageFragment['myRating']; onRated(r: Rating): void }) {
  const t = useTranslations('chat');
  const [open, setOpen] = useState(false);
  const [tags, setTags] = useState<string[]>(rating?.tags ?? []);
  const [comment, setComment] = useState(rating?.comment ?? '');
  const rate = useMutation({
    mutationFn: (input: { thumb?: 'UP' | 'DOWN' | null; score?: number | null; tags?: string[]; comment?: string | null }) => gql(RateMutation, { messageId, input }),
    onSuccess: (d) => onRated(d.rateMessage),
  });
  return (
    <Group gap={4} wrap="nowrap">
      <Tooltip label={t('thumbUp')}>
        <ActionIcon variant={rating?.thumb === 'UP' ? 'filled' : 'subtle'} color="teal" size="sm" aria-label={t('thumbUp')} aria-pressed={rating?.thumb === 'UP'} onClick={() => rate.mutate({ thumb: 'UP' })}>
          <Thumb />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={t('thumbDown')}>
        <ActionIcon variant={rating?.thumb === 'DOWN' ? 'filled' : 'subtle'} color="red" size="sm" aria-label={t('thumbDown')} aria-pressed={rating?.thumb === 'DOWN'} onClick={() => rate.mutate({ thumb: 'DOWN' })}>
          <Thumb down />
        </ActionIcon>
      </Tooltip>
      <Stars size="xs" value={rating?.score ?? 0} onChange={(score) => rate.mutate({ score })} aria-label={t('score')} getSymbolLabel={(i) => t('scoreValue', { score: i + 1 })} />
      <Popover opened={open} onChange={setOpen} width={300} position="top" withArrow trapFocus>
        <Popover.Target>
          <Button variant="subtle" size="compact-xs" onClick={() => setOpen((o) => !o)}>
            {rating?.tags.length || rating?.comment ? t('editFeedback') : t('addFeedback')}
          </Button>
        </Popover.Target>
        <Popover.Dropdown>
          <Stack gap="xs">
            {rate.error && <ErrorNotice error={rate.error} />}
            <TagsInput label={t('tags')} value={tags} onChange={setTags} data={['helpful', 'accurate', 'wrong', 'unsafe', 'off-topic']} />
            <Textarea label={t('comment')} value={comment} onChange={(e) => setComment(e.currentTarget.value)} autosize minRows={2} />
            <Button size="xs" loading={rate.isPending} onClick={() => rate.mutate({ tags, comment: comment || null }, { onSuccess: () => setOpen(false) })}>
              {t('saveFeedback')}
            </Button>
          </Stack>
        </Popover.Dropdown>
      </Popover>
    </Group>
  );
}
