'use client';
import { createContext, use, type ReactNode } from 'react';
import type { SessionPayload } from './types';

/**
 * The person the console's server saw, for a page it rendered (lib/session/server-render.ts):
 * `useSession` reports them until the page has restored its own session, so the server's HTML and
 * the browser's first render agree. Null everywhere else.
 */
export const SessionSeedContext = createContext<SessionPayload['user'] | null>(null);

export function SessionSeed({ user, children }: { user: Promise<SessionPayload['user'] | null>; children: ReactNode }) {
  return <SessionSeedContext.Provider value={use(user)}>{children}</SessionSeedContext.Provider>;
}
