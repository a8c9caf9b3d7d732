import { validate } from 'class-validator';
import type express from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Context } from '../context.js';
import { AppError, ErrorCode, UnreachableCaseError, badInput } from '../errors.js';
import { badText } from '../middleware.js';
import { auditRouteError } from '../modules/audit/index.js';
import type { Authenticated } from '../modules/auth/index.js';
import { GenerationParamsInput, HISTORY_MAX_TURNS, type MessageEventPayload } from '../modules/chat/index.js';
import { assertCan, requireActor } from '../modules/rbac/index.js';

/**
 * `POST /chat`: one question, one answer, over plain HTTP — the seed's REST endpoint. It is
 * `sendMessage` then `messageStream`, called as the GraphQL resolvers call them (the same CASL
 * rule, input filter, rate limits, audit entries, reply queue and output filter), answered as one
 * JSON object or as server-sent events. The contract is in api/README.md ("POST /chat").
 */

/** How often a server-sent event stream gets a comment line (`: ping`) while nothing else is sent. */
const SSE_HEARTBEAT_MS = 15_000;

/** What the audit trail calls a request to this route: the operation it performs. */
const ACTION = 'sendMessage';

const nullish = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? undefined);

const Turn = z.strictObject({ role: z.enum(['user', 'assistant']), content: z.string() });
// Types here; ranges from GenerationParamsInput, the class sendMessage's `params` is checked with.
const Params = z.strictObject({
  temperature: nullish(z.number()),
  topP: nullish(z.number()),
  maxTokens: nullish(z.number().int()),
  seed: nullish(z.number().int()),
  stop: nullish(z.array(z.string())),
  ignoreEos: nullish(z.boolean()),
  maxWaitMs: nullish(z.number().int()),
});
const Body = z.strictObject({
  query: z.string(),
  history: nullish(z.array(Turn).max(HISTORY_MAX_TURNS)),
  stream: nullish(z.boolean()),
  model: nullish(z.string().min(1).max(200)),
  params: nullish(Params),
});
type Body = z.infer<typeof Body>;

export interface ChatRouteOptions {
  authenticate(header: string | undefined): Promise<Authenticated | null>;
  contextFor(who: Authenticated | null, requestId: string, client: Context['client']): Context;
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  maxMessageChars: number;
}

const isErrorCode = (code: string): code is ErrorCode => (Object.values(ErrorCode) as string[]).includes(code);

/** The HTTP status of an error code on this route (protocol codes such as BAD_REQUEST: 400). */
export function httpStatusOf(code: string): number {
  if (!isErrorCode(code)) return 400;
  switch (code) {
    case 'BAD_USER_INPUT':
    case 'SAFETY_BLOCKED':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
    case 'CONVERSATION_LOCKED':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'RATE_LIMITED':
    case 'TOO_MANY_GENERATIONS':
      return 429;
    case 'UPSTREAM_ERROR':
    case 'UPSTREAM_INTERRUPTED':
      return 502;
    case 'UPSTREAM_BUSY':
    case 'SERVICE_UNAVAILABLE':
    case 'GENERATOR_STOPPED':
      return 503;
    case 'UPSTREAM_TIMEOUT':
      return 504;
    case 'INTERNAL_SERVER_ERROR':
      return 500;
    default:
      throw new UnreachableCaseError(code);
  }
}

/** `Retry-After` (whole seconds, at least 1) from an error's `retryAfterSeconds` or `retryAfterMs`. */
function retryAfter(e: Record<string, unknown>): string | undefined {
  const s = typeof e.retryAfterSeconds === 'number' ? e.retryAfterSeconds : typeof e.retryAfterMs === 'number' ? e.retryAfterMs / 1000 : undefined;
  return s === undefined ? undefined : String(Math.max(1, Math.ceil(s)));
}

/** An error answer: `{ error: { code, message, …its extensions (field, fields, category, retryAfterSeconds) } }`. */
function sendError(res: express.Response, error: { code: string; message: string; [k: string]: unknown }, extra: Record<string, unknown> = {}) {
  const after = retryAfter(error);
  if (after) res.setHeader('retry-after', after);
  res.status(httpStatusOf(error.code)).json({ error, ...extra });
}

/** The BAD_USER_INPUT for the first thing wrong with a body's shape, naming its field. */
function shapeError(issue: z.core.$ZodIssue): AppError {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const field = [...path, issue.keys[0] ?? ''].join('.');
    return badInput(`Unknown field: ${field}`, { field });
  }
  const field = path.join('.') || undefined;
  return badInput(field ? `${field}: ${issue.message}` : issue.message, field ? { field } : {});
}

/** The body as `ChatService.send` takes it, or the BAD_USER_INPUT saying what is wrong. */
async function parseBody(raw: unknown, maxMessageChars: number): Promise<Body> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badInput('The body must be a JSON object');
  const bad = badText(raw);
  if (bad === 'nul') throw badInput('Text may not contain the NUL character (U+0000)');
  if (bad === 'surrogate') throw badInput('Text must be well-formed UTF-16 (a lone surrogate cannot be stored)');
  const parsed = Body.safeParse(raw);
  if (!parsed.success) throw shapeError(parsed.error.issues[0]!);
  const body = parsed.data;
  if (body.query.trim().length === 0) throw badInput('query is empty', { field: 'query' });
  if (body.query.length > maxMessageChars) throw badInput(`query exceeds ${maxMessageChars} characters`, { field: 'query', maxLength: maxMessageChars });
  if (body.params) {
    const errors = await validate(Object.assign(new GenerationParamsInput(), body.params));
    if (errors.length > 0) {
      const fields = errors.map((e) => ({ field: `params.${e.property}`, constraints: Object.values(e.constraints ?? {}) }));
      throw badInput('Argument validation failed', { field: fields[0]!.field, fields });
    }
  }
  return body;
}

