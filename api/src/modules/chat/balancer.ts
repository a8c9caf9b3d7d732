import type { Counter, Gauge } from 'prom-client';

/** Prometheus series of the upstreams, each labelled `upstream` (host:port[/path], never credentials). */
export interface UpstreamMetrics {
  requests: Counter<'upstream'>;
  outstanding: Gauge<'upstream'>;
  healthy: Gauge<'upstream'>;
  ejections: Counter<'upstream'>;
  retries: Counter<'upstream'>;
}

/** An upstream's label in metrics and logs: host:port of its base URL, and its path when it has one (user and password left out). */
export function upstreamLabel(base: string): string {
  try {
    const u = new URL(base);
    const path = u.pathname.replace(/\/+$/, '');
    return `${u.host}${path}`;
  } catch {
    return 'invalid';
  }
}

interface State {
  label: string;
  /** Requests of this process streaming from it now. */
  outstanding: number;
  healthy: boolean;
  /** Health checks failed in a row. */
  failures: number;
  /** When it was last picked (a sequence number): among equals, the least recently picked goes. */
  pickedAt: number;
}

/**
 * Which upstream of those serving a model a request goes to: a healthy one with the fewest
 * requests outstanding from this process, ties broken round robin (the least recently picked).
 * Health comes from active checks (`report`): `failuresToEject` failures in a row eject an
 * upstream, one success returns it. When every candidate is ejected the pick is made among all
 * of them (a request then fails as it would without balancing, rather than not being tried).
 * Pure bookkeeping, no I/O or clock: the Upstreams class does the requests.
 */
export class Balancer {
  private readonly states = new Map<string, State>();
  private picks = 0;

  constructor(
    urls: readonly string[],
    private readonly failuresToEject: number,
    private readonly metrics?: UpstreamMetrics,
  ) {
    for (const base of urls) {
      const s = this.state(base);
      // Every series exists from the start, so a dashboard sees an upstream that never served.
      metrics?.requests.inc({ upstream: s.label }, 0);
      metrics?.outstanding.set({ upstream: s.label }, 0);
      metrics?.healthy.set({ upstream: s.label }, 1);
      metrics?.ejections.inc({ upstream: s.label }, 0);
      metrics?.retries.inc({ upstream: s.label }, 0);
    }
  }

  private state(base: string): State {
    let s = this.states.get(base);
    if (!s) this.states.set(base, (s = { label: upstreamLabel(base), outstanding: 0, healthy: true, failures: 0, pickedAt: 0 }));
    return s;
  }

  /**
   * The upstream for one request among `candidates` (those serving its model), leaving out
   * `exclude`; undefined when none is left. Only with nothing excluded does an all-ejected set
   * fall back to every candidate: a retry goes to a healthy replica or not at all.
   */
  pick(candidates: readonly string[], exclude: readonly string[] = []): string | undefined {
    const open = candidates.filter((c) => !exclude.includes(c));
    let pool = open.filter((c) => this.state(c).healthy);
    if (pool.length === 0 && exclude.length === 0) pool = open;
    let best: State | undefined;
    let chosen: string | undefined;
    for (const c of pool) {
      const s = this.state(c);
      if (!best || s.outstanding < best.outstanding || (s.outstanding === best.outstanding && s.pickedAt < best.pickedAt)) {
        best = s;
        chosen = c;
      }
    }
    if (best) best.pickedAt = ++this.picks;
    return chosen;
  }

  healthy(base: string): boolean {
    return this.state(base).healthy;
  }

  outstanding(base: string): number {
    return this.state(base).outstanding;
  }

  /** A request to `base` begins: counted until `done` is called. */
  begin(base: string): void {
    const s = this.state(base);
    s.outstanding += 1;
    this.metrics?.requests.inc({ upstream: s.label });
    this.metrics?.outstanding.set({ upstream: s.label }, s.outstanding);
  }

  done(base: string): void {
    const s = this.state(base);
    s.outstanding = Math.max(0, s.outstanding - 1);
    this.metrics?.outstanding.set({ upstream: s.label }, s.outstanding);
  }

  /** A request to `base` failed before its first token and goes to another replica. */
  retried(base: string): void {
    this.metrics?.retries.inc({ upstream: this.state(base).label });
  }

  /** One health check's outcome; says when it changed the upstream's state. */
  report(base: string, ok: boolean): 'ejected' | 'returned' | undefined {
    const s = this.state(base);
    if (ok) {
      s.failures = 0;
      if (s.healthy) return undefined;
      s.healthy = true;
      this.metrics?.healthy.set({ upstream: s.label }, 1);
      return 'returned';
    }
    s.failures += 1;
    if (!s.healthy || s.failures < this.failuresToEject) return undefined;
    s.healthy = false;
    this.metrics?.healthy.set({ upstream: s.label }, 0);
    this.metrics?.ejections.inc({ upstream: s.label });
    return 'ejected';
  }
}
