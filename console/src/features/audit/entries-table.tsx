'use client';
import { Anchor, Box, Center, Group, Loader, Paper, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { AuditFilterInput, AuditRowFieldsFragment } from '@/gql/graphql';
import { OutcomeBadge } from './outcome-badge';
import { entriesQuery } from './queries';

const ROW_HEIGHT = 41;
const SCROLLER_HEIGHT = 520;
/** Rows rendered beyond those in sight, each way: enough for a wheel step, few enough to render at once. */
const OVERSCAN = 6;
const COLUMNS = 6;

/**
 * The entries the filter matches, newest first: pages of a hundred by cursor as the list scrolls,
 * and only the rows in sight are in the page (a million entries scroll as smoothly as ten).
 */
export function EntriesTable({ filter, selected, onOpen, onFirstPage }: { filter: AuditFilterInput; selected: number | null; onOpen(seq: number): void; onFirstPage?(): void }) {
  const t = useTranslations('audit');
  const pages = useInfiniteQuery(entriesQuery(filter));
  const rows: AuditRowFieldsFragment[] = pages.data?.pages.flatMap((p) => p.auditEntries.edges.map((e) => e.node)) ?? [];
  const answered = pages.isSuccess || pages.isError;
  useEffect(() => {
    if (answered) onFirstPage?.();
  }, [answered, onFirstPage]);
  const scroller = useRef<HTMLDivElement>(null);
  // Rows the server rendered can be scrolled before the page's scripts run; the virtualizer sets
  // its element back to the top when it takes it, so the place is kept here and put back after.
  const scrolledEarly = useRef(0);
  useLayoutEffect(() => {
    scrolledEarly.current = scroller.current?.scrollTop ?? 0;
  }, []);
  // Before the scroller is measured (on the server, and in the browser's first render, which must
  // match it), the rows that fill its height.
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: OVERSCAN, initialRect: { width: 0, height: SCROLLER_HEIGHT } });
  useLayoutEffect(() => {
    if (scrolledEarly.current > 0 && scroller.current) scroller.current.scrollTop = scrolledEarly.current;
  }, []);
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
        <Box ref={scroller} style={{ height: SCROLLER_HEIGHT, overflowY: 'auto' }} data-testid="audit-scroller" data-rows={rows.length} data-fetching={pages.isFetching || undefined}>
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
                return <EntryRow key={r.seq} row={r} index={item.index} selected={selected === r.seq} onOpen={onOpen} />;
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

/**
 * One entry, memoised (a row re-renders only when it is selected or let go), in plain `tr`/`td`
 * elements with the Mantine table's own classes and data attributes (what Table.Tr and Table.Td
 * render, without their per-cell props and context work): a page of rows renders in a few
 * milliseconds. The table sets highlightOnHover and row borders, as these attributes say. This
 * leans on Mantine's table internals (Table.classes, the data attributes Table.Tr and Table.Td
 * set): after a Mantine upgrade, look at the audit screenshots.
 */
const EntryRow = memo(function EntryRow({ row: r, index, selected, onOpen }: { row: AuditRowFieldsFragment; index: number; selected: boolean; onOpen(seq: number): void }) {
  const t = useTranslations('audit');
  const format = useFormatter();
  const subject = [r.subject.type, r.subject.id].filter(Boolean).join(' ');
  const td = Table.classes.td;
  return (
    <tr
      className={Table.classes.tr}
      data-with-row-border
      data-hover
      aria-rowindex={index + 2}
      aria-selected={selected}
      onClick={() => onOpen(r.seq)}
      style={{ height: ROW_HEIGHT, cursor: 'pointer', ...(selected ? { backgroundColor: 'var(--mantine-primary-color-light)' } : {}) }}
    >
      <td className={td}>
        <Anchor component="button" type="button" size="sm" ff="monospace" onClick={() => onOpen(r.seq)} aria-label={t('entries.open', { seq: r.seq })}>
          {r.seq}
        </Anchor>
      </td>
      <td className={`${td} dialoop-cell-truncate`}>{format.dateTime(new Date(r.at), { dateStyle: 'short', timeStyle: 'medium' })}</td>
      <td className={`${td} dialoop-cell-truncate dialoop-mono`} title={r.actor.pseudonym ?? undefined}>
        {r.actor.pseudonym ?? t(`actorKind.${r.actor.kind}`)}
        {r.actor.role ? <span className="dialoop-dimmed">{` · ${r.actor.role}`}</span> : null}
      </td>
      <td className={`${td} dialoop-cell-truncate`} title={r.action}>
        {r.action}
      </td>
      <td className={`${td} dialoop-cell-truncate`} title={subject}>
        {r.subject.type ?? '—'}
        {r.subject.id ? <span className="dialoop-dimmed dialoop-mono">{` ${r.subject.id}`}</span> : null}
      </td>
      <td className={td}>
        <OutcomeBadge outcome={r.outcome} />
      </td>
    </tr>
  );
});
