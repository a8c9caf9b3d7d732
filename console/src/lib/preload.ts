import type { QueryClient } from '@tanstack/react-query';

/**
 * A page's first request, started by the shell as soon as a page load's session is restored,
 * before React renders the page, and only for a person the page allows (see ConsoleShell): for
 * pages whose first answer is slow to come. The signed-in pages' layout registers them
 * (app/(console)/page-preloads.tsx), so the shell knows no feature.
 */
export type Preload = (client: QueryClient, search: URLSearchParams) => void;

const preloads = new Map<string, Preload>();

export function registerPreload(href: string, preload: Preload): void {
  preloads.set(href, preload);
}

export function preloadFor(href: string): Preload | undefined {
  return preloads.get(href);
}
