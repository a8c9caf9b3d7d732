import type { Action, SubjectName } from '@dialoop/api/rbac';
import { useMemo } from 'react';
import { useSession } from '@/lib/session/client';
import { abilityOf, type ConsoleAbility } from './ability';

// The rules themselves (no React): lib/ability.ts, which server code imports too.
export { abilityOf, type ConsoleAbility } from './ability';

export function useAbility(): ConsoleAbility {
  const session = useSession();
  const user = session.status === 'signedIn' ? session.user : undefined;
  return useMemo(() => abilityOf(user?.role, user?.id), [user?.role, user?.id]);
}

/** A page's requirement: what a person must be allowed to see it. */
export type Requirement = readonly [Action, SubjectName];
