'use client';
import { Badge, Button, CloseButton, Collapse, Group, Paper, SimpleGrid, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import { ReviewOutcomeQuery } from './documents';
import type { Item } from './draft';
import { ReviewCard } from './review-card';

/**
 * The item just reviewed, briefly: how many reviews are in, the agreement once they all are, and
 * (on request) the reviews themselves. Only ever shown after the reviewer's own review is in —
 * the api refuses the reviews before that.
 */
export function PreviousItem({ item, onDismiss }: { item: Item; onDismiss(): void }) {
  const t = useTranslations('review');
  const format = useFormatter();
  const [open, setOpen] = useState(false);
  const outcome = useQuery({ queryKey: ['review', 'outcome', item.id], queryFn: () => gql(ReviewOutcomeQuery, { id: item.id }) });
  const o = outcome.data?.reviewItem;
  return (
    <Paper component="section" withBorder p="sm" bg="gray.0" aria-labelledby="review-previous-heading">
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Group gap="sm" wrap="wrap">
          <Text fw={600} size="sm" id="review-previous-heading">
            {t('previous.title')}
          </Text>
          <Text size="sm">{t('previous.yoursIsIn')}</Text>
          {o && (
            <>
              <Text size="sm" c="dimmed">
                {t('previous.count', { count: o.reviewCount, required: o.requiredReviews })}
              </Text>
              {o.agreement !== null ? (
                <Badge variant="light" color={o.status === 'ADJUDICATION' ? 'orange' : 'teal'} c="dark.9" tt="none">
                  {t('previous.agreement', { value: format.number(o.agreement, { style: 'percent', maximumFractionDigits: 0 }) })}
                </Badge>
              ) : (
                <Text size="sm" c="dimmed">
                  {t('previous.waiting')}
                </Text>
              )}
              {o.status === 'ADJUDICATION' && (
                <Badge variant="light" color="orange" c="dark.9" tt="none">
                  {t('previous.toAdjudication')}
                </Badge>
              )}
            </>
          )}
        </Group>
        <Group gap={4} wrap="nowrap">
          {o && o.reviews.length > 0 && (
            <Button size="compact-sm" variant="subtle" onClick={() => setOpen((v) => !v)} aria-expanded={open}>
              {open ? t('previous.hide') : t('previous.show', { count: o.reviews.length })}
            </Button>
          )}
          <CloseButton size="sm" aria-label={t('previous.dismiss')} onClick={onDismiss} />
        </Group>
      </Group>
      {outcome.error && <ErrorNotice error={outcome.error} />}
      <Collapse expanded={open}>
        {o && (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs" mt="xs">
            {o.reviews.map((r) => (
              <ReviewCard key={r.id} review={r} item={item} compact />
            ))}
          </SimpleGrid>
        )}
      </Collapse>
    </Paper>
  );
}
