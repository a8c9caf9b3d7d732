import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { QueueFullError } from '../engine/engine.js';
import type { GenerationRequest, GenerationResult, SequenceHandle } from '../engine/sequence.js';
import type { InferenceEnv } from '../env.js';
import type { Metrics } from '../metrics.js';
import { TemplateError } from '../model/tokenizer.js';
import { ModelFolderError, PRECISIONS } from '../model/folder.js';
import { loadModel, type ServedModel } from '../models.js';
import { ApiError, invalid } from './errors.js';
import { type ChatCompletionRequest, parseChatRequest, queueFull, toChatMessages } from './schema.js';

export interface AppDeps {
  env: InferenceEnv;
  models: Map<string, ServedModel>;
  metrics: Metrics;
  log: Logger;
}

interface Choice {
  index: number;
  text: string;
  result?: GenerationResult;
  error?: Error;
}

/** Builds the generation requests of one chat completion (one per choice), or a typed error. */
function plan(req: ChatCompletionRequest, model: ServedModel, env: InferenceEnv): { prompt: number[]; gens: GenerationRequest[] } {
  const { engine } = model;
  const spec = engine.spec;
  const n = req.n ?? 1;
  if (n > env.INFERENCE_MAX_N) throw invalid('invalid_value', `n must be at most ${env.INFERENCE_MAX_N}.`, 'n');
  const messages = toChatMessages(req);
  // A prompt that cannot fit is refused by its size, before tokenizing it (which would hold the
  // event loop: about 2 s for 1 MB): n bytes are at least n / (the longest token's bytes) tokens.
  const bytes = messages.reduce((n, m) => n + Buffer.byteLength(m.content), 0);
  const atLeast = Math.ceil(bytes / engine.tokenizer.maxTokenBytes);
  if (atLeast > spec.maxPositions) {
    throw invalid('context_length_exceeded', `This model's maximum context length is ${spec.maxPositions} tokens; the messages use at least ${atLeast}.`, 'messages');
  }
  let prompt: number[];
  try {
    prompt = engine.tokenizer.encodeChat(messages, { continueFinal: req.continue_final_message === true });
  } catch (e) {
    // The model's chat template refused the conversation (e.g. roles that must alternate); any
    // other failure is a bug, answered 500 by the error handler.
    if (!(e instanceof TemplateError)) throw e;
    throw invalid('invalid_value', `The model's chat template rejected the messages: ${e.message}`, 'messages');
  }
  const room = spec.maxPositions - prompt.length;
  if (room < 1) {
    throw invalid('context_length_exceeded', `This model's maximum context length is ${spec.maxPositions} tokens; the messages use ${prompt.length}.`, 'messages');
  }
  const asked = req.max_completion_tokens ?? req.max_tokens;
  const param = req.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  if (asked != null && asked > spec.maxPositions) {
    throw invalid('invalid_value', `${param} must be at most ${spec.maxPositions}.`, param);
  }
  if (asked != null && asked > room) {
    throw invalid('context_length_exceeded', `This model's maximum context length is ${spec.maxPositions} tokens; the messages use ${prompt.length} and ${param} asks for ${asked}.`, param);
  }
  const maxTokens = asked ?? Math.min(room, env.INFERENCE_DEFAULT_MAX_TOKENS, spec.defaults.maxNewTokens ?? Infinity);
  const topK = req.top_k ?? spec.defaults.topK ?? 0;
  if (topK > spec.vocabSize) throw invalid('invalid_value', `top_k must be at most ${spec.vocabSize}.`, 'top_k');
  const baseSeed = req.seed ?? randomInt(0, 2 ** 31);
  const stop = req.stop == null ? [] : typeof req.stop === 'string' ? [req.stop] : req.stop;
  const gens = Array.from({ length: n }, (_, i) => ({
    promptIds: prompt,
    maxTokens,
    stop,
    ignoreEos: req.ignore_eos ?? false,
    sampling: {
      temperature: req.temperature ?? spec.defaults.temperature ?? 1,
      topP: req.top_p ?? spec.defaults.topP ?? 1,
      topK,
      // Choice i uses seed + i; the low 32 bits and high bits are mixed so any safe integer works.
      seed: ((baseSeed + i) % 2 ** 32) ^ Math.floor((baseSeed + i) / 2 ** 32),
    },
  }));
  return { prompt, gens };
}

