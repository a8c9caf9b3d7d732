'use client';
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback } from 'react';

/**
 * One search parameter of the page as state (`?version=…`, `?run=…`): set through the browser's
 * history, which Next.js keeps useSearchParams in step with, so a page can be shared and no
 * server round trip is made for what only the page reads.
 */
export function useUrlParam(name: string): [string | null, (value: string | null) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const set = useCallback(
    (value: string | null) => {
      const next = new URLSearchParams(window.location.search);
      if (value === null) next.delete(name);
      else next.set(name, value);
      const q = next.toString();
      window.history.replaceState(null, '', q ? `${pathname}?${q}` : pathname);
    },
    [name, pathname],
  );
  return [params.get(name), set];
}
