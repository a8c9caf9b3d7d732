import type { Logger } from 'pino';
import { Engine } from './engine/engine.js';
import type { InferenceEnv } from './env.js';
import type { Metrics } from './metrics.js';
import { readModelFolder, type Precision } from './model/folder.js';
import { openSession, type Device } from './model/session.js';

export interface ServedModel {
  id: string;
  engine: Engine;
  device: Device;
  /** The weights of the graph it serves (INFERENCE_PRECISION or the admin request chose among the folder's graphs). */
  precision: 'fp32' | 'int8';
  created: number;
}

/** Loads one model folder and gives it an engine of its own; `precision` defaults to INFERENCE_PRECISION. */
export async function loadModel(id: string, dir: string, env: InferenceEnv, metrics: Metrics, log: Logger, options: { precision?: Precision } = {}): Promise<ServedModel> {
  const t0 = performance.now();
  const folder = readModelFolder(id, dir, { precision: options.precision ?? env.INFERENCE_PRECISION });
  const loaded = await openSession(
    folder.spec,
    {
      device: env.INFERENCE_DEVICE,
      cudaDeviceId: env.INFERENCE_CUDA_DEVICE_ID,
      intraOpThreads: env.INFERENCE_INTRA_OP_THREADS,
      interOpThreads: env.INFERENCE_INTER_OP_THREADS,
      allowSpinning: env.INFERENCE_SPIN,
    },
    log,
  );
  const engineOptions = {
    maxBatch: env.INFERENCE_MAX_BATCH,
    maxQueue: env.INFERENCE_MAX_QUEUE,
    prefillChunkTokens: env.INFERENCE_PREFILL_CHUNK_TOKENS,
    prefixCacheBytes: Math.floor(env.INFERENCE_PREFIX_CACHE_MB * 2 ** 20),
  };
  const engine = new Engine(folder, loaded, engineOptions, metrics, log);
  const { device, hasNewKeyValues } = loaded;
  const { numLayers, numHeads, numKvHeads, headDim, vocabSize, maxPositions, precision, onnxPath } = folder.spec;
  metrics.modelInfo.set({ model: id, precision, device }, 1);
  log.info({ model: id, dir, onnx: onnxPath, precision, device, kvOutputs: hasNewKeyValues ? 'new_key_values' : 'present', numLayers, numHeads, numKvHeads, headDim, vocabSize, maxPositions, ms: Math.round(performance.now() - t0) }, 'model loaded');
  return { id, engine, device, precision, created: Math.floor(Date.now() / 1000) };
}

/** Loads every configured model folder. */
export async function loadModels(env: InferenceEnv, metrics: Metrics, log: Logger): Promise<Map<string, ServedModel>> {
  const served = new Map<string, ServedModel>();
  for (const { id, dir } of env.MODEL_DIR) served.set(id, await loadModel(id, dir, env, metrics, log));
  return served;
}
