'use client';
import { useState } from 'react';

/**
 * An action on one row of a table (switch, unlock, delete): which row is busy, the last error,
 * and `run(rowId, op)`, which refreshes what the page shows after a success.
 */
export function useRowAction(refresh: () => Promise<unknown>) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async (id: string, op: () => Promise<unknown>) => {
    setBusy(id);
    setError(null);
    try {
      await op();
      await refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, run };
}
