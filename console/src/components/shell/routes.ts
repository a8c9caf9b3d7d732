import type { Requirement } from '@/lib/rbac';

/**
 * The console's pages and what each needs, in one place: the menu shows an entry only when the
 * person may use it, and the shell shows "not allowed" (never the page, never its data) for a
 * direct URL the person may not use. The longest matching prefix decides.
 */
export interface ConsoleRoute {
  href: string;
  /** Key under `common.nav`. */
  label: 'chat' | 'review' | 'adjudicate' | 'agreement' | 'audit' | 'users' | 'datasets' | 'training' | 'models' | 'safety' | 'system';
  requires: Requirement;
  /** Shown in the menu (labelling pages are reached from the queue). */
  menu: boolean;
}

export const ROUTES: readonly ConsoleRoute[] = [
  { href: '/chat', label: 'chat', requires: ['create', 'Message'], menu: true },
  { href: '/review', label: 'review', requires: ['create', 'Review'], menu: true },
  { href: '/review/adjudicate', label: 'adjudicate', requires: ['update', 'ReviewItem'], menu: true },
  { href: '/review/agreement', label: 'agreement', requires: ['read', 'PreferencePair'], menu: true },
  { href: '/datasets', label: 'datasets', requires: ['read', 'DatasetVersion'], menu: true },
  { href: '/training', label: 'training', requires: ['read', 'TrainingRun'], menu: true },
  { href: '/models', label: 'models', requires: ['read', 'ModelVersion'], menu: true },
  { href: '/audit', label: 'audit', requires: ['read', 'AuditEntry'], menu: true },
  { href: '/admin/users', label: 'users', requires: ['update', 'User'], menu: true },
  { href: '/admin/safety', label: 'safety', requires: ['update', 'SafetyTerm'], menu: true },
  { href: '/admin/system', label: 'system', requires: ['read', 'InferenceServer'], menu: true },
];

export function routeFor(pathname: string): ConsoleRoute | undefined {
  return ROUTES.filter((r) => pathname === r.href || pathname.startsWith(`${r.href}/`)).sort((a, b) => b.href.length - a.href.length)[0];
}
