'use client';
import { preloadAudit } from '@/features/audit/queries';
import { registerPreload } from '@/lib/preload';

// Registered when the layout's scripts load, before the session is restored (lib/preload.ts).
registerPreload('/audit', preloadAudit);

/** Renders nothing: it makes the layout load the pages' preloads with the shell. */
export function PagePreloads() {
  return null;
}
