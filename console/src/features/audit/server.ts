import 'server-only';
import { QueryClient, dehydrate, type DehydratedState, type InfiniteData } from '@tanstack/react-query';
import type { AuditEntriesQuery as AuditEntriesResult } from '@/gql/graphql';
import { abilityOf } from '@/lib/ability';
import { serverQuery, serverUser } from '@/lib/session/server-render';
import { AuditEntriesQuery } from './documents';
import { entriesKey, filterOf, viewFromParams } from './filters';

/**
 * Rows the server renders into the page: a screenful and the next few (the table asks for pages of
 * a hundred after them as it scrolls). Fewer rows than a full page keep the HTML and its payload small.
 */
const SERVER_ROWS = 40;

/**
 * The table's first page of rows for the view in the URL, read on the server with the person's
 * access-token cookie and handed to the page's query cache, so the rows are in the HTML. Undefined
 * when the server could not read them (no cookie, not allowed, the api slow to answer): the page
 * asks from the browser, if the person may.
 */
export async function firstEntriesPage(search: URLSearchParams): Promise<DehydratedState | undefined> {
  // Only for a person the page allows: anyone else's read would be refused, and recorded in the
  // trail as a denied read they never asked for.
  const user = await serverUser();
  if (!user || !abilityOf(user.role, user.id).can('read', 'AuditEntry')) return undefined;
  const filter = filterOf(viewFromParams(search));
  const page = await serverQuery(AuditEntriesQuery, { filter, first: SERVER_ROWS, after: null });
  if (!page) return undefined;
  const client = new QueryClient();
  client.setQueryData<InfiniteData<AuditEntriesResult, string | null>>(entriesKey(filter), { pages: [page], pageParams: [null] });
  return dehydrate(client);
}
