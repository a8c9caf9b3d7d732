import http from 'node:http';
import https from 'node:https';
import { createParser } from 'eventsource-parser';
import type { Logger } from 'pino';
import { Balancer, upstreamLabel, type UpstreamMetrics } from './balancer.js';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface SamplingParams {
  temperature?: number | undefined;
  topP?: number | undefined;
  maxTokens?: number | undefined;
  seed?: number | undefined;
  stop?: string[] | undefined;
  /** vLLM's `ignore_eos`: generate up to maxTokens even past the end-of-turn token. */
  ignoreEos?: boolean | undefined;
  /** Not sent upstream: how long the reply may wait in the api's queue. */
  maxWaitMs?: number | undefined;
}

export type UpstreamErrorCode = 'UPSTREAM_ERROR' | 'UPSTREAM_TIMEOUT' | 'UPSTREAM_INTERRUPTED';

export class UpstreamError extends Error {
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
    readonly status?: number,
    /** The upstream refused the prompt as longer than the model's context (OpenAI's `context_length_exceeded`). */
    readonly contextTooLong = false,
    /** A 429 or 503's Retry-After, in ms. */
    readonly retryAfterMs?: number,
    /** The upstream never answered: unreachable, or no response within the connect timeout. */
    readonly noResponse = false,
  ) {
    super(message);
  }
}

export interface StreamHandlers {
  onDelta(text: string): void;
  onUsage(usage: { promptTokens: number; completionTokens: number }): void;
  onFinish(reason: string | null): void;
}

export interface UpstreamOptions {
  urls: string[];
  apiKey: string | undefined;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  log: Logger;
  /**
   * Active health checks: GET `path` on every upstream each `intervalMs` (0: none), a failure
   * being no 200 within `timeoutMs`; `failures` in a row eject it, one 200 returns it. They run
   * only with two upstreams or more (with one there is nothing to balance).
   */
  health?: { intervalMs: number; timeoutMs: number; failures: number; path: string };
  metrics?: UpstreamMetrics;
}

/**
 * Whether a request that failed before its first token may go to another replica: the upstream
 * could not be reached or sent no response within the connect timeout, or answered 5xx (a 503
 * included: draining, or full while another is not).
 */
export function retryable(err: unknown): boolean {
  if (!(err instanceof UpstreamError)) return false;
  if (err.noResponse) return true;
  return err.code === 'UPSTREAM_ERROR' && !err.contextTooLong && (err.status === undefined || err.status >= 500);
}

interface ChunkJson {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string; code?: string };
}

const MODELS_TTL_MS = 30_000;

/** Retry-After as seconds or an HTTP date, in ms (undefined when absent or unreadable). */
export function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
const MISS_REFRESH_MS = 1_000;
const ADMIN_TIMEOUT_MS = 120_000;

/**
 * The OpenAI-compatible servers replies come from (ours, vLLM, TGI…). Streams use node:http
 * directly with keep-alive and an SSE parser, which costs far less per chunk than fetch's web
 * streams when hundreds of replies stream at once.
 */
export class Upstreams {
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  /** Model id → base URLs of the upstreams listing it, in INFERENCE_URL's order (a Map keeps the models' order). */
  private catalog: { at: number; models: Map<string, string[]> } | undefined;
  private reading: Promise<boolean> | undefined;
  /** When a miss last made `route` read the catalog again. */
  private missReadAt = 0;

