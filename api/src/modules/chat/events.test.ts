import { describe, expect, it } from 'vitest';
import { eventsFromRow, type FinishedRow } from './events.js';

const row = (over: Partial<FinishedRow>): FinishedRow => ({
  content: '',
  deltaEnds: [],
  status: 'COMPLETE',
  finishReason: 'stop',
  errorCode: null,
  errorMessage: null,
  promptTokens: 3,
  completionTokens: 2,
  timeToFirstTokenMs: 5,
  tokensPerSecond: 100,
  ...over,
});

describe('replay from a stored reply', () => {
  it('rebuilds each delta with the seq it streamed with, then the final event', () => {
    const events = eventsFromRow(row({ content: 'Hello, wörld', deltaEnds: [5, 7, 12] }));
    expect(events.map((e) => e.delta ?? null)).toEqual(['Hello', ', ', 'wörld', null]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(events[3]).toMatchObject({ done: true, status: 'COMPLETE', finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 }, error: null });
  });

  it('replays a reply cut short by a crash as one delta and its error', () => {
    const events = eventsFromRow(row({ content: 'partial', status: 'INTERRUPTED', finishReason: null, errorCode: 'UPSTREAM_INTERRUPTED', errorMessage: 'gone', promptTokens: null, completionTokens: null }));
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({ seq: 1, delta: 'partial' });
    expect(events[1]).toMatchObject({ seq: 2, done: true, status: 'INTERRUPTED', usage: null, error: { code: 'UPSTREAM_INTERRUPTED', message: 'gone' } });
  });

  it('gives a reply that never started only its final event', () => {
    expect(eventsFromRow(row({ status: 'FAILED', errorCode: 'UPSTREAM_ERROR' }))).toHaveLength(1);
  });
});
