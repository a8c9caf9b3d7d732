import { infiniteQueryOptions, type QueryClient } from '@tanstack/react-query';
import type { AuditFilterInput } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { AuditEntriesQuery } from './documents';
import { ENTRIES_PAGE, entriesKey, filterOf, viewFromParams } from './filters';

/** The entries the filter matches, newest first, by cursor: the table's query. */
export const entriesQuery = (filter: AuditFilterInput) =>
  infiniteQueryOptions({
    queryKey: entriesKey(filter),
    queryFn: ({ pageParam, signal }) => gql(AuditEntriesQuery, { filter, first: ENTRIES_PAGE, after: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.auditEntries.pageInfo.hasNextPage ? last.auditEntries.pageInfo.endCursor : undefined),
  });

/**
 * The page's first rows, asked for by the shell as soon as a page load's session is back (only
 * for a person allowed to read the trail), so the request runs while React renders the page; the
 * table then finds it in flight instead of asking again.
 */
export function preloadAudit(client: QueryClient, search: URLSearchParams): void {
  void client.prefetchInfiniteQuery(entriesQuery(filterOf(viewFromParams(search))));
}
