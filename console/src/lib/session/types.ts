import type { RoleName } from '@dialoop/api/rbac';

/** What the console's session routes hand the page: the short-lived access token, in memory only. */
export interface SessionPayload {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: { id: string; email: string; name: string | null; role: RoleName };
}

export interface SessionErrorBody {
  error: { code: string; message: string };
}
