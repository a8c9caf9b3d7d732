import '../no-telemetry.js';
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import type { ModelSpec } from './folder.js';
import { ModelFolderError } from './folder.js';

export type Device = 'cpu' | 'cuda';

/**
 * The names of a decoder's per-layer key/value tensors in the order the engine keeps them
 * (layer 0 key, layer 0 value, layer 1 key, …): `past_key_values`, `present` or `new_key_values`.
 */
export function kvNames(prefix: 'past_key_values' | 'present' | 'new_key_values', layers: number): string[] {
  return Array.from({ length: 2 * layers }, (_, i) => `${prefix}.${i >> 1}.${i & 1 ? 'value' : 'key'}`);
}

export interface SessionOptions {
  device: Device;
  cudaDeviceId: number;
  intraOpThreads: number;
  interOpThreads: number;
  /** Let idle onnxruntime pool threads spin for work (faster alone, steals CPU from the event loop). */
  allowSpinning: boolean;
}

export interface LoadedSession {
  session: ort.InferenceSession;
  /** The execution provider actually in use. */
  device: Device;
  hasPositionIds: boolean;
  /** The graph also outputs each step's keys and values alone (`new_key_values.N.key|value`). */
  hasNewKeyValues: boolean;
}

function baseOptions(o: SessionOptions): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    ...(o.intraOpThreads > 0 ? { intraOpNumThreads: o.intraOpThreads } : {}),
    interOpNumThreads: o.interOpThreads,
    extra: {
      session: {
        intra_op: { allow_spinning: o.allowSpinning ? '1' : '0' },
        inter_op: { allow_spinning: o.allowSpinning ? '1' : '0' },
      },
    },
  };
}

/**
 * Opens the ONNX file on the requested execution provider. CUDA falls back to the CPU,
 * with a warning, when the installed onnxruntime-node has no CUDA provider or no GPU is
 * usable. Then checks the graph has Optimum's decoder-with-past inputs and outputs.
 */
export async function openSession(spec: ModelSpec, o: SessionOptions, log: Logger): Promise<LoadedSession> {
  let session: ort.InferenceSession | undefined;
  let device: Device = 'cpu';
  if (o.device === 'cuda') {
    try {
      session = await ort.InferenceSession.create(spec.onnxPath, {
        ...baseOptions(o),
        executionProviders: [{ name: 'cuda', deviceId: o.cudaDeviceId }, 'cpu'],
      });
      device = 'cuda';
    } catch (e) {
      log.warn({ model: spec.id, err: (e as Error).message }, 'CUDA execution provider unavailable; falling back to CPU');
    }
  }
  session ??= await ort.InferenceSession.create(spec.onnxPath, { ...baseOptions(o), executionProviders: ['cpu'] });

  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  for (const n of ['input_ids', 'attention_mask']) if (!inputs.has(n)) throw new ModelFolderError(spec.dir, `ONNX graph has no input ${n}`);
  // Either the whole present of each layer (Optimum's layout) or only the step's new keys and
  // values (Dialoop's export, whose attention reads the past in place and has no presents).
  const hasNewKeyValues = kvNames('new_key_values', spec.numLayers).every((n) => outputs.has(n));
  const missing = [
    ...kvNames('past_key_values', spec.numLayers).filter((n) => !inputs.has(n)),
    ...['logits', ...(hasNewKeyValues ? [] : kvNames('present', spec.numLayers))].filter((n) => !outputs.has(n)),
  ];
  if (missing.length > 0) {
    throw new ModelFolderError(spec.dir, `ONNX graph lacks ${missing.slice(0, 4).join(', ')} (${spec.numLayers} layers; export it with past key values)`);
  }
  const kvMeta = session.inputMetadata.find((m) => m.name === 'past_key_values.0.key');
  if (kvMeta && kvMeta.isTensor && kvMeta.type !== 'float32') {
    throw new ModelFolderError(spec.dir, `KV cache type ${kvMeta.type} is not supported (float32 only)`);
  }
  return { session, device, hasPositionIds: inputs.has('position_ids'), hasNewKeyValues };
}
