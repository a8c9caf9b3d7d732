import { randomUUID } from 'node:crypto';
import { subject as asSubject } from '@casl/ability';
import type { Message as MessageRow, Prisma, PrismaClient, TextRows } from '@dialoop/db';
import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, missing, notFound } from '../../errors.js';
import { isUuid, parseId } from '../../ids.js';
import type { Limits } from '../../limits.js';
import { StageTimer } from '../../stage-timer.js';
import type { AuditLog } from '../audit/index.js';
import type { SafetyService, TurnRequest, TurnVerdict } from '../safety/index.js';
import { accessible, type Actor, type AppAbility, type Action, assertCan, requireActor, type AuthorizationContext } from '../rbac/index.js';
import { DeltaCoalescer, joinDelta, type CoalescedEvent } from './coalesce.js';
import { EventQueue } from './event-queue.js';
import { turnsTo } from './history.js';
import { writeTurn, type TurnMessage } from './turn-store.js';
import { eventsFromRow, type StreamEvent } from './events.js';
import type { ReplyDispatcher } from './dispatcher.js';
import { queuedOf, type GenerationManager } from './generation.js';
import type { StreamBus } from './stream-bus.js';
import type { SamplingParams, Upstreams } from './upstream.js';

export interface ChatServiceOptions {
  db: PrismaClient;
  /** A turn's write goes straight to the driver, as a prepared statement (`Database.textRows`). */
  textRows: TextRows;
  audit: AuditLog;
  safety: SafetyService;
  bus: StreamBus;
  generations: GenerationManager;
  /** The reply queue: whether a reply starts now or waits, and cancelling one that waits. */
  dispatcher: ReplyDispatcher;
  upstreams: Upstreams;
  limits: Limits;
  maxMessageChars: number;
  maxConcurrentGenerations: number;
  defaultModel: string | undefined;
  /** The model registry: which version a person's new conversation gets (active, or the canary for its share). */
  models: { assign(userId: string, current?: string | null): Promise<string | undefined> } | undefined;
  /** A subscriber that hears nothing for this long re-reads the row (a reply orphaned by a crash). */
  idleRecheckMs: number;
  /** STREAM_COALESCE_MS: deltas within this many ms of a subscriber's last delta event go out with the next (0: each its own). */
  coalesceMs?: number | undefined;
  /** Time per stage of sendMessage, regenerate and editAndResend (`dialoop_api_stage_seconds`). */
  stages?: Histogram<'operation' | 'stage'> | undefined;
  /** Reply subscriptions: each live delta's delivery lag, and those that end before their final event. */
  streams?: { lag: Histogram; lost: Counter<'reason'> } | undefined;
  log: Logger;
}

export interface SendInput {
  conversationId?: string | undefined;
  parentId?: string | undefined;
  content: string;
  model?: string | undefined;
  params?: SamplingParams | undefined;
  /**
   * Earlier turns to start a new conversation with (`POST /chat`): stored before the prompt, in
   * the same statement, as finished messages. They alternate, from a user turn to an assistant
   * one; the assistant turns are the client's, marked with the model `HISTORY_MODEL`.
   */
  history?: HistoryTurn[] | undefined;
}

export interface HistoryTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** The `model` of an assistant message a client supplied as history: no model here wrote it. */
export const HISTORY_MODEL = 'history';
/** The most earlier turns a send may bring. */
export const HISTORY_MAX_TURNS = 100;

export type MessageEventPayload = CoalescedEvent & { messageId: string };

const TITLE_CHARS = 60;
const PAGE_MAX = 100;
const SEARCH_MAX = 200;

