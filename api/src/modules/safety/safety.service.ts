import type { EscalationStep, Prisma, SafetyDirection, SafetyLevel } from '@dialoop/db';
import type { Caller } from '../../context.js';
import { requireActor } from '../rbac/index.js';
import { SafetyAdmin } from './administration.js';
import { LiveFilter } from './live-filter.js';
import type { Hit } from './matcher.js';
import { Monitoring, type HitSummary } from './monitoring.js';
import type { SafetyServiceOptions } from './options.js';
import { checkPreviewText, type PreviewOutcome } from './preview.js';
import type { ReplyFilter } from './stream.js';

export type { SafetyServiceOptions, SafetySettings } from './options.js';

/** The operations that start a turn; the name of their audit entries (a refusal's too). */
export type TurnOperation = 'sendMessage' | 'regenerate' | 'editAndResend' | 'continueGeneration';

/** A turn as content safety sees it: who, where, and the new prompt if it has one. */
export interface TurnRequest {
  caller: Caller;
  operation: TurnOperation;
  /** The conversation the turn goes to (monitoring may have locked it); undefined: a new one. */
  conversation: { id: string; lockedAt: Date | null } | undefined;
  /** The new prompt (sendMessage, editAndResend); none for a reply beside another. */
  prompt?: TurnPrompt | undefined;
}

export interface TurnPrompt {
  content: string;
  /** Where the prompt will be stored: its safety events are written by the statement that stores it. */
  conversationId: string;
  messageId: string;
  /** A new conversation's title, made from the prompt as filtered; it is checked as a title in turn. */
  title?: ((filtered: string) => string) | undefined;
  /**
   * Earlier turns a client supplies with the prompt (`POST /chat`'s history), stored before it in
   * a new conversation: filtered like the prompt (a BLOCK term refuses the turn), since the model
   * sees them and no filter saw them before.
   */
  earlier?: { messageId: string; content: string }[] | undefined;
}

/**
 * The caller's own steps, which `screenTurn` runs between its own, in this order; each may throw,
 * which ends the turn there.
 */
export interface TurnSteps<T> {
  /** Monitoring admitted the turn (the conversation is not locked, the person not slowed down). */
  admitted(): Promise<void>;
  /** The prompt, if any, passed the filter; a new conversation's title is checked after this. */
  passed(): Promise<T>;
}

/** What the filter made of a turn's prompt. */
export interface PromptVerdict {
  /** The id it is stored under (the one it was screened with). */
  messageId: string;
  /** The text the model and the history see: masked. */
  content: string;
  hits: Hit[];
  /** The strongest level hit: the stored message's `safety`. */
  level: SafetyLevel | null;
  /**
   * The hits as one `INSERT`, to run in the statement that stores the prompt, and the summary its
   * audit entry carries (levels, categories and term ids, never the words); undefined without hits.
   */
  events: { sql: Prisma.Sql; summary: HitSummary[] } | undefined;
  /** The earlier turns supplied with it, filtered the same way, in order. */
  earlier: Omit<PromptVerdict, 'earlier'>[];
}

/** Where a stored turn's prompt had hits: what monitoring counts once it is stored (`turnStored`). */
export interface TurnPlace {
  userId: string;
  conversationId: string;
}

/** Content safety's answer to a turn that may go ahead (one that may not was refused by a thrown error). */
export interface TurnVerdict<T> {
  /** What the caller's `passed` step returned. */
  passed: T;
  /** The prompt as filtered; undefined for a turn without one. */
  prompt: PromptVerdict | undefined;
  /** The title of a new conversation, filtered. */
  title: string | undefined;
  /** A fresh filter for the turn's reply, on the list as it is now; undefined when filtering is off. */
  filter: ReplyFilter | undefined;
  /** Set when the prompt had hits: pass it to `turnStored` once the turn is stored. */
  monitor: TurnPlace | undefined;
}

/** A preview as the GraphQL type `SafetyPreview` reads it. */
export interface SafetyPreviewView {
  direction: SafetyDirection;
  enabled: boolean;
  version: number;
  outcome: PreviewOutcome;
  level: SafetyLevel | null;
  text: string | null;
  scannedText: string;
  matches: Array<{
    termId: string;
    term: string;
    category: string;
    level: SafetyLevel;
    wholeWord: boolean;
    action: string;
    matched: string;
    start: number;
    end: number;
    normalized: string;
    termNormalized: string;
    afterMasking: boolean;
  }>;
  rewrites: Array<{ ruleId: string; pattern: string; regex: boolean; replacement: string; applications: number }>;
}

/**
 * Content safety: the live filter on prompts, titles and reply streams (`LiveFilter`), the record
 * of what it caught and conversation monitoring over it (warn → slow down → lock → an item for
 * reviewers; `Monitoring`), and the administration of the term list and rewrite rules (versioned,
 * audited, reloaded on every process within seconds; `SafetyAdmin`).
 *
 * Other modules use this class's methods: a chat turn makes one call up front (`screenTurn`) and,
 * when its prompt had hits, one after it is stored (`turnStored`). The parts are for the safety
 * module's own resolver.
 */
export class SafetyService {
  readonly filter: LiveFilter;
  readonly monitoring: Monitoring;
  readonly admin: SafetyAdmin;

  constructor(private readonly o: SafetyServiceOptions) {
    this.filter = new LiveFilter(o);
    this.monitoring = new Monitoring(o);
    this.admin = new SafetyAdmin(o, this.filter);
  }

  /** The list version this process filters with. */
  get version(): number {
    return this.filter.version;
  }

  get enabled(): boolean {
    return this.filter.enabled;
  }

