import { useSyncExternalStore } from 'react';
import { subscribe } from '@/lib/graphql/client';
import { MessageStreamSubscription } from './documents';

/**
 * Live replies, outside React so that they survive navigation (a new conversation gets its URL
 * while its first reply streams). Each reply is followed once, over graphql-ws, from seq 1 (the
 * api replays what was sent before: a reload mid-reply shows the whole text); a dropped socket
 * resumes from the last seq seen, and a replayed event is never applied twice.
 */
export interface StreamState {
  text: string;
  lastSeq: number;
  done: boolean;
  status: string | null;
  finishReason: string | null;
  error: { code: string; message: string } | null;
  /** While the reply waits for a model server: its place in line and roughly how long until it starts. */
  queue: { position: number; estimatedWaitMs: number | null } | null;
}

const states = new Map<string, StreamState>();
const listeners = new Map<string, Set<() => void>>();

/**
 * A fast model sends thousands of deltas a second, and each re-render draws the whole reply again
 * (Markdown): notifying on every delta made the page fall behind the stream. A reply is re-rendered
 * at most once a frame; its first delta, the end and errors are shown at once.
 */
const FRAME_MS = 16;
const notifiedAt = new Map<string, number>();
const pending = new Set<string>();

function notify(id: string) {
  pending.delete(id);
  notifiedAt.set(id, performance.now());
  for (const l of listeners.get(id) ?? []) l();
}

function emit(id: string, next: StreamState) {
  states.set(id, next);
  const last = notifiedAt.get(id);
  if (next.done || last === undefined || (!pending.has(id) && performance.now() - last >= FRAME_MS)) {
    notify(id);
    return;
  }
  if (pending.has(id)) return;
  pending.add(id);
  const later = () => pending.has(id) && notify(id);
  // The next frame, or a timer if none comes (a tab hidden meanwhile gets no animation frames):
  // whichever runs first notifies, the other finds nothing pending.
  if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(later);
  setTimeout(later, FRAME_MS * 4);
}

/** Starts following a QUEUED or STREAMING reply (once); `onDone` runs after its final event. */
export function follow(messageId: string, onDone?: (s: StreamState) => void): void {
  if (states.has(messageId)) return;
  states.set(messageId, { text: '', lastSeq: 0, done: false, status: null, finishReason: null, error: null, queue: null });
  // graphql-ws sends this same object again when it reconnects: fromSeq is kept current.
  const variables = { messageId, fromSeq: 1 };
  const stop = subscribe(MessageStreamSubscription, variables, {
    next: ({ messageStream: e }) => {
      const s = states.get(messageId)!;
      // Where a waiting reply stands (seq 0, before its first delta).
      if (e.seq === 0) {
        if (s.lastSeq === 0 && e.queuePosition != null) emit(messageId, { ...s, queue: { position: e.queuePosition, estimatedWaitMs: e.estimatedWaitMs ?? null } });
        return;
      }
      if (e.seq <= s.lastSeq) return;
      variables.fromSeq = e.seq + 1;
      const next: StreamState = { ...s, lastSeq: e.seq, text: e.delta ? s.text + e.delta : s.text, queue: null };
      if (e.done) Object.assign(next, { done: true, status: e.status ?? null, finishReason: e.finishReason ?? null, error: e.error ?? null });
      emit(messageId, next);
      if (e.done) {
        stop();
        onDone?.(next);
      }
    },
    error: (err) => {
      const s = states.get(messageId)!;
      emit(messageId, { ...s, done: true, error: { code: err.code, message: err.message } });
      onDone?.(states.get(messageId)!);
    },
  });
}

/** Forgets a finished reply (the stored message is the truth from then on). */
export function forget(messageId: string) {
  if (!states.get(messageId)?.done) return;
  states.delete(messageId);
  notifiedAt.delete(messageId);
  pending.delete(messageId);
}

export function useStream(messageId: string): StreamState | undefined {
  return useSyncExternalStore(
    (l) => {
      let set = listeners.get(messageId);
      if (!set) listeners.set(messageId, (set = new Set()));
      set.add(l);
      return () => set.delete(l);
    },
    () => states.get(messageId),
    () => undefined,
  );
}
