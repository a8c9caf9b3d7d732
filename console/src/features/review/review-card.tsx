'use client';
import { Badge, Group, List, Paper, Stack, Table, Text } from '@mantine/core';
import { useFormatter, useTranslations } from 'use-intl';
import type { ReviewFieldsFragment } from '@/gql/graphql';
import { WordDiff } from './correction';
import type { Item } from './draft';
import { PlainText } from './item-parts';

/** One person's review as it was submitted: their answer, tags and comment, by pseudonym. */
export function ReviewCard({ review, item, compact = false }: { review: ReviewFieldsFragment; item: Pick<Item, 'candidates' | 'rubric'>; compact?: boolean }) {
  const t = useTranslations('review');
  const format = useFormatter();
  const name = (id: string | null) => t('item.candidate', { label: item.candidates.find((c) => c.id === id)?.label ?? '?' });
  const criterion = (id: string) => (t.has(`rubric.criteria.${id}`) ? t(`rubric.criteria.${id}`) : (item.rubric.find((c) => c.id === id)?.label ?? id));
  return (
    <Paper component="article" withBorder p={compact ? 'xs' : 'md'} aria-label={t('reviews.by', { reviewer: review.reviewerPseudonym })}>
      <Group justify="space-between" wrap="nowrap" mb="xs" gap="xs">
        <Text size="sm" ff="monospace" truncate title={review.reviewerPseudonym}>
          {review.reviewerPseudonym}
        </Text>
        <Group gap={4} wrap="nowrap">
          {review.adjudication && (
            <Badge size="sm" color="grape.8">
              {t('reviews.adjudication')}
            </Badge>
          )}
          <Text size="xs" c="dimmed">
            {format.dateTime(new Date(review.createdAt), { dateStyle: 'medium', timeStyle: 'short' })}
          </Text>
        </Group>
      </Group>
      <Stack gap="xs">
        {review.kind === 'PAIRWISE' && (
          <Text fw={600}>
            {review.choice === 'TIE'
              ? t('reviews.tie')
              : t('reviews.choice', { name: t('item.candidate', { label: review.choice ?? '?' }), strength: review.strength ? t(`pairwise.strengths.${review.strength}`) : '—' })}
          </Text>
        )}
        {review.kind === 'RANKING' && review.ranking && (
          <List type="ordered" size="sm" spacing={2} aria-label={t('reviews.ranking')}>
            {review.ranking.map((id) => (
              <List.Item key={id}>{name(id)}</List.Item>
            ))}
          </List>
        )}
        {review.kind === 'RUBRIC' && (
          <>
            <Text size="sm" fw={600}>
              {t('reviews.scored', { name: name(review.candidateId) })}
            </Text>
            <Table withRowBorders={false} verticalSpacing={2} fz="sm">
              <Table.Tbody>
                {(review.scores ?? []).map((s) => (
                  <Table.Tr key={s.criterion}>
                    <Table.Th fw={400} w="60%">
                      {criterion(s.criterion)}
                    </Table.Th>
                    <Table.Td fw={600}>{format.number(s.score)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )}
        {review.kind === 'CORRECTION' && review.text !== null && (
          <WordDiff original={item.candidates.find((c) => c.id === review.candidateId)?.content ?? ''} text={review.text} title={t('reviews.corrected', { name: name(review.candidateId) })} />
        )}
        {review.tags.length > 0 && (
          <Group gap={4} aria-label={t('form.tags')}>
            {review.tags.map((tag) => (
              <Badge key={tag} size="sm" variant="outline" color="gray" style={{ textTransform: 'none' }}>
                {tag}
              </Badge>
            ))}
          </Group>
        )}
        {review.comment && (
          <PlainText fz="sm" c="dimmed">
            {review.comment}
          </PlainText>
        )}
      </Stack>
    </Paper>
  );
}