function encodeCursor(c: { updatedAt: Date; id: string }) {
  return Buffer.from(`${c.updatedAt.toISOString()}|${c.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const updatedAt = new Date(iso ?? '');
  if (!id || !isUuid(id) || Number.isNaN(updatedAt.getTime())) throw badInput('Malformed cursor');
  return { updatedAt, id: id.toLowerCase() };
}

/** A reply still on its way: waiting in the queue or streaming. */
const inProgress = (status: string) => status === 'QUEUED' || status === 'STREAMING';

/** The model a reply uses and the upstream serving it (see `pickModel`). */
interface Picked {
  model: string | null;
  upstream: string | undefined;
}

const cleanParams = (p: SamplingParams | undefined): SamplingParams =>
  Object.fromEntries(Object.entries(p ?? {}).filter(([, v]) => v !== undefined && v !== null)) as SamplingParams;

/** Conversations, messages and replies: the chat flow of ARCHITECTURE.md. */
export class ChatService {
  constructor(private readonly o: ChatServiceOptions) {}

  private checkContent(content: string, field = 'content') {
    if (content.trim().length === 0) throw badInput(`${field} is empty`, { field });
    if (content.length > this.o.maxMessageChars) {
      throw badInput(`${field} exceeds ${this.o.maxMessageChars} characters`, { field, maxLength: this.o.maxMessageChars });
    }
  }

  /** Earlier turns for a new conversation: user, assistant, user, … assistant (a prompt answers an assistant reply). */
  private checkHistory(history: HistoryTurn[]) {
    if (history.length > HISTORY_MAX_TURNS) throw badInput(`history has more than ${HISTORY_MAX_TURNS} turns`, { field: 'history' });
    if (history.length % 2 !== 0) throw badInput('history must end with an assistant turn (turns alternate, from a user turn)', { field: 'history' });
    history.forEach((turn, i) => {
      const role = i % 2 === 0 ? 'user' : 'assistant';
      if (turn.role !== role) throw badInput(`history turns alternate, from a user turn: history.${i}.role must be ${role}`, { field: `history.${i}.role` });
      this.checkContent(turn.content, `history.${i}.content`);
    });
  }

  /**
   * The model a reply uses and the upstream serving it (undefined: none reachable now): the one
   * asked for; else the registry's pick for this person — the one the conversation already uses
   * (`current`) while it gets traffic, else the canary for its share of people, else the active
   * version; else `current`, else DEFAULT_MODEL. A version no upstream serves yet (the registry is
   * loading it) gives way to DEFAULT_MODEL.
   */
  private async pickModel(requested: string | undefined, who?: { userId: string; current?: string | null | undefined }): Promise<Picked> {
    const preferred = !requested && who ? ((await this.o.models?.assign(who.userId, who.current)) ?? who.current ?? undefined) : undefined;
    let r = await this.o.upstreams.route(requested, preferred ?? this.o.defaultModel);
    if (r.unknown && requested) throw badInput(`Unknown model: ${requested}`, { field: 'model' });
    if (r.unknown && preferred && preferred !== this.o.defaultModel) r = await this.o.upstreams.route(undefined, this.o.defaultModel);
    return { model: r.model, upstream: r.upstream };
  }

  /**
   * Screens a turn before anything of it is stored, in one call to content safety, which runs the
   * chat's own steps between its own: what conversation monitoring says (a locked conversation, a
   * person slowed down), then the rate limit for one more reply by this person; the prompt's filter,
   * then the model's choice (`pick`); then a new conversation's title. The limit on replies
   * streaming at once is the write's.
   */
  private async screen(t: StageTimer, ctx: Caller, actor: Actor, turn: Omit<TurnRequest, 'caller'>, pick: () => Promise<Picked>) {
    if (!this.o.generations.accepting) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The api is shutting down; retry shortly');
    t.lap('load');
    return this.o.safety.screenTurn(
      { caller: ctx, ...turn },
      {
        admitted: async () => {
          t.lap('admit.safety');
          await this.o.limits.message(actor.userId);
          t.lap('admit.rateLimit');
          // The limit on replies streaming at once is checked by the statement that stores the turn.
        },
        passed: async () => {
          if (turn.prompt) t.lap('checkInput');
          const picked = await pick();
          t.lap('pickModel');
          return picked;
        },
      },
    );
  }

  /**
   * The conversation `id` if the ability allows `action` on it; NOT_FOUND otherwise, as for one
   * that does not exist (one that exists is a refusal, which the audit trail records as DENIED).
   */
  private async findConversation(ability: AppAbility, action: Action, id: string) {
    const key = parseId(id, 'Conversation');
    const conv = await this.o.db.conversation.findFirst({ where: { AND: [accessible(ability, action).ofType('Conversation'), { id: key }] } });
    if (!conv) throw missing('Conversation', await this.o.db.conversation.count({ where: { id: key } }));
    return conv;
  }

  /** The message `id` if the ability allows `action` on it; NOT_FOUND (naming `what`) otherwise, recorded as DENIED when it exists. */
  private async findMessage(ability: AppAbility, action: Action, id: string, what = 'Message') {
    const key = parseId(id, what);
    const row = await this.o.db.message.findFirst({ where: { AND: [accessible(ability, action).ofType('Message'), { id: key }] } });
    if (!row) throw missing(what, await this.o.db.message.count({ where: { id: key } }));
    return row;
  }

  /**
   * Stores one turn, as content safety passed it (`screened`), and starts its reply: the new
   * prompt if it has one, under `parentId`, and a STREAMING assistant reply under it (or directly
   * under `parentId` when there is no prompt: a regenerated sibling). The history is read first
   * (the path above `parentId` is immutable), then the turn is written in one SQL statement with
   * the prompt's safety events and its audit entry (writeTurn).
   */
  private async startTurn(
    t: StageTimer,
    caller: Caller,
    actor: Actor,
    action: TurnRequest['operation'],
    screened: TurnVerdict<Picked>,
    turn: {
      /** With a title: a new conversation, created with this id. */
      conversation: { id: string } | { id: string; title: string };
      parentId: string | null;
      params: SamplingParams;
      /** continueGeneration: the reply continued, whose text the new one begins with. */
      continues?: { id: string; content: string };
      /** sendMessage with history (a new conversation): the roles of the prompt's earlier turns, as screened. */
      history?: HistoryTurn['role'][];
    },
  ) {
    const db = this.o.db;
    const { model, upstream: served } = screened.passed;
    const prompt = screened.prompt;
    const existing = 'title' in turn.conversation ? undefined : turn.conversation.id;
    const conversationId = turn.conversation.id;
    const messages = existing && turn.parentId ? await turnsTo(db, turn.parentId) : [];
    t.lap('history');
    const userMessageId = prompt?.messageId ?? null;
    const assistantId = randomUUID();
    const rows: TurnMessage[] = [];
    const row = { conversationId, userId: actor.userId, model: null, params: null, generatorId: null };
    // Earlier turns a client brought (a new conversation): a chain of finished messages above the prompt.
    let promptParent = turn.parentId;
    const earlier = turn.history && prompt ? prompt.earlier : [];
    earlier.forEach((e, i) => {
      const role = turn.history![i]!;
      const stored = role === 'user' ? { role: 'USER' as const, model: null } : { role: 'ASSISTANT' as const, model: HISTORY_MODEL };
      rows.push({ ...row, ...stored, id: e.messageId, parentId: promptParent, content: e.content, status: 'COMPLETE', safety: e.level });
      messages.push({ role, content: e.content });
      promptParent = e.messageId;
    });
    if (prompt) {
      rows.push({ ...row, id: prompt.messageId, parentId: promptParent, role: 'USER', content: prompt.content, status: 'COMPLETE', safety: prompt.level });
      messages.push({ role: 'user', content: prompt.content });
    }
    const replyParent = userMessageId ?? turn.parentId;
    if (!replyParent) throw badInput('A reply needs a prompt');
    // A slot on the upstream now, or a place in the queue (refused here when the queue is full,
    // before anything is stored).
    const upstream = model ? served : undefined;
    const admission = upstream ? await this.o.dispatcher.admit(upstream, assistantId) : 'start';
    t.lap('admit.queue');
    rows.push({
      ...row,
      id: assistantId,
      parentId: replyParent,
      role: 'ASSISTANT',
      content: '',
      status: admission === 'start' ? 'STREAMING' : 'QUEUED',
      model,
      params: turn.params as Prisma.InputJsonObject,
      safety: null,
      generatorId: admission === 'start' ? this.o.generations.instanceId : null,
    });
    const safety = prompt?.events;
    const earlierEvents = earlier.flatMap((e) => (e.events ? [e.events] : []));
    // Last: the entry's insert takes the chain lock, which the statement's own commit releases.
    const audited = this.o.audit.insertSql(caller.audit, {
      action,
      subject: { type: 'Message', id: assistantId, owner: this.o.audit.person(actor.userId) },
      after: {
        conversationId,
        newConversation: !existing,
        userMessageId,
        parentId: turn.parentId,
        model,
        contentLength: prompt?.content.length ?? null,
        ...(earlier.length > 0 ? { history: { turns: earlier.length, contentLength: earlier.reduce((n, e) => n + e.content.length, 0) } } : {}),
        ...(turn.continues ? { continues: turn.continues.id, prefixLength: turn.continues.content.length } : {}),
        ...(safety ? { safety: safety.summary } : {}),
        ...(earlierEvents.length > 0 ? { historySafety: earlierEvents.flatMap((e) => e.summary) } : {}),
      },
    });
    t.lap('prepare');
    const job = {
      messageId: assistantId,
      userId: actor.userId,
      conversationId,
      model,
      upstream: served,
      messages,
      params: turn.params,
      filter: screened.filter,
      prefix: turn.continues?.content,
      // An API key's traffic is a "person" of its own in the queue's round-robin.
      turn: { person: actor.apiKeyId ? `key:${actor.apiKeyId}` : `user:${actor.userId}`, deadline: this.o.dispatcher.deadline(turn.params.maxWaitMs), enqueuedAt: Date.now() },
    };
    const unadmit = () => (upstream && admission === 'start' ? this.o.dispatcher.unadmit(upstream, assistantId) : Promise.resolve());
    // A reply with a slot starts now, while its turn is written: the model's prefill overlaps the
    // write, and the reply is held back until the turn is stored (or dropped if it is not).
    // The write is sent first: the send's answer waits on it, the first token on both.
    let stored: (ok: boolean) => void = () => undefined;
    const writing = writeTurn(this.o.textRows, {
      conversation: 'title' in turn.conversation ? { id: conversationId, create: { userId: actor.userId, title: turn.conversation.title } } : { id: conversationId },
      messages: rows,
      also: [...(safety ? [safety.sql] : []), ...earlierEvents.map((e) => e.sql), ...(audited ? [audited] : [])],
      limit: { userId: actor.userId, maxStreaming: this.o.maxConcurrentGenerations },
    });
    if (admission === 'start') this.o.generations.start(job, new Promise<boolean>((resolve) => (stored = resolve)));
    const written = await writing.catch(async (err: unknown) => {
      stored(false);
      await unadmit();
      throw err;
    });
    t.lap('write');
    stored(written.admitted);
    if (!written.admitted) {
      await unadmit();
      throw new AppError(ErrorCode.TOO_MANY_GENERATIONS, `At most ${this.o.maxConcurrentGenerations} replies may stream at once`, {
        limit: this.o.maxConcurrentGenerations,
      });
    }
    const { conversation, messages: created } = written;
    const byId = new Map(created.map((m) => [m.id, m]));
    const assistantMessage = byId.get(assistantId)!;
    if (admission !== 'start') await this.o.dispatcher.enqueue(queuedOf(job));
    t.lap('start');
    // Monitoring counts this prompt's hits (the turn stands whatever it says); a lock it takes
    // shows in the payload's conversation.
    let current = conversation;
    if (screened.monitor && (await this.o.safety.turnStored(screened.monitor)).locked) {
      current = (await db.conversation.findUnique({ where: { id: conversationId } })) ?? conversation;
    }
    t.lap('monitor');
    t.end();
    return { conversation: current, userMessage: userMessageId ? byId.get(userMessageId)! : undefined, assistantMessage };
  }

  async send(ctx: Caller, input: SendInput) {
    const t = new StageTimer(this.o.stages, 'sendMessage');
    const actor = requireActor(ctx);
    this.checkContent(input.content);
    const history = input.history ?? [];
    if (history.length > 0) {
      if (input.conversationId || input.parentId) throw badInput('history starts a new conversation: send it without conversationId or parentId', { field: 'history' });
      this.checkHistory(history);
    }
    let conversation = input.conversationId ? await this.findConversation(ctx.ability, 'update', input.conversationId) : undefined;
    let parent: MessageRow | undefined;
    if (input.parentId) {
      const row = await this.findMessage(ctx.ability, 'read', input.parentId, 'Parent message');
      if (conversation && row.conversationId !== conversation.id) throw badInput('parentId belongs to another conversation', { field: 'parentId' });
      conversation = await this.findConversation(ctx.ability, 'update', row.conversationId);
      parent = row;
    } else if (conversation) {
      parent = (await this.o.db.message.findFirst({ where: { conversationId: conversation.id }, orderBy: { ordinal: 'desc' } })) ?? undefined;
    }
    if (parent && parent.role !== 'ASSISTANT') throw badInput('A message answers an assistant reply: parentId must name one', { field: 'parentId' });
    if (parent && inProgress(parent.status)) throw new AppError(ErrorCode.CONFLICT, 'The reply this message answers is still streaming');
    if (!conversation) assertCan(ctx, 'create', 'Conversation');
    // Where the prompt will be stored (its safety events are written with it), and a new
    // conversation's title: the start of the prompt as filtered, checked as a title in turn.
    const prompt = { content: input.content, conversationId: conversation?.id ?? randomUUID(), messageId: randomUUID() };
    const title = conversation ? undefined : (filtered: string) => filtered.trim().replace(/\s+/g, ' ').slice(0, TITLE_CHARS);
    const earlier = history.map((h) => ({ messageId: randomUUID(), content: h.content }));
    const screened = await this.screen(t, ctx, actor, { operation: 'sendMessage', conversation, prompt: { ...prompt, title, earlier } }, () =>
      this.pickModel(input.model, { userId: actor.userId, current: parent?.model }),
    );
    t.lap('checkTitle');
    const turn = await this.startTurn(t, ctx, actor, 'sendMessage', screened, {
      conversation: conversation ? { id: conversation.id } : { id: prompt.conversationId, title: screened.title! },
      parentId: parent?.id ?? null,
      params: cleanParams(input.params),
      ...(history.length > 0 ? { history: history.map((h) => h.role) } : {}),
    });
    return { ...turn, userMessage: turn.userMessage! };
  }

  /** A new reply to the same prompt as `messageId` (an assistant message), beside it in the tree. */
  regenerate(ctx: Caller, messageId: string, opts: { model?: string | undefined; params?: SamplingParams | undefined }) {
    return this.replyBeside(ctx, 'regenerate', messageId, opts);
  }

  /**
   * A new reply beside `messageId` (an assistant reply cut short: interrupted by a stopped
   * process or an upstream, cancelled, or ended by its token limit) that begins with its text and
   * goes on from there: its first delta is that text, and the upstream continues the final
   * assistant message (`continue_final_message`). The reply continued stays as it was.
   */
  continueReply(ctx: Caller, messageId: string, opts: { model?: string | undefined; params?: SamplingParams | undefined }) {
    return this.replyBeside(ctx, 'continueGeneration', messageId, opts, (original) => {
      if (inProgress(original.status)) throw new AppError(ErrorCode.CONFLICT, 'The reply is still streaming');
      if (original.finishReason === 'content_filter') throw badInput('A reply stopped by the content filter cannot be continued', { field: 'messageId' });
      if (original.content.length === 0) throw badInput('The reply has no text to continue from: regenerate it instead', { field: 'messageId' });
    });
  }

  /**
   * A new assistant reply to the prompt of `messageId` (an assistant reply), beside it: from the
   * model of the one it sits beside while that version still gets traffic, with its parameters
   * unless others are given. `continueGeneration` starts it with that reply's text.
   */
  private async replyBeside(
    ctx: Caller,
    action: 'regenerate' | 'continueGeneration',
    messageId: string,
    opts: { model?: string | undefined; params?: SamplingParams | undefined },
    check?: (original: MessageRow) => void,
  ) {
    const t = new StageTimer(this.o.stages, action);
    const actor = requireActor(ctx);
    const original = await this.findMessage(ctx.ability, 'create', messageId);
    if (original.role !== 'ASSISTANT' || !original.parentId) {
      throw badInput(`Only an assistant reply can be ${action === 'regenerate' ? 'regenerated' : 'continued'}`, { field: 'messageId' });
    }
    check?.(original);
    const conversation = await this.findConversation(ctx.ability, 'update', original.conversationId);
    const screened = await this.screen(t, ctx, actor, { operation: action, conversation }, () => this.pickModel(opts.model, { userId: actor.userId, current: original.model }));
    const turn = await this.startTurn(t, ctx, actor, action, screened, {
      conversation: { id: original.conversationId },
      parentId: original.parentId,
      params: opts.params ? cleanParams(opts.params) : ((original.params ?? {}) as SamplingParams),
      ...(action === 'continueGeneration' ? { continues: { id: original.id, content: original.content } } : {}),
    });
    return turn.assistantMessage;
  }

  /** A new user message beside `messageId` (same parent) with new content, and its reply: a new branch. */
  async editAndResend(ctx: Caller, messageId: string, content: string, opts: { model?: string | undefined; params?: SamplingParams | undefined }) {
    const t = new StageTimer(this.o.stages, 'editAndResend');
    const actor = requireActor(ctx);
    this.checkContent(content);
    const original = await this.findMessage(ctx.ability, 'create', messageId);
    if (original.role !== 'USER') throw badInput('Only a user message can be edited', { field: 'messageId' });
    const conversation = await this.findConversation(ctx.ability, 'update', original.conversationId);
    const prompt = { content, conversationId: conversation.id, messageId: randomUUID() };
    const screened = await this.screen(t, ctx, actor, { operation: 'editAndResend', conversation, prompt }, async () => {
      const before = original.parentId ? await this.o.db.message.findUnique({ where: { id: original.parentId }, select: { model: true } }) : null;
      return this.pickModel(opts.model, { userId: actor.userId, current: before?.model });
    });
    const turn = await this.startTurn(t, ctx, actor, 'editAndResend', screened, {
      conversation: { id: conversation.id },
      parentId: original.parentId,
      params: cleanParams(opts.params),
    });
    return { ...turn, userMessage: turn.userMessage! };
  }

  /** Stops a streaming reply (on whichever process runs it) and returns it once stored as CANCELLED. */
  async cancel(ctx: Caller, messageId: string, waitMs = 5_000): Promise<MessageRow> {
    requireActor(ctx);
    const row = await this.findMessage(ctx.ability, 'cancel', messageId);
    const { id } = row;
    if (!inProgress(row.status)) return row;
    // The request is what this person did; the reply's end is written by whichever process runs it.
    await this.o.audit.write(ctx.audit, { action: 'cancelGeneration', subject: { type: 'Message', id, owner: this.o.audit.person(row.userId) } });
    // Still waiting: taken out of the queue and settled here (else it has just started: stopped below).
    if (row.status === 'QUEUED' && (await this.o.dispatcher.cancel(id))) return this.o.db.message.findUniqueOrThrow({ where: { id } });
    let settled: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (settled = resolve));
    const unlisten = await this.o.bus.listen(id, (e) => e.done && settled());
    try {
      if (!this.o.generations.cancelLocal(id)) await this.o.bus.requestCancel(id);
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), waitMs).unref());
      if ((await Promise.race([finished, timeout])) === 'timeout') {
        // Nobody runs it any more (its process died): settle it here, with the text its
        // subscribers received and its final event.
        // (Or it went back to the queue meanwhile, sent back by its upstream: taken out there.)
        if (!(await this.o.dispatcher.cancel(id))) await this.o.generations.settleOrphan(id, { status: 'CANCELLED', finishReason: 'cancelled', errorCode: null, errorMessage: null });
      }
    } finally {
      unlisten();
    }
    return this.o.db.message.findUniqueOrThrow({ where: { id } });
  }

  async conversations(ctx: AuthorizationContext, first: number, after: string | undefined, search?: string) {
    const actor = requireActor(ctx);
    const { ability } = ctx;
    if (first < 1 || first > PAGE_MAX) throw badInput(`first must be between 1 and ${PAGE_MAX}`);
    const q = search?.trim();
    if (search !== undefined && (!q || q.length > SEARCH_MAX)) throw badInput(`search must be 1-${SEARCH_MAX} characters`, { field: 'search' });
    const c = after ? decodeCursor(after) : undefined;
    const rows = await this.o.db.conversation.findMany({
      where: {
        AND: [
          accessible(ability).ofType('Conversation'),
          // Your own: reviewers and admins, who may read others', open those by id.
          { userId: actor.userId },
          c ? { OR: [{ updatedAt: { lt: c.updatedAt } }, { updatedAt: c.updatedAt, id: { lt: c.id } }] } : {},
          q
            ? {
                OR: [
                  { title: { contains: q, mode: 'insensitive' as const } },
                  { messages: { some: { userId: actor.userId, content: { contains: q, mode: 'insensitive' as const } } } },
                ],
              }
            : {},
        ],
      },
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
    });
    const page = rows.slice(0, first);
    const last = page.at(-1);
    return {
      edges: page.map((node) => ({ cursor: encodeCursor(node), node })),
      pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last) : null },
    };
  }

  /** The account behind a conversation, if the caller may read any of it (field rules decide which fields). */
  async owner(ability: AppAbility, userId: string) {
    const user = await this.o.db.user.findUnique({ where: { id: userId } });
    if (!user || !ability.can('read', asSubject('User', user))) return null;
    return user;
  }

  /** Opening someone else's conversation (a reviewer, an admin) is a recorded read. */
  async conversation(ctx: Caller, id: string) {
    const conv = await this.findConversation(ctx.ability, 'read', id);
    await this.auditRead(ctx, 'conversation', 'Conversation', conv.id, conv.userId);
    return conv;
  }

  private async auditRead(ctx: Caller, action: string, type: string, id: string, owner: string) {
    if (owner === ctx.actor?.userId) return;
    await this.o.audit.write(ctx.audit, { action, subject: { type, id, owner: this.o.audit.person(owner) } });
  }

  /** The whole message tree of a conversation, oldest first (each message names its parent). */
  messages(ability: AppAbility, conversationId: string) {
    return this.o.db.message.findMany({
      where: { AND: [accessible(ability).ofType('Message'), { conversationId }] },
      orderBy: { ordinal: 'asc' },
    });
  }

  async message(ctx: Caller, id: string, action = 'message') {
    const row = await this.findMessage(ctx.ability, 'read', id);
    await this.auditRead(ctx, action, 'Message', row.id, row.userId);
    return row;
  }

  async rename(ctx: Caller, id: string, title: string) {
    const trimmed = title.trim();
    if (trimmed.length === 0 || trimmed.length > 200) throw badInput('title must have 1 to 200 characters');
    const conv = await this.findConversation(ctx.ability, 'update', id);
    const t = await this.o.safety.checkTitle(ctx, 'renameConversation', trimmed, conv.id);
    return this.o.db.$transaction(async (tx) => {
      const updated = await tx.conversation.update({ where: { id: conv.id }, data: { title: t } });
      // Titles are message text: the trail keeps their length only.
      await this.o.audit.record(tx, ctx.audit, {
        action: 'renameConversation',
        subject: { type: 'Conversation', id: conv.id, owner: this.o.audit.person(conv.userId) },
        before: { titleLength: conv.title.length },
        after: { titleLength: t.length },
      });
      return updated;
    });
  }

  /** Deletes a conversation and its messages; replies still streaming in it are stopped first. */
  async delete(ctx: Caller, id: string): Promise<boolean> {
    const conv = await this.findConversation(ctx.ability, 'delete', id);
    await this.stopStreaming({ conversationId: conv.id });
    await this.o.db.$transaction(async (tx) => {
      const messages = await tx.message.count({ where: { conversationId: conv.id } });
      await tx.conversation.delete({ where: { id: conv.id } });
      await this.o.audit.record(tx, ctx.audit, {
        action: 'deleteConversation',
        subject: { type: 'Conversation', id: conv.id, owner: this.o.audit.person(conv.userId) },
        before: { messages },
      });
    });
    return true;
  }

  /** Replies among the messages `where` selects that may still have a replay log (a day at most). */
  async recentReplyIds(where: Prisma.MessageWhereInput): Promise<string[]> {
    const recent = await this.o.db.message.findMany({
      where: { ...where, role: 'ASSISTANT', createdAt: { gt: new Date(Date.now() - 86_400_000) } },
      select: { id: true },
    });
    return recent.map((m) => m.id);
  }

  /** Drops replay logs (Redis or memory): erased text must not outlive its rows there. */
  async discardStreamLogs(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.o.bus.discard(id)));
  }

  /** Stops the replies streaming among the messages `where` selects, wherever they run. */
  async stopStreaming(where: Prisma.MessageWhereInput): Promise<void> {
    const running = await this.o.db.message.findMany({ where: { ...where, status: { in: ['QUEUED', 'STREAMING'] } }, select: { id: true, status: true } });
    for (const m of running) {
      if (m.status === 'QUEUED' && (await this.o.dispatcher.cancel(m.id))) continue;
      if (!this.o.generations.cancelLocal(m.id)) await this.o.bus.requestCancel(m.id);
    }
  }

  /**
   * The events of a reply from `fromSeq` on: replayed from the stream log or the stored row,
   * then live, without loss or duplicates, ending after the final event. Listening starts
   * before the log is read, so nothing falls between the two.
   */
  async subscribe(ctx: Caller, messageId: string, fromSeq: number): Promise<AsyncIterable<MessageEventPayload>> {
    requireActor(ctx);
    if (!Number.isInteger(fromSeq) || fromSeq < 0) throw badInput('fromSeq must be a non-negative integer');
    const row = await this.message(ctx, messageId, 'messageStream');
    if (row.role !== 'ASSISTANT') throw badInput('Only assistant replies stream', { field: 'messageId' });
    const id = row.id;
    const { bus, db, idleRecheckMs, streams } = this.o;
    const log = this.o.log;

    let next = Math.max(fromSeq, 1);
    let ended = false;
    /** The final event went out (or there was nothing left to send): the subscription is not lost. */
    let complete = false;
    let failed = false;
    let idleTimer: NodeJS.Timeout | undefined;
    let unlisten: (() => void) | undefined;
    /** Stops listening: after the final event, an error, or the client unsubscribing. */
    const cleanup = () => {
      ended = true;
      clearTimeout(idleTimer);
      coalescer.close();
      unlisten?.();
      unlisten = undefined;
    };
    const queue = new EventQueue<MessageEventPayload>(() => {
      cleanup();
      // Closed before its final event: the client went away (or the process drained), or the stream failed.
      if (!complete) streams?.lost.inc({ reason: failed ? 'server_error' : 'client_gone' });
    }, joinDelta);
    // Deltas close together go out as one event (their seqs first..last): fewer events to execute, serialise and write.
    const coalescer = new DeltaCoalescer(this.o.coalesceMs ?? 0, queue);
    const finish = (err?: unknown) => {
      if (ended) return;
      if (err === undefined) complete = true;
      else failed = true;
      if (err === undefined) coalescer.flush();
      cleanup();
      queue.end(err);
    };
    /** `live`: heard from the bus as it happened (not replayed), so its lag is measured. */
    const emit = (e: StreamEvent, live = false) => {
      if (ended) return;
      // Where a waiting reply stands: only before its first delta.
      if (e.seq === 0) return void (next === 1 && coalescer.push({ ...e, messageId: id }));
      // A final event before `fromSeq` (a client resuming past the end): nothing is left to send.
      if (e.done && e.seq < next) return finish();
      if (e.seq < next) return;
      next = e.seq + 1;
      if (live && e.at !== undefined) streams?.lag.observe(Math.max(0, Date.now() - e.at) / 1000);
      coalescer.push({ ...e, messageId: id });
      if (e.done) finish();
    };
    /**
     * Replays what is missing: from the log while it exists, else from the stored row once the
     * reply has finished. Used at the start, after a gap (an event published before our SUBSCRIBE
     * took, or a lost message), and when the stream has been quiet too long. `known` is a row
     * read just before, which saves reading it again.
     */
    const catchUp = async (known?: MessageRow) => {
      const past = await bus.history(id);
      if (past.length > 0) return void past.forEach((e) => emit(e));
      const current = known ?? (await db.message.findUnique({ where: { id } }));
      if (!current) return finish(notFound('Message'));
      if (!inProgress(current.status)) eventsFromRow(current).forEach((e) => emit(e));
    };

    // Live events are delivered as they arrive. While the log is read (the replay at the start, or
    // a catch-up after a gap) they wait in `held`, in order, and go out after it.
    let held: StreamEvent[] | undefined = [];
    let heardAt = Date.now();
    const release = () => {
      const events = held ?? [];
      held = undefined;
      for (const e of events) onLive(e);
    };
    const onLive = (e: StreamEvent) => {
      heardAt = Date.now();
      if (held) return void held.push(e);
      if (ended) return;
      if (e.seq <= next) return emit(e, true);
      held = [];
      catchUp().then(
        () => emit(e),
        (err: unknown) => log.warn({ err, messageId: id }, 'stream delivery failed'),
      ).finally(release);
    };
    // One timer per subscriber, not one per event: an event only notes when it was heard.
    const armIdle = (ms = idleRecheckMs) => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        const quiet = Date.now() - heardAt;
        if (quiet < idleRecheckMs) return armIdle(idleRecheckMs - quiet);
        heardAt = Date.now();
        catchUp().then(
          () => !ended && armIdle(),
          (err: unknown) => {
            log.warn({ err, messageId: id }, 'stream recheck failed');
            if (!ended) armIdle();
          },
        );
      }, ms);
      idleTimer.unref();
    };

    unlisten = await bus.listen(id, onLive);
    try {
      await catchUp(row);
    } catch (err) {
      cleanup();
      throw err;
    }
    release();
    if (!ended) armIdle();
    if (!ended && row.status === 'QUEUED' && next === 1) {
      const at = await this.o.dispatcher.position(id);
      if (at) emit({ seq: 0, queuePosition: at.position, estimatedWaitMs: at.estimatedWaitMs });
    }
    return queue;
  }
}
