import { describe, expect, it } from 'vitest';
import { AccountStatus } from './account-status.js';

/** A database stand-in: counts reads, answers each with the row it holds now, and can hold a read back. */
function table(rows: Record<string, [string, string]>) {
  let reads = 0;
  let gate: Promise<void> | undefined;
  return {
    rows,
    reads: () => reads,
    hold() {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return release;
    },
    textRows: async (_sql: string, params: readonly unknown[]) => {
      reads++;
      const answer = rows[String(params[0])];
      await gate;
      return answer ? [[...answer]] : [];
    },
  };
}

describe('AccountStatus', () => {
  it('keeps what it read while listening, and reads again after a change is notified', async () => {
    const db = table({ a: ['USER', 'false'] });
    const accounts = new AccountStatus(db.textRows);
    accounts.state(true);
    expect(await accounts.read('a')).toEqual(['USER', 'false']);
    expect(await accounts.read('a')).toEqual(['USER', 'false']);
    expect(db.reads()).toBe(1);
    db.rows.a = ['ADMIN', 'false'];
    accounts.message('a');
    expect(await accounts.read('a')).toEqual(['ADMIN', 'false']);
    expect(db.reads()).toBe(2);
  });

  it('keeps nothing while not listening (before the connection is up, or after it is lost)', async () => {
    const db = table({ a: ['USER', 'false'] });
    const accounts = new AccountStatus(db.textRows);
    await accounts.read('a');
    await accounts.read('a');
    expect(db.reads()).toBe(2);
    accounts.state(true);
    await accounts.read('a');
    accounts.state(false);
    await accounts.read('a');
    expect(db.reads()).toBe(4);
  });

  it('does not keep a row that a change overtook while it was read', async () => {
    const db = table({ a: ['USER', 'false'] });
    const accounts = new AccountStatus(db.textRows);
    accounts.state(true);
    const release = db.hold();
    const reading = accounts.read('a');
    // The account is disabled and its notification arrives before the (older) answer does.
    db.rows.a = ['USER', 'true'];
    accounts.message('a');
    release();
    expect(await reading).toEqual(['USER', 'false']);
    expect(await accounts.read('a')).toEqual(['USER', 'true']);
  });

  it('holds at most `max` accounts, the oldest leaving first; an unknown account is never kept', async () => {
    const db = table({ a: ['USER', 'false'], b: ['USER', 'false'], c: ['USER', 'false'] });
    const accounts = new AccountStatus(db.textRows, { max: 2 });
    accounts.state(true);
    for (const id of ['a', 'b', 'c']) await accounts.read(id);
    expect(db.reads()).toBe(3);
    await accounts.read('c');
    await accounts.read('b');
    expect(db.reads()).toBe(3);
    await accounts.read('a');
    expect(db.reads()).toBe(4);
    expect(await accounts.read('gone')).toBeUndefined();
    expect(await accounts.read('gone')).toBeUndefined();
    expect(db.reads()).toBe(6);
  });

  it('reads a row again once it is older than maxAgeMs, and forgets every account on `*`', async () => {
    const db = table({ a: ['USER', 'false'], b: ['USER', 'false'] });
    const accounts = new AccountStatus(db.textRows, { maxAgeMs: 40 });
    accounts.state(true);
    await accounts.read('a');
    await accounts.read('b');
    await accounts.read('a');
    expect(db.reads()).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    await accounts.read('a');
    expect(db.reads()).toBe(3);
    accounts.message('*');
    await accounts.read('a');
    await accounts.read('b');
    expect(db.reads()).toBe(5);
  });
});
