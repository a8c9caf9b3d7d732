import { HydrationBoundary } from '@tanstack/react-query';
import { AuditScreen } from '@/features/audit';
import { firstEntriesPage } from '@/features/audit/server';

/** Server-rendered with its first page of rows (lib/session/server-render.ts lists the page). */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(await searchParams)) if (typeof v === 'string') search.set(k, v);
  return (
    <HydrationBoundary state={await firstEntriesPage(search)}>
      <AuditScreen />
    </HydrationBoundary>
  );
}
