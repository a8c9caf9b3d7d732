import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Balancer, upstreamLabel } from './balancer.js';

const A = 'http://10.0.0.1:8000';
const B = 'http://10.0.0.2:8000';
const C = 'http://10.0.0.3:8000';

function metrics() {
  const registers = [new Registry()];
  const labelNames = ['upstream'] as const;
  return {
    requests: new Counter({ name: 'r', help: 'r', labelNames, registers }),
    outstanding: new Gauge({ name: 'o', help: 'o', labelNames, registers }),
    healthy: new Gauge({ name: 'h', help: 'h', labelNames, registers }),
    ejections: new Counter({ name: 'e', help: 'e', labelNames, registers }),
    retries: new Counter({ name: 'x', help: 'x', labelNames, registers }),
  };
}
const value = async (m: Counter<'upstream'> | Gauge<'upstream'>, upstream: string) => (await m.get()).values.find((v) => v.labels.upstream === upstream)?.value;

describe('the upstream balancer', () => {
  it('takes the upstream with the fewest requests outstanding', () => {
    const b = new Balancer([A, B, C], 2);
    b.begin(A);
    b.begin(A);
    b.begin(B);
    expect(b.pick([A, B, C])).toBe(C);
    b.begin(C);
    b.begin(C);
    expect(b.pick([A, B, C])).toBe(B);
    b.done(A);
    b.done(A);
    expect(b.pick([A, B, C])).toBe(A);
    // Only the upstreams serving the model count.
    expect(b.pick([B, C])).toBe(B);
  });

  it('breaks ties round robin', () => {
    const b = new Balancer([A, B, C], 2);
    expect([1, 2, 3, 4, 5, 6].map(() => b.pick([A, B, C]))).toEqual([A, B, C, A, B, C]);
    // Among equals the least recently picked goes, whatever the others carry.
    b.begin(C);
    expect([1, 2, 3, 4].map(() => b.pick([A, B, C]))).toEqual([A, B, A, B]);
  });

  it('skips an ejected upstream until it answers again, and falls back to all when every one is out', () => {
    const b = new Balancer([A, B], 3);
    expect(b.report(A, false)).toBeUndefined();
    expect(b.report(A, false)).toBeUndefined();
    expect(b.healthy(A)).toBe(true);
    // A success in between starts the count again.
    expect(b.report(A, true)).toBeUndefined();
    expect(b.report(A, false)).toBeUndefined();
    expect(b.report(A, false)).toBeUndefined();
    expect(b.report(A, false)).toBe('ejected');
    expect(b.report(A, false)).toBeUndefined(); // ejected once
    expect(b.healthy(A)).toBe(false);
    b.begin(B);
    b.begin(B);
    expect([1, 2, 3].map(() => b.pick([A, B]))).toEqual([B, B, B]);
    // A retry goes to a healthy replica or nowhere.
    expect(b.pick([A, B], [B])).toBeUndefined();
    for (let i = 0; i < 3; i++) b.report(B, false);
    expect(b.pick([A, B])).toBe(A); // both out: the least loaded is still tried
    expect(b.report(A, true)).toBe('returned');
    expect(b.pick([A, B], [])).toBe(A);
    expect(b.pick([A, B], [A])).toBeUndefined();
  });

  it('keeps its Prometheus series by host:port (and path), never with credentials', async () => {
    const m = metrics();
    const secret = 'http://user:pw@10.0.0.9:8000';
    const b = new Balancer([A, secret], 1, m);
    const label = upstreamLabel(secret);
    expect(label).toBe('10.0.0.9:8000');
    // Two upstreams on one host apart by their paths keep two series.
    expect(upstreamLabel('http://u:p@10.0.0.9:8000/a/v1/')).toBe('10.0.0.9:8000/a/v1');
    expect(upstreamLabel('http://10.0.0.9:8000/b')).toBe('10.0.0.9:8000/b');
    expect(await value(m.healthy, label)).toBe(1);
    expect(await value(m.requests, label)).toBe(0);
    b.begin(secret);
    b.begin(secret);
    b.done(secret);
    expect(await value(m.requests, label)).toBe(2);
    expect(await value(m.outstanding, label)).toBe(1);
    b.report(secret, false);
    expect(await value(m.healthy, label)).toBe(0);
    expect(await value(m.ejections, label)).toBe(1);
    b.retried(secret);
    expect(await value(m.retries, label)).toBe(1);
    b.report(secret, true);
    expect(await value(m.healthy, label)).toBe(1);
    expect(JSON.stringify((await m.requests.get()).values)).not.toContain('pw');
  });
});
