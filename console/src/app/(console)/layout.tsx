import type { ReactNode } from 'react';
import { ConsoleShell } from '@/components/shell/console-shell';
import { EARLY_REFRESH_SCRIPT } from '@/lib/session/early-refresh';
import { SessionSeed } from '@/lib/session/seed';
import { serverRenderedUser } from '@/lib/session/server-render';
import { PagePreloads } from './page-preloads';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  // On a page the server renders (lib/session/server-render.ts), the shell renders around it too.
  // Not awaited here: the person is asked for while the page asks for its own first answer.
  const user = serverRenderedUser();
  return (
    <>
      {/* Restores the session while the page's scripts download (lib/session/early-refresh.ts). */}
      <script dangerouslySetInnerHTML={{ __html: EARLY_REFRESH_SCRIPT }} />
      <PagePreloads />
      {/* No Suspense boundary here: a server-rendered page's rows arrive with the document, not in a
          streamed boundary that React reveals up to 300 ms later. Every page is dynamic (it reads the
          cookies), so useSearchParams needs none. */}
      <SessionSeed user={user}>
        <ConsoleShell>{children}</ConsoleShell>
      </SessionSeed>
    </>
  );
}