  get refusal(): string {
    return this.o.settings.refusal;
  }

  async start(): Promise<void> {
    await this.filter.reload();
    await this.monitoring.start();
    await this.filter.watch();
  }

  async close(): Promise<void> {
    this.monitoring.close();
    await this.filter.close();
  }

  /**
   * One turn, screened before anything of it is stored: monitoring admits it (else
   * CONVERSATION_LOCKED, or RATE_LIMITED for a person slowed down), then the caller's `admitted`
   * step; the prompt is filtered (a BLOCK term: its hits are stored, the refusal recorded as DENIED
   * under `operation`, monitoring runs, and SAFETY_BLOCKED is thrown), then the caller's `passed`
   * step; a new conversation's title is filtered (refused the same way). The verdict carries what
   * the turn stores and the filter its reply streams through.
   */
  async screenTurn<T>(turn: TurnRequest, steps: TurnSteps<T>): Promise<TurnVerdict<T>> {
    const { caller, operation, conversation, prompt } = turn;
    const { userId } = requireActor(caller);
    await this.monitoring.admit(userId, conversation);
    await steps.admitted();
    const check = prompt ? this.filter.checkInput(prompt.content) : undefined;
    const earlier = (prompt?.earlier ?? []).map((turn) => ({ turn, check: this.filter.checkInput(turn.content) }));
    const refused = check?.blocked ? check : earlier.find((e) => e.check.blocked)?.check;
    if (refused?.blocked) await this.monitoring.refuseInput(caller, operation, refused.blocked, refused.hits, conversation?.id ?? null);
    const passed = await steps.passed();
    if (!prompt || !check) return { passed, prompt: undefined, title: undefined, filter: this.filter.replyFilter(), monitor: undefined };
    const title = prompt.title ? await this.checkTitle(caller, operation, prompt.title(check.content), conversation?.id ?? null) : undefined;
    const place = { userId, conversationId: prompt.conversationId };
    const verdict = (messageId: string, c: typeof check) => ({
      messageId,
      content: c.content,
      hits: c.hits,
      level: c.level,
      events: this.monitoring.inputEventsSql(c.hits, { ...place, messageId }),
    });
    const hits = check.hits.length + earlier.reduce((n, e) => n + e.check.hits.length, 0);
    return {
      passed,
      prompt: { ...verdict(prompt.messageId, check), earlier: earlier.map((e) => verdict(e.turn.messageId, e.check)) },
      title,
      filter: this.filter.replyFilter(),
      monitor: hits > 0 ? place : undefined,
    };
  }

  /**
   * After a turn whose prompt had hits is stored (and its reply started): monitoring counts them.
   * The turn stands whatever it says (a failure is logged); `locked`: it locked the conversation.
   */
  async turnStored(place: TurnPlace): Promise<{ locked: boolean }> {
    const taken = await this.monitoring.monitorSafely(place.userId, place.conversationId);
    return { locked: taken.includes('LOCK') };
  }

  /**
   * A title: masked; refused (SAFETY_BLOCKED, recorded under `action`) when it holds a BLOCK term.
   * Used for renames, and for titles made from a prompt (where the collapsed white space may join a term).
   */
  async checkTitle(caller: Caller, action: string, title: string, conversationId: string | null): Promise<string> {
    const verdict = this.filter.checkInput(title);
    if (verdict.blocked) await this.monitoring.refuseInput(caller, action, verdict.blocked, verdict.hits, conversationId);
    return verdict.content;
  }

  /**
   * What the live filter would make of `text` as a prompt or a reply, exactly as a turn computes
   * it, recording nothing (no safety event, no monitoring, no conversation): for admins trying a
   * term list. Refuses empty text and text over PREVIEW_MAX_CHARS (BAD_USER_INPUT).
   */
  preview(text: string, direction: SafetyDirection): SafetyPreviewView {
    checkPreviewText(text);
    const r = this.filter.preview(text, direction);
    return {
      direction: r.direction,
      enabled: r.enabled,
      version: r.version,
      outcome: r.outcome,
      level: r.level,
      text: r.text,
      scannedText: r.scanned,
      matches: r.matches.map((m) => ({
        termId: m.term.id,
        term: m.term.term,
        category: m.term.category,
        level: m.term.level,
        wholeWord: m.term.wholeWord,
        action: m.action,
        matched: m.matched,
        start: m.start,
        end: m.end,
        normalized: m.normalized,
        termNormalized: m.termNormalized,
        afterMasking: m.afterMasking,
      })),
      rewrites: r.rewrites.map((w) => ({ ruleId: w.rule.id, pattern: w.rule.pattern, regex: w.rule.regex, replacement: w.rule.replacement, applications: w.applications })),
    };
  }

  /** A fresh filter for one reply, on the list as it is now; undefined when filtering is off. */
  replyFilter(): ReplyFilter | undefined {
    return this.filter.replyFilter();
  }

  /** A reply's hits, stored when it ends, with an audit entry by the safety service; monitoring counts them. */
  recordOutput(reply: { userId: string; conversationId: string; messageId: string }, hits: Hit[], blocked: Hit | undefined): Promise<void> {
    return this.monitoring.recordOutput(reply, hits, blocked);
  }

  /** The highest monitoring step active for a conversation or its owner within the window. */
  activeStep(userId: string, conversationId: string): Promise<EscalationStep | null> {
    return this.monitoring.activeStep(userId, conversationId);
  }

  /** Lifts a lock monitoring put on a conversation (audited); the conversation as it is now. */
  unlockConversation(caller: Caller, id: string) {
    return this.monitoring.unlockConversation(caller, id);
  }
}
