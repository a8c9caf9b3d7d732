import { sumSamples } from './prometheus.js';

export interface InferenceMonitorOptions {
  /** INFERENCE_URL, as parsed. */
  urls: readonly string[];
  /** INFERENCE_API_KEY: sent to the upstream as it is on every request the api makes to it (never the api's own METRICS_TOKEN). */
  apiKey: string | undefined;
  /** Each request's limit. */
  timeoutMs: number;
  /** The path answering whether a server is ready (INFERENCE_HEALTH_PATH, as the balancer checks it). */
  healthPath: string;
}

/** The metric names read, ours first (inference/src/metrics.ts), then vLLM's. */
const RUNNING = ['dialoop_inference_running_sequences', 'vllm:num_requests_running'] as const;
const QUEUED = ['dialoop_inference_queued_sequences', 'vllm:num_requests_waiting'] as const;
const GENERATED = ['dialoop_inference_generated_tokens_total', 'vllm:generation_tokens_total'] as const;

/** A rate needs an earlier scrape at most this old… */
export const RATE_WINDOW_MS = 120_000;
/** …and at least this old (two scrapes a few ms apart would give noise). */
const RATE_MIN_SPAN_MS = 1_000;
const SAMPLES_KEPT = 32;

export interface InferenceServerStatus {
  url: string;
  reachable: boolean;
  ready: boolean;
  responseTimeMs: number | null;
  models: string[];
  runningSequences: number | null;
  queuedSequences: number | null;
  generatedTokensTotal: number | null;
  tokensPerSecond: number | null;
  scrapedAt: Date;
  error: string | null;
}

/** `answered`: the server sent a response (whatever its status or body). */
type Answer<T> = { ok: true; value: T; ms: number; answered: true } | { ok: false; error: string; ms: number | null; answered: boolean };

/**
 * Looks at each configured upstream now: its health path (/readyz by default), /v1/models and Prometheus' /metrics, in
 * parallel, each within `timeoutMs`; a server that does not answer is reported, never thrown.
 * Token throughput is the generated-tokens counter's change since an earlier scrape by this
 * process (kept per upstream for RATE_WINDOW_MS).
 */
export class InferenceMonitor {
  private readonly samples = new Map<string, { at: number; tokens: number }[]>();

  constructor(private readonly o: InferenceMonitorOptions) {}

  servers(): Promise<InferenceServerStatus[]> {
    return Promise.all(this.o.urls.map((base) => this.scrape(base)));
  }

  private async scrape(base: string): Promise<InferenceServerStatus> {
    const [ready, models, metrics] = await Promise.all([
      this.get(base, this.o.healthPath, async (res) => {
        const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
        // Ours answers {status: "ready"}; a server without a status in its body is ready by its 200.
        return res.status === 200 && (body?.status === undefined || body.status === 'ready');
      }, true),
      this.get(base, '/v1/models', async (res) => {
        const body = (await res.json()) as { data?: { id?: unknown }[] };
        return (body.data ?? []).flatMap((m) => (typeof m.id === 'string' ? [m.id] : []));
      }),
      this.get(base, '/metrics', async (res) => sumSamples(await res.text(), [...RUNNING, ...QUEUED, ...GENERATED])),
    ]);
    const now = Date.now();
    const pick = (names: readonly string[]) => {
      if (!metrics.ok) return null;
      for (const n of names) if (metrics.value.has(n)) return metrics.value.get(n)!;
      return null;
    };
    const tokens = pick(GENERATED);
    const errors = [[this.o.healthPath, ready], ['/v1/models', models], ['/metrics', metrics]].flatMap(([path, a]) => {
      const answer = a as Answer<unknown>;
      return answer.ok ? [] : [`${path as string}: ${answer.error}`];
    });
    return {
      url: displayUrl(base),
      reachable: ready.answered || models.answered || metrics.answered,
      ready: ready.ok && ready.value,
      responseTimeMs: ready.ms,
      models: models.ok ? models.value : [],
      runningSequences: round(pick(RUNNING)),
      queuedSequences: round(pick(QUEUED)),
      generatedTokensTotal: tokens,
      tokensPerSecond: tokens === null ? null : this.rate(base, now, tokens),
      scrapedAt: new Date(now),
      error: errors.length > 0 ? errors.join('; ') : null,
    };
  }

  /** Tokens per second since the newest earlier scrape that is old enough; null without one or after a counter reset. */
  private rate(base: string, now: number, tokens: number): number | null {
    const kept = (this.samples.get(base) ?? []).filter((s) => now - s.at <= RATE_WINDOW_MS);
    const earlier = kept.findLast((s) => now - s.at >= RATE_MIN_SPAN_MS);
    kept.push({ at: now, tokens });
    this.samples.set(base, kept.slice(-SAMPLES_KEPT));
    if (!earlier || tokens < earlier.tokens) return null;
    return Math.round(((tokens - earlier.tokens) / ((now - earlier.at) / 1000)) * 10) / 10;
  }

  /**
   * One GET within the time limit. `anyStatus`: the body is read whatever the status (a draining
   * server's 503 on /readyz is an answer: not ready); otherwise only a 200 is.
   */
  private async get<T>(base: string, path: string, read: (res: Response) => Promise<T>, anyStatus = false): Promise<Answer<T>> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    let answered = false;
    try {
      // One limit for the whole exchange, the body included.
      // fetch refuses a URL with credentials in it (and would echo them in its error): they go as
      // a Basic header unless an API key is configured.
      const url = new URL(path, base + '/');
      const basic = url.username || url.password ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : undefined;
      url.username = '';
      url.password = '';
      const res = await fetch(url, {
        headers: this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : basic ? { authorization: basic } : {},
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: 'error',
      });
      answered = true;
      if (!anyStatus && res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: false, error: `HTTP ${res.status}`, ms: elapsed(), answered };
      }
      const value = await read(res);
      return { ok: true, value, ms: elapsed(), answered: true };
    } catch (err) {
      return { ok: false, error: redact(describe(err, this.o.timeoutMs), base), ms: answered ? elapsed() : null, answered };
    }
  }
}

/** The base URL without credentials a deployment may have put in it. */
function displayUrl(base: string): string {
  try {
    const u = new URL(base);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return base;
  }
}

/** An error message without the credentials of the URL it may quote. */
function redact(message: string, base: string): string {
  try {
    const u = new URL(base);
    if (!u.username && !u.password) return message;
    return message.split(base).join(displayUrl(base)).split(`${u.username}:${u.password}@`).join('');
  } catch {
    return message;
  }
}

function round(n: number | null): number | null {
  return n === null ? null : Math.round(n);
}

/** fetch's failures in a line: a timeout, the system error (ECONNREFUSED…) under "fetch failed", or the message. */
function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}
