import type { MessageStatus } from '@dialoop/db';

/**
 * One event of a reply's stream, as published and replayed. Deltas carry seq 1, 2, …; the
 * last event (`done: true`) carries the next seq and either a finish reason or an error. While
 * the reply waits in the queue, events with seq 0 (live only, never replayed) say where it stands.
 */
export interface StreamEvent {
  seq: number;
  delta?: string;
  /**
   * A delta's: when the api received the upstream delta it came from (epoch ms, the generating
   * process's clock). Subscribers hearing it live observe their delivery lag with it; clients never see it.
   */
  at?: number | undefined;
  done?: boolean;
  status?: MessageStatus;
  finishReason?: string | null;
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  timings?: { timeToFirstTokenMs: number | null; tokensPerSecond: number | null } | null;
  error?: { code: string; message: string; retryAfterMs?: number } | null;
  /** While the reply waits for a model server (events with seq 0, before any delta): its 1-based place in line… */
  queuePosition?: number;
  /** …and roughly how long until it starts (null: not known yet). */
  estimatedWaitMs?: number | null;
}

/** A finished message row, enough to replay its stream event by event. */
export interface FinishedRow {
  content: string;
  deltaEnds: number[];
  status: MessageStatus;
  finishReason: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  timeToFirstTokenMs: number | null;
  tokensPerSecond: number | null;
}

export function finalEvent(seq: number, row: Omit<FinishedRow, 'content' | 'deltaEnds'>): StreamEvent {
  // Usage is what the upstream reported; a reply stopped early (cancelled, interrupted) has none.
  const usage =
    row.promptTokens !== null && row.completionTokens !== null
      ? { promptTokens: row.promptTokens, completionTokens: row.completionTokens, totalTokens: row.promptTokens + row.completionTokens }
      : null;
  return {
    seq,
    done: true,
    status: row.status,
    finishReason: row.finishReason,
    usage,
    timings: { timeToFirstTokenMs: row.timeToFirstTokenMs, tokensPerSecond: row.tokensPerSecond },
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? row.errorCode } : null,
  };
}

/** Rebuilds the events of a finished reply from its row, with the seqs it streamed with. */
export function eventsFromRow(row: FinishedRow): StreamEvent[] {
  // A reply cut short by a crash has no recorded delta ends: its partial text replays as one delta.
  const ends = row.deltaEnds.length > 0 ? row.deltaEnds : row.content.length > 0 ? [row.content.length] : [];
  const events: StreamEvent[] = [];
  let start = 0;
  for (const end of ends) {
    events.push({ seq: events.length + 1, delta: row.content.slice(start, end) });
    start = end;
  }
  events.push(finalEvent(events.length + 1, row));
  return events;
}
