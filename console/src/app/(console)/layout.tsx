import { Suspense, type ReactNode } from 'react';
import { ConsoleShell } from '@/components/shell/console-shell';
import { EARLY_REFRESH_SCRIPT } from '@/lib/session/early-refresh';
import { PagePreloads } from './page-preloads';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <>
      {/* Restores the session while the page's scripts download (lib/session/early-refresh.ts). */}
      <script dangerouslySetInnerHTML={{ __html: EARLY_REFRESH_SCRIPT }} />
      <PagePreloads />
      <Suspense>
        <ConsoleShell>{children}</ConsoleShell>
      </Suspense>
    </>
  );
}
