import type { SafetyDirection, SafetyLevel } from '@dialoop/db';
import type { Redis } from 'ioredis';
import { Matcher, strongest, type Hit } from './matcher.js';
import type { SafetyServiceOptions } from './options.js';
import { previewText, type SafetyPreviewResult } from './preview.js';
import { ReplyFilter, RewriteStream, TermStream, compileRewrite, type RewriteSpec } from './stream.js';

/** What the filter made of a prompt or a title: the text to use (masked), its hits, and the BLOCK term that refuses it. */
export interface InputCheck {
  content: string;
  hits: Hit[];
  level: SafetyLevel | null;
  blocked: Hit | undefined;
}

interface Compiled {
  version: number;
  matcher: Matcher;
  rules: Array<{ spec: RewriteSpec; re: RegExp }>;
}

const CHANNEL = 'dialoop:safety:version';

/**
 * The live filter: the term list and rewrite rules this process filters with (reloaded within
 * seconds of a change on any process), judging prompts and titles, and a stream filter per reply.
 */
export class LiveFilter {
  private compiled: Compiled = { version: 0, matcher: new Matcher([]), rules: [] };
  private loading: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private subscriber: Redis | undefined;

  constructor(private readonly o: SafetyServiceOptions) {}

  /** The list version this process filters with. */
  get version(): number {
    return this.compiled.version;
  }

  get enabled(): boolean {
    return this.o.settings.enabled;
  }

  /** Keeps the list fresh once loaded: a periodic check of its version, and the announcements of other processes. */
  async watch(): Promise<void> {
    this.timer = setInterval(() => void this.refresh(), this.o.settings.reloadIntervalMs);
    this.timer.unref();
    if (this.o.redis) {
      this.subscriber = this.o.redis.duplicate();
      this.subscriber.on('error', (err) => this.o.log.warn({ err }, 'safety: redis subscriber error'));
      this.subscriber.on('message', (_channel: string, message: string) => {
        if (Number(message) > this.compiled.version) void this.refresh();
      });
      await this.subscriber.subscribe(CHANNEL);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.subscriber?.quit().catch(() => undefined);
  }

  /** Reloads when the database holds a newer list than this process. */
  private async refresh(): Promise<void> {
    try {
      const head = await this.o.db.safetyRevision.aggregate({ _max: { version: true } });
      if ((head._max.version ?? 0) > this.compiled.version) await this.reload();
    } catch (err) {
      this.o.log.warn({ err }, 'safety: could not check the term list version');
    }
  }

  /**
   * Compiles the enabled terms and rules, one load at a time; a call while a load runs queues one
   * more after it, so a change committed meanwhile is never missed.
   */
  reload(): Promise<void> {
    if (this.loading) {
      this.queued ??= this.loading.then(() => {
        this.queued = undefined;
        return this.reload();
      });
      return this.queued;
    }
    this.loading = this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const [head, terms, rules] = await this.o.db.$transaction([
      this.o.db.safetyRevision.aggregate({ _max: { version: true } }),
      this.o.db.safetyTerm.findMany({ where: { enabled: true } }),
      this.o.db.rewriteRule.findMany({ where: { enabled: true }, orderBy: { createdAt: 'asc' } }),
    ]);
    const version = head._max.version ?? 0;
    const matcher = new Matcher(terms.map((t) => ({ id: t.id, term: t.term, level: t.level, category: t.category, wholeWord: t.wholeWord })));
    const compiledRules = rules.flatMap((r) => {
      const spec: RewriteSpec = { id: r.id, pattern: r.pattern, regex: r.regex, caseSensitive: r.caseSensitive, replacement: r.replacement };
      try {
        return [{ spec, re: compileRewrite(spec) }];
      } catch (err) {
        this.o.log.error({ err, rule: r.id }, 'safety: a stored rewrite rule does not compile; skipped');
        return [];
      }
    });
    this.compiled = { version, matcher, rules: compiledRules };
    // Each (level, category) a term can hit starts at 0 in both directions, so that a rate sees its first hit.
    for (const t of new Map(terms.map((t) => [`${t.level}\0${t.category}`, t])).values()) {
      for (const direction of ['INPUT', 'OUTPUT']) this.o.metrics.safetyHits.inc({ level: t.level, category: t.category, direction }, 0);
    }
    this.o.log.info({ version, terms: terms.length, rules: compiledRules.length }, 'safety: term list loaded');
  }

  /** After a change committed: reload here, and tell the other processes. */
  async changed(version: number): Promise<void> {
    await this.reload();
    await this.o.redis?.publish(CHANNEL, String(version)).catch((err: unknown) => this.o.log.warn({ err }, 'safety: could not announce a new list version'));
  }

  /** Judges a prompt or a title. BLOCK is returned (not thrown) so the caller can record the refusal. */
  checkInput(content: string): InputCheck {
    if (!this.enabled) return { content, hits: [], level: null, blocked: undefined };
    const r = this.compiled.matcher.apply(content);
    const top = strongest(r.hits);
    return { content: r.text, hits: r.hits, level: top?.term.level ?? null, blocked: r.blocked };
  }

  /** What the filter, as it is now, would make of a prompt or a reply, recording nothing (preview.ts). */
  preview(text: string, direction: SafetyDirection): SafetyPreviewResult {
    const { version, matcher, rules } = this.compiled;
    return previewText({ enabled: this.enabled, version, matcher, rules, regexHold: this.o.settings.regexHold, refusal: this.o.settings.refusal }, text, direction);
  }

  /** A fresh filter for one reply, on the list as it is now; undefined when filtering is off. */
  replyFilter(): ReplyFilter | undefined {
    if (!this.enabled) return undefined;
    const { matcher, rules } = this.compiled;
    const terms = matcher.size > 0 ? new TermStream(matcher) : undefined;
    const rewrites = rules.map((r) => new RewriteStream(r.spec, r.re, this.o.settings.regexHold));
    if (!terms && rewrites.length === 0) return undefined;
    return new ReplyFilter(terms, rewrites, (ms) => this.o.metrics.safetyHoldback.observe(ms / 1000));
  }
}
