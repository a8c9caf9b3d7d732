import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The committed default model, served when MODEL_DIR is not set. */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../models/dialoop-tiny', import.meta.url));

const positiveInt = z.coerce.number().int().positive();

/**
 * `MODEL_DIR` is a comma-separated list of model folders; each entry is `path` (served
 * under the folder's name) or `id=path`. Relative paths are taken from the directory the
 * command was started in (`INIT_CWD`, which npm and pnpm set), not from `inference/`.
 */
const modelDirs = (base: string) =>
  z
  .string()
  .default(DEFAULT_MODEL_DIR)
  .transform((raw, ctx) => {
    const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
    const out = entries.map((entry) => {
      const eq = entry.indexOf('=');
      const dir = resolve(base, eq > 0 ? entry.slice(eq + 1) : entry);
      const id = eq > 0 ? entry.slice(0, eq) : (dir.split('/').filter(Boolean).pop() ?? dir);
      return { id, dir };
    });
    const ids = new Set(out.map((m) => m.id));
    if (out.length === 0) ctx.addIssue({ code: 'custom', message: 'MODEL_DIR names no model folder' });
    if (ids.size !== out.length) ctx.addIssue({ code: 'custom', message: 'MODEL_DIR serves two models under one id' });
    return out;
  });

export const envSchema = (base = process.cwd()) => z
  .object({
    INFERENCE_HOST: z.string().default('127.0.0.1'),
    INFERENCE_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
    MODEL_DIR: modelDirs(base),
    INFERENCE_DEVICE: z.enum(['cpu', 'cuda']).default('cpu'),
    INFERENCE_CUDA_DEVICE_ID: z.coerce.number().int().min(0).default(0),
    /**
     * Which graph of a model folder is served: `auto` its INT8 graph (model_int8.onnx, written by
     * `python3 -m dialoop_train.quantize --beside` and the training job) when it has one, else
     * model.onnx; `fp32` always model.onnx; `int8` the INT8 graph, and a folder without one fails to load.
     */
    INFERENCE_PRECISION: z.enum(['auto', 'fp32', 'int8']).default('auto'),
    /** onnxruntime intra-op threads; 0 lets onnxruntime choose (all cores). */
    INFERENCE_INTRA_OP_THREADS: z.coerce.number().int().min(0).default(0),
    INFERENCE_INTER_OP_THREADS: z.coerce.number().int().min(0).default(1),
    /** onnxruntime's idle pool threads spin for work: `1` helps a dedicated host, `0` leaves CPU to the event loop. */
    INFERENCE_SPIN: z.enum(['0', '1']).default('0').transform((v) => v === '1'),
    /** Sequences decoded together in one step. */
    INFERENCE_MAX_BATCH: positiveInt.default(16),
    /** Sequences waiting for a batch slot; beyond this a request gets 429. */
    INFERENCE_MAX_QUEUE: z.coerce.number().int().min(0).default(64),
    /**
     * Prompt tokens prefilled per step, shared by the prompts joining the batch; longer prompts
     * are prefilled in chunks, with a decode step of the running streams between two chunks.
     */
    INFERENCE_PREFILL_CHUNK_TOKENS: z.coerce.number().int().min(16).default(256),
    /**
     * Memory bound of the prefix cache (keys and values of finished sequences, reused by the
     * next turn of a conversation or a shared system prompt), in MiB, per model; 0 turns it off.
     */
    INFERENCE_PREFIX_CACHE_MB: z.coerce.number().min(0).default(64),
    /** Upper bound for `n`. */
    INFERENCE_MAX_N: positiveInt.default(8),
    /** Default `max_tokens` when a request sets none (capped by the context left). */
    INFERENCE_DEFAULT_MAX_TOKENS: positiveInt.default(256),
    /** Request body limit in bytes. */
    INFERENCE_BODY_LIMIT: positiveInt.default(1_048_576),
    /**
     * Enables `POST /admin/models` and `DELETE /admin/models/:id` (load or unload a model folder
     * without a restart) for callers sending it as a bearer token; unset, they do not exist.
     */
    INFERENCE_ADMIN_KEY: z.string().min(16).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.INFERENCE_MAX_N > env.INFERENCE_MAX_BATCH) {
      ctx.addIssue({ code: 'custom', path: ['INFERENCE_MAX_N'], message: 'INFERENCE_MAX_N cannot exceed INFERENCE_MAX_BATCH' });
    }
  });

export type InferenceEnv = z.infer<ReturnType<typeof envSchema>>;

/** Parses the process environment once, at start; nothing else reads process.env. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): InferenceEnv {
  const schema = envSchema(source.INIT_CWD ?? process.cwd());
  const picked = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, source[k] === '' ? undefined : source[k]]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || 'env'}: ${i.message}`);
    throw new Error(`invalid inference configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