/** Writes to the response, waiting while the client's buffer is full; false once it has gone. */
async function write(res: express.Response, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(chunk)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
  return !res.destroyed;
}

const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/**
 * The route's handler, behind the request id, CORS and JSON body middleware of http.ts. Order:
 * the body must be JSON (else 400 BAD_REQUEST, before anything else), the credential (401), the
 * rule sendMessage declares (`create Message`, 403), the body's fields (400 BAD_USER_INPUT); then
 * `chat.send` and `chat.subscribe`, whose errors keep their codes.
 */
export function chatRoute(o: ChatRouteOptions): express.RequestHandler {
  const answerError = async (res: express.Response, ctx: Context | undefined, err: unknown) => {
    const formatted = o.formatError({ message: err instanceof Error ? err.message : 'Internal server error', extensions: err instanceof GraphQLError ? err.extensions : {} }, err);
    const { code, ...extensions } = (formatted.extensions ?? {}) as { code?: string } & Record<string, unknown>;
    if (ctx) await auditRouteError(ctx, ACTION, err, true);
    if (res.headersSent) return;
    sendError(res, { code: code ?? ErrorCode.INTERNAL_SERVER_ERROR, message: formatted.message, ...extensions });
  };

  return async (req, res) => {
    const requestId = String(res.locals.requestId);
    const client = { ip: req.ip, userAgent: req.headers['user-agent'], requestId: res.locals.clientRequestId as string | undefined };
    if (!req.is('application/json') || req.body === undefined) {
      return sendError(res, { code: 'BAD_REQUEST', message: 'Send a JSON body with Content-Type: application/json' });
    }
    let ctx: Context | undefined;
    try {
      try {
        ctx = o.contextFor(await o.authenticate(req.headers.authorization), requestId, client);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        // As over /graphql: a refused credential is the request's answer (401, or 403 for a disabled account).
        ctx = { ...o.contextFor(null, requestId, client), authError: err };
      }
      requireActor(ctx);
      assertCan(ctx, 'create', 'Message');
      const body = await parseBody(req.body, o.maxMessageChars);
      const sent = await ctx.services.chat.send(ctx, { content: body.query, model: body.model, params: body.params, history: body.history });
      const ids = { conversationId: sent.conversation.id, messageId: sent.assistantMessage.id, userMessageId: sent.userMessage.id };
      const events = await ctx.services.chat.subscribe(ctx, ids.messageId, 0);
      // A client that goes away stops listening, nothing more: the reply goes on and is stored, as
      // for a WebSocket client that drops its subscription.
      const stopListening = () => void events[Symbol.asyncIterator]().return?.();
      res.once('close', stopListening);
      // Gone already while the turn was written: nobody to answer (the reply goes on all the same).
      if (res.destroyed) {
        stopListening();
        return;
      }
      res.setHeader('x-conversation-id', ids.conversationId);
      res.setHeader('x-message-id', ids.messageId);
      if (body.stream) await streamReply(res, events, { ...ids, model: sent.assistantMessage.model }, ctx.log);
      else await collectReply(res, events, { ...ids, model: sent.assistantMessage.model });
      ctx.log.info({ route: 'POST /chat', stream: body.stream ?? false, messageId: ids.messageId }, 'chat request');
    } catch (err) {
      await answerError(res, ctx, err);
    }
  };
}

type Ids = { conversationId: string; messageId: string; userMessageId: string; model: string | null };

/** The final event's fields as both forms answer them. */
const ending = (e: MessageEventPayload) => ({ status: e.status ?? null, finishReason: e.finishReason ?? null, usage: e.usage ?? null, timings: e.timings ?? null });

/** Waits for the whole reply: 200 with it, or the final event's error with what there was of it. */
async function collectReply(res: express.Response, events: AsyncIterable<MessageEventPayload>, ids: Ids) {
  let reply = '';
  for await (const e of events) {
    if (e.delta !== undefined) reply += e.delta;
    if (!e.done) continue;
    if (res.destroyed) return;
    if (e.error) return sendError(res, { ...e.error }, { reply, ...ids, ...ending(e) });
    return void res.status(200).json({ reply, ...ids, ...ending(e) });
  }
}

/**
 * Server-sent events: `event: queued` while the reply waits for a model server, `data: {"delta"}`
 * per delta, then `data: {"done": true, …}` and `data: [DONE]`.
 */
async function streamReply(res: express.Response, events: AsyncIterable<MessageEventPayload>, ids: Ids, log: Logger) {
  res.status(200);
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  // A comment line now and then, so that proxies keep a stream open while its reply waits in line.
  const heartbeat = setInterval(() => void write(res, ': ping\n\n'), SSE_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    for await (const e of events) {
      let ok = true;
      if (e.seq === 0) ok = await write(res, sse({ queuePosition: e.queuePosition, estimatedWaitMs: e.estimatedWaitMs ?? null }, 'queued'));
      else if (e.delta !== undefined) ok = await write(res, sse({ delta: e.delta }));
      if (e.done) {
        await write(res, sse({ done: true, ...ids, ...ending(e), ...(e.error ? { error: e.error } : {}) }));
        await write(res, sse('[DONE]'));
        break;
      }
      if (!ok) return;
    }
  } catch (err) {
    // After the headers the error can only be the last event.
    if (!(err instanceof AppError)) log.error({ err }, 'reply stream failed');
    const code = err instanceof AppError ? err.code : ErrorCode.INTERNAL_SERVER_ERROR;
    await write(res, sse({ done: true, ...ids, error: { code, message: err instanceof AppError ? err.message : 'Internal server error' } }));
    await write(res, sse('[DONE]'));
  } finally {
    clearInterval(heartbeat);
  }
  res.end();
}
