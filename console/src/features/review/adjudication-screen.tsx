'use client';
import { Alert, Badge, Button, Center, Group, Loader, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { ReviewAdjudicationItemQuery, ReviewInput } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { AdjudicateMutation, AdjudicationItemQuery, AdjudicationListQuery } from './documents';
import { useDraft } from './draft';
import { Empty, ItemBadges } from './item-parts';
import { ReviewCard } from './review-card';
import { ReviewForm } from './review-form';

const LIST_KEY = ['review', 'adjudication', 'list'] as const;

/** Items whose reviews disagree: a list, and one item with every review beside the decision. */
export function AdjudicationScreen() {
  const itemId = useSearchParams().get('item');
  return itemId ? <AdjudicateItem key={itemId} id={itemId} /> : <AdjudicationList />;
}

function AdjudicationList() {
  const t = useTranslations('review');
  const format = useFormatter();
  const list = useInfiniteQuery({
    queryKey: LIST_KEY,
    queryFn: ({ pageParam }) => gql(AdjudicationListQuery, { after: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.reviewItems.hasNextPage ? last.reviewItems.endCursor : undefined),
  });
  const items = list.data?.pages.flatMap((p) => p.reviewItems.nodes) ?? [];
  return (
    <Stack gap="lg" maw={1200}>
      <div>
        <Title order={1} size="h2">
          {t('adjudicate.title')}
        </Title>
        <Text c="dimmed">{t('adjudicate.subtitle')}</Text>
      </div>
      {list.error && <ErrorNotice error={list.error} />}
      {list.isPending ? (
        <Center mih={160}>
          <Loader aria-label={t('label.loading')} />
        </Center>
      ) : items.length === 0 ? (
        <Empty title={t('adjudicate.emptyTitle')} description={t('adjudicate.emptyBody')} />
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('adjudicate.listLabel')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('adjudicate.kind')}</Table.Th>
                <Table.Th>{t('adjudicate.source')}</Table.Th>
                <Table.Th>{t('adjudicate.created')}</Table.Th>
                <Table.Th ta="right">{t('adjudicate.reviews')}</Table.Th>
                <Table.Th ta="right">{t('adjudicate.agreement')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('adjudicate.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item, i) => (
                <Table.Tr key={item.id}>
                  <Table.Td>{t(`kinds.${item.kind}.title`)}</Table.Td>
                  <Table.Td>{t(`sources.${item.source}`)}</Table.Td>
                  <Table.Td>{format.dateTime(new Date(item.createdAt), { dateStyle: 'medium', timeStyle: 'short' })}</Table.Td>
                  <Table.Td ta="right">{format.number(item.reviewCount)}</Table.Td>
                  <Table.Td ta="right">{item.agreement === null ? '—' : format.number(item.agreement, { style: 'percent', maximumFractionDigits: 0 })}</Table.Td>
                  <Table.Td ta="right">
                    <Button size="xs" variant="light" component={Link} href={`/review/adjudicate?item=${encodeURIComponent(item.id)}`}>
                      {t('adjudicate.open', { n: i + 1, kind: t(`kinds.${item.kind}.item`) })}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {list.hasNextPage && (
        <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} w="fit-content">
          {t('adjudicate.more')}
        </Button>
      )}
    </Stack>
  );
}

type Detail = ReviewAdjudicationItemQuery['reviewItem'];

function AdjudicateItem({ id }: { id: string }) {
  const t = useTranslations('review');
  const query = useQuery({ queryKey: ['review', 'adjudication', 'item', id], queryFn: () => gql(AdjudicationItemQuery, { id }) });
  const item = query.data?.reviewItem ?? null;
  return (
    <Stack gap="md" maw={1400}>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={6}>
          <Title order={1} size="h2">
            {t('adjudicate.itemTitle', { kind: t(`kinds.${item?.kind ?? 'PAIRWISE'}.title`) })}
          </Title>
          {item && <ItemBadges item={item} />}
        </Stack>
        <Button component={Link} href="/review/adjudicate" variant="subtle">
          {t('adjudicate.back')}
        </Button>
      </Group>
      {query.error && <ErrorNotice error={query.error} />}
      {query.isPending && (
        <Center mih={200}>
          <Loader aria-label={t('label.loading')} />
        </Center>
      )}
      {item && <Decide item={item} />}
    </Stack>
  );
}

function Decide({ item }: { item: Detail }) {
  const t = useTranslations('review');
  const format = useFormatter();
  const router = useRouter();
  const qc = useQueryClient();
  const { draft, restored, update, discard } = useDraft(item, 'adjudication');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const reviews = item.reviews.filter((r) => !r.adjudication);
  const earlier = item.reviews.find((r) => r.adjudication);

  const decide = async (input: ReviewInput) => {
    setBusy(true);
    setError(null);
    try {
      await gql(AdjudicateMutation, { itemId: item.id, input });
      discard();
      notifications.show({ color: 'teal', message: t('adjudicate.decided') });
      await qc.invalidateQueries({ queryKey: ['review'] });
      router.push('/review/adjudicate');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const context = (
    <section aria-labelledby="adjudicate-reviews">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h4" id="adjudicate-reviews">
          {t('adjudicate.reviewsTitle', { count: reviews.length })}
        </Title>
        <Badge size="lg" variant="light" color="orange" c="dark.9" tt="none">
          {item.agreement === null ? t('adjudicate.noAgreement') : t('previous.agreement', { value: format.number(item.agreement, { style: 'percent', maximumFractionDigits: 0 }) })}
        </Badge>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, xl: Math.min(3, Math.max(reviews.length, 1)) }} spacing="sm">
        {reviews.map((r) => (
          <ReviewCard key={r.id} review={r} item={item} />
        ))}
      </SimpleGrid>
      {earlier && (
        <Text size="sm" c="dimmed" mt="xs">
          {t('adjudicate.earlier', { reviewer: earlier.reviewerPseudonym })}
        </Text>
      )}
    </section>
  );

  if (item.status !== 'ADJUDICATION') {
    return (
      <Stack>
        <Alert color="teal" role="status">
          {t('adjudicate.notWaiting', { status: t(`status.${item.status}`) })}
        </Alert>
        {context}
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      {restored && (
        <Alert color="blue" variant="light" role="status" py="xs">
          {t('label.restored')}
        </Alert>
      )}
      {error !== null && <ErrorNotice error={error} />}
      {draft && (
        <ReviewForm item={item} draft={draft} update={update} onSubmit={(input) => void decide(input)} submitting={busy} submitLabel={t('adjudicate.decide')} keysEnabled context={context} />
      )}
    </Stack>
  );
}
