import type { NotificationHandlers, TextRows } from '@dialoop/db';

/** What the credential check needs of an account: its role and whether it is disabled, as text. */
export type AccountRow = readonly (string | null)[];

const USER_STATUS_SQL = 'SELECT "role"::text, "disabled"::text FROM "User" WHERE "id" = $1::uuid';

/** The PostgreSQL channel the "User" table's triggers notify with an account's id, or `*` for all (migration account_change_notify). */
export const ACCOUNT_CHANNEL = 'dialoop_account';
/** What the table's TRUNCATE trigger sends: forget every account. */
const EVERY_ACCOUNT = '*';

/**
 * Each account's role and disabled flag, read once and then kept in memory for the credential
 * check of every request, for as long as the database can tell this process that one changed: a
 * trigger NOTIFYs every api process at the commit of a role change, a disabling or an erasure, and
 * the account is read again by the next request. While the listening connection is down nothing
 * is kept (every request reads the database, as without the cache).
 *
 * A read that a change overtakes is not kept: every notification moves `changes`, and a row is
 * stored only if none arrived while it was read (else a row read just before a commit could be
 * stored just after its notification, and outlive it). And whatever happens to notifications, a
 * row is read again after `maxAgeMs`: a listening connection lost without a word (until its ping
 * finds out) leaves a change unseen for at most that long.
 */
export class AccountStatus implements NotificationHandlers {
  private readonly known = new Map<string, { row: AccountRow; at: number }>();
  private listening = false;
  private changes = 0;

  constructor(
    private readonly textRows: TextRows,
    private readonly o: { max?: number; maxAgeMs?: number } = {},
  ) {}

  async read(id: string): Promise<AccountRow | undefined> {
    const hit = this.known.get(id);
    if (hit && Date.now() - hit.at < (this.o.maxAgeMs ?? 60_000)) return hit.row;
    const seen = this.changes;
    const at = Date.now();
    const [row] = await this.textRows(USER_STATUS_SQL, [id], 'auth_user_status');
    if (row && this.listening && this.changes === seen) {
      this.known.delete(id);
      // Oldest first out when full (a Map keeps insertion order).
      if (this.known.size >= (this.o.max ?? 50_000)) this.known.delete(this.known.keys().next().value!);
      this.known.set(id, { row, at });
    }
    return row;
  }

  /** A NOTIFY on ACCOUNT_CHANNEL: the account's id, or `*` for every account. */
  message(id: string): void {
    this.changes++;
    if (id === EVERY_ACCOUNT) this.known.clear();
    else this.known.delete(id);
  }

  state(listening: boolean): void {
    this.changes++;
    this.listening = listening;
    this.known.clear();
  }
}
