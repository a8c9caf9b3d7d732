import type { StreamEvent } from './events.js';

/** An event on its way to one subscriber: coalesced deltas say which seqs they carry (`firstSeq`..`seq`). */
export type CoalescedEvent = StreamEvent & { firstSeq?: number };

/** Where coalesced events go: the subscription's queue (EventQueue). */
export interface CoalesceSink<T> {
  push(value: T): void;
  /** Joins `value` to an event still waiting to be read, if there is one; returns whether it did. */
  absorb(value: T): boolean;
}

/** A delta: seq 1, 2, … and not the final event (seq 0 says where a queued reply stands). */
const isDelta = (e: StreamEvent): boolean => e.seq > 0 && e.done !== true && e.delta !== undefined;

/**
 * Joins delta `next` to delta `into` (the earlier one, owned by the caller: changed in place, no
 * allocation): the text concatenated, `seq` the last delta's, `firstSeq` the first's. Returns
 * false, changing nothing, unless both are deltas and `next` follows `into` directly.
 */
export function joinDelta(into: CoalescedEvent, next: CoalescedEvent): boolean {
  if (!isDelta(into) || !isDelta(next) || (next.firstSeq ?? next.seq) !== into.seq + 1) return false;
  into.firstSeq ??= into.seq;
  into.delta = (into.delta ?? '') + (next.delta ?? '');
  into.seq = next.seq;
  return true;
}

/**
 * Coalesces the deltas of one subscription (STREAM_COALESCE_MS): a delta that comes within
 * `windowMs` of the last delta event sent waits, with any that follow, until the window has
 * passed, and they go out as one event. The first delta never waits, nor does one that can join
 * an event still waiting to be read (a slow socket, or a replay: what is waiting goes out as one
 * event); any other event (a queued reply's position, the final event) sends what is held first,
 * then itself, at once. `windowMs` 0 passes every event through as it is.
 *
 * The seqs stay exact: an event carries the deltas `firstSeq`..`seq`, with none left out, so a
 * client that resumes from `seq + 1` gets exactly the rest (replay reads the log, delta by delta).
 */
export class DeltaCoalescer<T extends CoalescedEvent> {
  private held: T | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the last delta event went to the sink (performance.now()); none yet: the next goes at once. */
  private sentAt = -Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly sink: CoalesceSink<T>,
  ) {}

  /** Takes the subscription's next event, which it owns from now on (joined deltas are changed in place). */
  push(e: T): void {
    if (this.windowMs <= 0) return this.sink.push(e);
    if (!isDelta(e)) {
      this.flush();
      return this.sink.push(e);
    }
    if (this.held && joinDelta(this.held, e)) return;
    this.flush();
    if (this.sink.absorb(e)) return;
    const now = performance.now();
    const wait = this.sentAt + this.windowMs - now;
    if (wait <= 0) {
      this.sentAt = now;
      return this.sink.push(e);
    }
    this.held = e;
    this.timer = setTimeout(this.flush, wait);
    this.timer.unref();
  }

  /** Sends what is held now. */
  readonly flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    this.sentAt = performance.now();
    if (!this.sink.absorb(held)) this.sink.push(held);
  };

  /** Drops what is held (the subscription ended). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held = undefined;
  }
}