  private readonly balancer: Balancer;
  private readonly healthTimer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly o: UpstreamOptions) {
    this.balancer = new Balancer(o.urls, o.health?.failures ?? 1, o.metrics);
    if (o.health && o.health.intervalMs > 0 && o.urls.length > 1) {
      this.healthTimer = setInterval(() => void this.checkHealth(), o.health.intervalMs);
      this.healthTimer.unref();
    }
  }

  /** Models every reachable upstream serves, first upstream first, with the upstreams serving each; cached for 30 s. */
  async models(refresh = false): Promise<{ id: string; upstreams: string[] }[]> {
    if ((refresh || !this.catalog || Date.now() - this.catalog.at > MODELS_TTL_MS) && !(await this.readCatalog())) return [];
    return [...this.catalog!.models].map(([id, upstreams]) => ({ id, upstreams }));
  }

  /**
   * One round of health checks, all upstreams in parallel (a round still running when the next is
   * due lets it pass). An upstream that returns makes the catalog be read again: it may serve
   * models it did not list, or was left out of the last reading while down.
   */
  async checkHealth(): Promise<void> {
    const h = this.o.health;
    if (!h || this.checking) return;
    this.checking = true;
    try {
      await Promise.all(
        this.o.urls.map(async (base) => {
          const ok = await this.probe(base, h.path, h.timeoutMs);
          const change = this.balancer.report(base, ok);
          if (change === 'ejected') this.o.log.warn({ upstream: upstreamLabel(base) }, 'upstream ejected: its health checks failed');
          if (change === 'returned') {
            this.o.log.info({ upstream: upstreamLabel(base) }, 'upstream returned: it answers ready again');
            this.catalog = undefined;
          }
        }),
      );
    } finally {
      this.checking = false;
    }
  }

  /** Whether `base` answers 200 on `path` within `timeoutMs` (a draining server's 503 is a no). */
  private probe(base: string, path: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const url = new URL(path, base + '/');
      const req = this.client(url).get(url, { headers: this.headers(), agent: this.agent(url) }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200));
        res.on('error', () => done(false));
      });
      const timer = setTimeout(() => req.destroy(new Error('timed out')), timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        resolve(ok);
      };
      req.on('error', () => done(false));
    });
  }

  /** Whether `base` is in rotation (not ejected by its health checks). */
  healthy(base: string): boolean {
    return this.balancer.healthy(base);
  }

  /**
   * A healthy upstream serving `model` other than those in `exclude` (a replica to retry on, or
   * to start a queued reply on when its own was ejected meanwhile); undefined when there is none.
   */
  async alternative(model: string, exclude: string[]): Promise<string | undefined> {
    const serving = (await this.models()).find((m) => m.id === model)?.upstreams ?? [];
    return this.balancer.pick(serving, exclude);
  }

  /**
   * A request to `base` failed before its first token. Counts a retry away from it (metrics),
   * and, when it never answered at all (unreachable, or silent past the connect timeout), a
   * failure toward its ejection as a failed health check does: a dead replica leaves the
   * rotation after INFERENCE_HEALTH_FAILURES requests even where health checks are slow or off.
   */
  failedBeforeFirstToken(base: string, err: unknown, retrying: boolean): void {
    if (retrying) this.balancer.retried(base);
    if (err instanceof UpstreamError && err.noResponse && this.balancer.report(base, false) === 'ejected') {
      this.o.log.warn({ upstream: upstreamLabel(base) }, 'upstream ejected: requests to it got no response');
    }
  }

  /**
   * Reads every upstream's model list, once for all callers at the same moment (a burst of sends
   * after the cache expired asks each upstream once, not once per send). An empty answer (every
   * upstream down) is not cached, so the next call retries: false then.
   */
  private readCatalog(): Promise<boolean> {
    this.reading ??= (async () => {
      try {
        // Ejected upstreams are asked too: one whose health path is wrong or missing keeps its
        // models (the balancer still sends them there when no healthy replica serves them).
        const lists = await Promise.all(
          this.o.urls.map(async (base) => {
            try {
              return (await this.modelsAt(base)).map((id) => ({ id, base }));
            } catch (err) {
              this.o.log.warn({ err: (err as Error).message, upstream: upstreamLabel(base) }, 'upstream model list unavailable');
              return [];
            }
          }),
        );
        const models = new Map<string, string[]>();
        for (const m of lists.flat()) models.set(m.id, [...(models.get(m.id) ?? []), m.base]);
        if (models.size === 0) return false;
        this.catalog = { at: Date.now(), models };
        return true;
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  /**
   * Where a reply goes: the model asked for, else `fallback`, else the first one listed, and the
   * upstream serving it, chosen among all that list it by the balancer (healthy, fewest requests
   * outstanding from this process, ties round robin). On a miss the catalog is read again, at most once a second (a model
   * just loaded shows at once; a stream of sends naming an unknown model does not ask the
   * upstreams once per send). `unknown` when upstreams answered but none lists the model;
   * `upstream` undefined also when none answered.
   */
  async route(requested: string | undefined, fallback: string | undefined): Promise<{ model: string | null; upstream: string | undefined; unknown: boolean }> {
    let catalog = await this.models();
    const model = requested ?? fallback ?? catalog[0]?.id ?? null;
    if (!model) return { model, upstream: undefined, unknown: false };
    let hit = catalog.find((m) => m.id === model);
    if (!hit && catalog.length > 0 && Date.now() - this.missReadAt >= MISS_REFRESH_MS) {
      this.missReadAt = Date.now();
      catalog = await this.models(true);
      hit = catalog.find((m) => m.id === model);
    }
    return { model, upstream: hit ? this.balancer.pick(hit.upstreams) : undefined, unknown: !hit && catalog.length > 0 };
  }

  /** The upstreams' base URLs, first first. */
  get urls(): readonly string[] {
    return this.o.urls;
  }

  /** The model ids one upstream serves now, read afresh. */
  async modelsAt(base: string): Promise<string[]> {
    const body = (await this.requestJson(base, '/v1/models')) as { data?: { id?: unknown }[] };
    return (body.data ?? []).flatMap((m) => (typeof m.id === 'string' ? [m.id] : []));
  }

  /**
   * A Dialoop inference server's model admin endpoint (`POST /admin/models`, `DELETE
   * /admin/models/:id`), with its admin key — never the key sent to /v1, which may be another
   * party's server. What an upstream serves changes, so the catalog is read afresh next time.
   */
  async admin(base: string, adminKey: string, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; error?: { code?: string; message?: string } }> {
    try {
      const res = await fetch(new URL(path, base + '/'), {
        method,
        headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        // Loading a model, or unloading one once its replies finish, takes a while.
        signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
      });
      const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      return { status: res.status, ...(json.error ? { error: json.error } : {}) };
    } finally {
      this.catalog = undefined;
    }
  }

  private requestJson(base: string, path: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const url = new URL(path, base + '/');
      const req = this.client(url).get(url, { headers: this.headers(), agent: this.agent(url), timeout: this.o.connectTimeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new UpstreamError('UPSTREAM_ERROR', `HTTP ${res.statusCode}`, res.statusCode));
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new UpstreamError('UPSTREAM_ERROR', 'invalid JSON'));
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new UpstreamError('UPSTREAM_TIMEOUT', 'timed out')));
      req.on('error', reject);
    });
  }

  private client(url: URL) {
    return url.protocol === 'https:' ? https : http;
  }
  private agent(url: URL) {
    return url.protocol === 'https:' ? this.agents.https : this.agents.http;
  }
  private headers(): Record<string, string> {
    return this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {};
  }

  /**
   * Streams one chat completion. Resolves when the upstream ends the stream properly; rejects
   * with an UpstreamError otherwise, or with the signal's reason when aborted.
   */
  stream(
    base: string,
    model: string,
    messages: ChatTurn[],
    params: SamplingParams,
    signal: AbortSignal,
    h: StreamHandlers,
    opts: { continueFinal?: boolean } = {},
  ): Promise<void> {
    const url = new URL('/v1/chat/completions', base + '/');
    const body = JSON.stringify({
      model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      // vLLM's names, which our server shares: go on from the final assistant message.
      ...(opts.continueFinal ? { continue_final_message: true, add_generation_prompt: false } : {}),
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.topP !== undefined ? { top_p: params.topP } : {}),
      ...(params.maxTokens !== undefined ? { max_tokens: params.maxTokens } : {}),
      ...(params.seed !== undefined ? { seed: params.seed } : {}),
      ...(params.stop?.length ? { stop: params.stop } : {}),
      ...(params.ignoreEos ? { ignore_eos: true } : {}),
    });
    this.balancer.begin(base);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let sawDone = false;
      let timer: NodeJS.Timeout | undefined;
      /** When the upstream last sent something; a chunk only updates it (no timer per chunk). */
      let heardAt = 0;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        this.balancer.done(base);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve();
      };
      const arm = (ms: number, what: string, noResponse = false) => {
        clearTimeout(timer);
        heardAt = Date.now();
        const check = () => {
          const quiet = Date.now() - heardAt;
          if (quiet < ms) timer = setTimeout(check, ms - quiet);
          else finish(new UpstreamError('UPSTREAM_TIMEOUT', `Upstream sent nothing for ${ms} ms (${what})`, undefined, false, undefined, noResponse));
        };
        timer = setTimeout(check, ms);
      };
      const onAbort = () => finish(signal.reason ?? new Error('aborted'));

      const req = this.client(url).request(
        url,
        {
          method: 'POST',
          agent: this.agent(url),
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body), ...this.headers() },
        },
        (res) => {
          res.setEncoding('utf8');
          if (res.statusCode !== 200) {
            let text = '';
            res.on('data', (c: string) => (text += c.slice(0, 4096)));
            res.on('end', () => {
              let message = `HTTP ${res.statusCode}`;
              let code: string | undefined;
              try {
                const error = (JSON.parse(text) as ChunkJson).error;
                if (error?.message) message = `${message}: ${error.message}`;
                code = error?.code;
              } catch {
                /* not JSON: the status says enough */
              }
              const tooLong = res.statusCode === 400 && (code === 'context_length_exceeded' || /maximum context length/i.test(message));
              finish(new UpstreamError('UPSTREAM_ERROR', message, res.statusCode, tooLong, retryAfterMs(res.headers['retry-after'])));
            });
            return;
          }
          arm(this.o.idleTimeoutMs, 'between tokens');
          const parser = createParser({
            onEvent: (ev) => {
              if (ev.data === '[DONE]') {
                sawDone = true;
                return;
              }
              let chunk: ChunkJson;
              try {
                chunk = JSON.parse(ev.data) as ChunkJson;
              } catch {
                return finish(new UpstreamError('UPSTREAM_INTERRUPTED', 'Upstream sent malformed data'));
              }
              if (chunk.error) return finish(new UpstreamError('UPSTREAM_INTERRUPTED', chunk.error.message ?? 'Upstream error mid-stream'));
              const choice = chunk.choices?.[0];
              // PostgreSQL text cannot hold U+0000, which a small model may sample: it is dropped here, once, for every consumer.
              let text = choice?.delta?.content;
              if (text?.includes('\u0000')) text = text.replaceAll('\u0000', '');
              if (text) h.onDelta(text);
              if (choice?.finish_reason) h.onFinish(choice.finish_reason);
              if (chunk.usage) h.onUsage({ promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 });
            },
          });
          res.on('data', (c: string) => {
            if (settled) return;
            heardAt = Date.now();
            parser.feed(c);
          });
          res.on('end', () => finish(sawDone ? undefined : new UpstreamError('UPSTREAM_INTERRUPTED', 'Upstream closed the stream before it finished')));
          res.on('error', () => finish(new UpstreamError('UPSTREAM_INTERRUPTED', 'Upstream connection lost mid-reply')));
          res.on('close', () => finish(sawDone ? undefined : new UpstreamError('UPSTREAM_INTERRUPTED', 'Upstream connection lost mid-reply')));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish(err instanceof UpstreamError ? err : new UpstreamError('UPSTREAM_ERROR', `Upstream unreachable: ${err.code ?? err.message}`, undefined, false, undefined, true)),
      );
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      arm(this.o.connectTimeoutMs, 'waiting for the response', true);
      req.end(body);
    });
  }

  close() {
    clearInterval(this.healthTimer);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
