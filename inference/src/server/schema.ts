import { z } from 'zod';
import type { ChatMessage } from '../model/tokenizer.js';
import { ApiError, invalid } from './errors.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() });

const message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(textPart).min(1)]),
  name: z.string().optional(),
});

/** POST /v1/chat/completions; unknown fields are ignored, as OpenAI-compatible servers do. */
export const chatCompletionRequest = z.object({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  seed: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).nullish(),
  stop: z.union([z.string().min(1, 'a stop sequence cannot be empty'), z.array(z.string().min(1, 'a stop sequence cannot be empty')).max(4, 'at most 4 stop sequences')]).nullish(),
  n: z.number().int().min(1).nullish(),
  /** vLLM's extension: keep generating through end-of-sequence (benchmarks). */
  ignore_eos: z.boolean().nullish(),
  /** vLLM's extensions: go on from a final assistant message (a reply begun elsewhere) instead of starting a new one. */
  continue_final_message: z.boolean().nullish(),
  add_generation_prompt: z.boolean().nullish(),
  logprobs: z.boolean().nullish(),
  tools: z.array(z.unknown()).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  user: z.string().nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

/** The first validation problem as an OpenAI-style error naming the parameter. */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('invalid_body', 'The request body must be a JSON object.');
  }
  const parsed = chatCompletionRequest.safeParse(body);
  if (parsed.success) {
    const r = parsed.data;
    if (r.logprobs) throw invalid('unsupported_parameter', 'logprobs is not supported by this server.', 'logprobs');
    if (r.tools && r.tools.length > 0) throw invalid('unsupported_parameter', 'tools are not supported by this server.', 'tools');
    if (r.continue_final_message && r.add_generation_prompt) {
      throw invalid('invalid_value', 'continue_final_message and add_generation_prompt cannot both be true.', 'continue_final_message');
    }
    if (r.continue_final_message && r.messages.at(-1)?.role !== 'assistant') {
      throw invalid('invalid_value', 'continue_final_message needs an assistant message last.', 'messages');
    }
    for (const p of ['presence_penalty', 'frequency_penalty'] as const) {
      if (r[p]) throw invalid('unsupported_parameter', `${p} other than 0 is not supported by this server.`, p);
    }
    return r;
  }
  let issue = parsed.error.issues[0]!;
  if (issue.code === 'invalid_union') {
    // Report the branch that matched the type but not the value (e.g. a list of 5 stops).
    const branch = issue.errors.find((b) => b.some((i) => i.code !== 'invalid_type'));
    const inner = branch?.find((i) => i.code !== 'invalid_type');
    if (inner) issue = { ...inner, path: [...issue.path, ...inner.path] };
  }
  const param = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || null;
  const missing = issue.code === 'invalid_type' && (body as Record<string, unknown>)[String(issue.path[0])] === undefined && issue.path.length === 1;
  if (missing) throw invalid('missing_required_parameter', `Missing required parameter: '${param}'.`, param);
  const typeOnly =
    issue.code === 'invalid_type' ||
    (issue.code === 'invalid_union' && issue.errors.every((branch) => branch.every((i) => i.code === 'invalid_type')));
  const code = typeOnly ? 'invalid_type' : 'invalid_value';
  throw invalid(code, `Invalid value for '${param}': ${issue.message}.`, param);
}

/** Message content as plain text; an empty message is refused. */
export function toChatMessages(r: ChatCompletionRequest): ChatMessage[] {
  return r.messages.map((m, i) => {
    const content = typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('');
    if (content.length === 0) throw invalid('invalid_value', `messages[${i}].content is empty.`, `messages[${i}].content`);
    return { role: m.role === 'developer' ? 'system' : m.role, content };
  });
}

export function queueFull(retryAfter: number): ApiError {
  return new ApiError(429, 'rate_limit_error', 'rate_limit_exceeded', 'The server is at capacity; retry later.', null, {
    'retry-after': String(retryAfter),
  });
}