function usageOf(choices: Choice[], promptTokens: number) {
  const completion = choices.reduce((sum, c) => sum + (c.result?.completionTokens ?? 0), 0);
  return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
}

export function buildApp({ env, models, metrics, log }: AppDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({ loggerInstance: log as FastifyBaseLogger, bodyLimit: env.INFERENCE_BODY_LIMIT, genReqId: () => randomUUID() });
  let draining = false;
  // JSON only: a text/plain body gets 415 rather than being parsed as a string.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof ApiError) {
      void reply.code(err.status).headers(err.headers).send(err.toJSON());
      return;
    }
    const status = err.statusCode ?? 500;
    let mapped: ApiError;
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) mapped = invalid('invalid_json', 'The request body is not valid JSON.');
    else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') mapped = invalid('invalid_json', 'The request body is empty.');
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') mapped = new ApiError(413, 'invalid_request_error', 'body_too_large', `The request body exceeds ${env.INFERENCE_BODY_LIMIT} bytes.`);
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') mapped = new ApiError(415, 'invalid_request_error', 'unsupported_media_type', 'Send the request body as application/json.');
    else if (status >= 400 && status < 500) mapped = new ApiError(status, 'invalid_request_error', 'invalid_body', err.message);
    else {
      log.error({ err }, 'unhandled error');
      mapped = new ApiError(500, 'server_error', 'internal_error', 'The server had an error while processing the request.');
    }
    void reply.code(mapped.status).send(mapped.toJSON());
  });

  app.setNotFoundHandler((req, reply) => {
    const known = ['/v1/chat/completions', '/v1/models', '/healthz', '/readyz', '/metrics', ...(env.INFERENCE_ADMIN_KEY ? ['/admin/models'] : [])];
    const e = known.includes(req.url.split('?')[0]!)
      ? new ApiError(405, 'invalid_request_error', 'method_not_allowed', `${req.method} is not allowed on ${req.url}.`)
      : new ApiError(404, 'not_found_error', 'not_found', `No route ${req.method} ${req.url}.`);
    void reply.code(e.status).send(e.toJSON());
  });

  // OpenAI's model object, plus `precision` (the weights of the graph served: fp32 or int8), which OpenAI clients ignore.
  const listModel = (m: ServedModel) => ({ id: m.id, object: 'model', created: m.created, owned_by: 'dialoop', precision: m.precision });
  const findModel = (id: string): ServedModel => {
    const m = models.get(id);
    if (!m) throw new ApiError(404, 'invalid_request_error', 'model_not_found', `The model '${id}' does not exist.`, 'model');
    return m;
  };

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (draining) return reply.code(503).send({ status: 'draining' });
    return { status: 'ready', models: [...models.keys()] };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/v1/models', async () => ({ object: 'list', data: [...models.values()].map(listModel) }));

  if (env.INFERENCE_ADMIN_KEY) {
    // Model versions come and go without a restart (the api's registry loads new ones here).
    const key = Buffer.from(env.INFERENCE_ADMIN_KEY);
    const authorize = (req: FastifyRequest) => {
      const sent = Buffer.from(String(req.headers.authorization ?? '').replace(/^Bearer /i, ''));
      if (sent.length !== key.length || !timingSafeEqual(sent, key)) throw new ApiError(401, 'authentication_error', 'invalid_api_key', 'A valid admin key is required.');
    };
    const loadBody = z.object({
      id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'letters, digits and . _ : - (at most 200)'),
      path: z.string().min(1).refine(isAbsolute, 'an absolute path'),
      /** Which of the folder's graphs to serve (default INFERENCE_PRECISION). */
      precision: z.enum(PRECISIONS).optional(),
    });
    const loading = new Set<string>();
    app.post('/admin/models', async (req, reply) => {
      authorize(req);
      const parsed = loadBody.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw invalid('invalid_value', `${issue.path.join('.') || 'body'}: ${issue.message}`, issue.path.join('.') || null);
      }
      const { id, path, precision } = parsed.data;
      if (models.has(id) || loading.has(id)) throw new ApiError(409, 'invalid_request_error', 'model_exists', `A model '${id}' is already served.`, 'id');
      loading.add(id);
      try {
        const m = await loadModel(id, path, env, metrics, log, { precision });
        models.set(id, m);
        return reply.code(201).send(listModel(m));
      } catch (e) {
        if (e instanceof ModelFolderError) throw invalid('invalid_value', e.message, 'path');
        throw e;
      } finally {
        loading.delete(id);
      }
    });
    app.delete<{ Params: { id: string } }>('/admin/models/:id', async (req) => {
      authorize(req);
      const m = findModel(req.params.id);
      // New requests no longer find it; those already running finish (up to a minute) first.
      models.delete(m.id);
      for (const end = Date.now() + 60_000; m.engine.pending > 0 && Date.now() < end; ) await sleep(50);
      await m.engine.close();
      metrics.modelInfo.remove({ model: m.id, precision: m.precision, device: m.device });
      log.info({ model: m.id }, 'model unloaded');
      return { id: m.id, object: 'model', deleted: true };
    });
  }
  app.get<{ Params: { id: string } }>('/v1/models/:id', async (req) => listModel(findModel(req.params.id)));

  app.post('/v1/chat/completions', async (request: FastifyRequest, reply: FastifyReply) => {
    const req = parseChatRequest(request.body);
    const model = findModel(req.model);
    const { prompt, gens } = plan(req, model, env);
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const choices: Choice[] = gens.map((_, index) => ({ index, text: '' }));
    const stream = req.stream === true;
    const includeUsage = stream && req.stream_options?.include_usage === true;
    const head = { id, created, model: model.id, system_fingerprint: `dialoop-${model.device}` };

    let handles: SequenceHandle[] = [];
    let remaining = gens.length;
    let resolveAll!: () => void;
    const allDone = new Promise<void>((r) => (resolveAll = r));
    const writeChunk = (body: object) => {
      if (!reply.raw.writableEnded && !reply.raw.destroyed) reply.raw.write(`data: ${JSON.stringify(body)}\n\n`);
    };
    const chunk = (index: number, delta: object, finish: string | null) =>
      writeChunk({ ...head, object: 'chat.completion.chunk', choices: [{ index, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });
    const settle = () => {
      remaining -= 1;
      if (remaining === 0) resolveAll();
    };

    const callbacks = choices.map((c) => ({
      onText: (text: string) => {
        c.text += text;
        if (stream) chunk(c.index, { content: text }, null);
      },
      onFinish: (result: GenerationResult) => {
        c.result = result;
        if (stream && result.finishReason !== 'cancelled') chunk(c.index, {}, result.finishReason);
        settle();
      },
      onError: (error: Error) => {
        c.error = error;
        settle();
      },
    }));

    try {
      handles = model.engine.submitMany(gens, callbacks);
    } catch (e) {
      if (e instanceof QueueFullError) throw queueFull(e.retryAfterSeconds);
      throw e;
    }
    // The client went away: its sequences leave the batch at the next step boundary.
    const onClose = () => {
      if (remaining > 0) for (const h of handles) h.cancel();
    };
    reply.raw.on('close', onClose);
    if (request.raw.destroyed || reply.raw.destroyed) onClose(); // gone before we listened

    if (stream) {
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      for (const c of choices) chunk(c.index, { role: 'assistant', content: '' }, null);
      await allDone;
      const failed = choices.find((c) => c.error);
      if (failed) {
        writeChunk(new ApiError(500, 'server_error', 'internal_error', 'Generation failed.').toJSON());
      } else if (includeUsage) {
        writeChunk({ ...head, object: 'chat.completion.chunk', choices: [], usage: usageOf(choices, prompt.length) });
      }
      if (!reply.raw.writableEnded) reply.raw.end('data: [DONE]\n\n');
      return reply;
    }

    await allDone;
    if (choices.some((c) => c.error)) throw new ApiError(500, 'server_error', 'internal_error', 'Generation failed.');
    return {
      ...head,
      object: 'chat.completion',
      choices: choices.map((c) => ({
        index: c.index,
        message: { role: 'assistant', content: c.text, refusal: null },
        logprobs: null,
        finish_reason: c.result!.finishReason,
      })),
      usage: usageOf(choices, prompt.length),
    };
  });

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', String(req.id));
  });
  // Fail readiness as soon as shutdown starts, while in-flight streams finish.
  app.addHook('preClose', async () => {
    draining = true;
  });
  return app;
}
