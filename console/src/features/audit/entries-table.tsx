'use client';
import { Anchor, Box, Center, Group, Loader, Paper, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { AuditFilterInput, AuditRowFieldsFragment } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { AuditEntriesQuery } from './documents';
import { OutcomeBadge } from './outcome-badge';

const PAGE = 100;
const ROW_HEIGHT = 41;
const COLUMNS = 6;

/**
 * The entries the filter matches, newest first: pages of a hundred by cursor as the list scrolls,
 * and only the rows in sight are in the page (a million entries scroll as smoothly as ten).
 */
export function EntriesTable({ filter, selected, onOpen, onFirstPage }: { filter: AuditFilterInput; selected: number | null; onOpen(seq: number): void; onFirstPage?(): void }) {
  const t = useTranslations('audit');
  const format = useFormatter();
  const pages = useInfiniteQuery({
    queryKey: ['audit', 'entries', filter],
    queryFn: ({ pageParam, signal }) => gql(AuditEntriesQuery, { filter, first: PAGE, after: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.auditEntries.pageInfo.hasNextPage ? last.auditEntries.pageInfo.endCursor : undefined),
  });
  const rows: AuditRowFieldsFragment[] = pages.data?.pages.flatMap((p) => p.auditEntries.edges.map((e) => e.node)) ?? [];
  const answered = pages.isSuccess || pages.isError;
  useEffect(() => {
    if (answered) onFirstPage?.();
  }, [answered, onFirstPage]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtual.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  useEffect(() => {
    if (lastIndex >= rows.length - 30 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [lastIndex, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const top = items[0]?.start ?? 0;
  const bottom = virtual.getTotalSize() - (items.at(-1)?.end ?? 0);

  return (
    <Paper withBorder component="section" aria-labelledby="audit-entries">
      <Group justify="space-between" px="md" pt="md" pb="xs">
        <Title order={2} size="h4" id="audit-entries">
          {t('entries.title')}
        </Title>
        <Text size="sm" c="dimmed" aria-live="polite">
          {pages.isSuccess ? (hasNextPage ? t('entries.loadedMore', { count: rows.length }) : t('entries.count', { count: rows.length })) : ''}
        </Text>
      </Group>
      {pages.isError ? (
        <Box p="md">
          <ErrorNotice error={pages.error} />
        </Box>
      ) : (
        <Box ref={scroller} h={520} style={{ overflowY: 'auto' }} data-testid="audit-scroller" data-rows={rows.length} data-fetching={pages.isFetching || undefined}>
          <Table stickyHeader highlightOnHover verticalSpacing={8} layout="fixed" aria-labelledby="audit-entries" aria-rowcount={hasNextPage ? -1 : rows.length + 1}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={90}>{t('entries.seq')}</Table.Th>
                <Table.Th w={170}>{t('entries.at')}</Table.Th>
                <Table.Th>{t('entries.actor')}</Table.Th>
                <Table.Th>{t('entries.action')}</Table.Th>
                <Table.Th>{t('entries.subject')}</Table.Th>
                <Table.Th w={110}>{t('entries.outcome')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {top > 0 && (
                <tr aria-hidden style={{ height: top }}>
                  <td colSpan={COLUMNS} />
                </tr>
              )}
              {items.map((item) => {
                const r = rows[item.index]!;
                return (
                  <Table.Tr
                    key={r.seq}
                    h={ROW_HEIGHT}
                    aria-rowindex={item.index + 2}
                    aria-selected={selected === r.seq}
                    bg={selected === r.seq ? 'var(--mantine-primary-color-light)' : undefined}
                    onClick={() => onOpen(r.seq)}
                    style={{ cursor: 'pointer' }}
                  >
                    <Table.Td>
                      <Anchor component="button" type="button" size="sm" ff="monospace" onClick={() => onOpen(r.seq)} aria-label={t('entries.open', { seq: r.seq })}>
                        {r.seq}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate>
                        {format.dateTime(new Date(r.at), { dateStyle: 'short', timeStyle: 'medium' })}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate ff="monospace" title={r.actor.pseudonym ?? undefined}>
                        {r.actor.pseudonym ?? t(`actorKind.${r.actor.kind}`)}
                        {r.actor.role ? <Text span size="xs" c="dimmed">{` · ${r.actor.role}`}</Text> : null}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate title={r.action}>
                        {r.action}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate title={[r.subject.type, r.subject.id].filter(Boolean).join(' ')}>
                        {r.subject.type ?? '—'}
                        {r.subject.id ? <Text span size="xs" c="dimmed" ff="monospace">{` ${r.subject.id}`}</Text> : null}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <OutcomeBadge outcome={r.outcome} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {bottom > 0 && (
                <tr aria-hidden style={{ height: bottom }}>
                  <td colSpan={COLUMNS} />
                </tr>
              )}
            </Table.Tbody>
          </Table>
          {(pages.isPending || isFetchingNextPage) && (
            <Center py="sm">
              <Loader size="sm" aria-label={t('entries.loading')} />
            </Center>
          )}
          {pages.isSuccess && rows.length === 0 && (
            <Center py="xl">
              <Text c="dimmed">{t('entries.none')}</Text>
            </Center>
          )}
        </Box>
      )}
    </Paper>
  );
}
