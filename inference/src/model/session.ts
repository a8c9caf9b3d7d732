import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import type { ModelSpec } from './folder.js';
import { ModelFolderError } from './folder.js';

export type Device = 'cpu' | 'cuda';

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
  const need = ['input_ids', 'attention_mask', 'past_key_values.0.key', 'past_key_values.0.value'];
  for (const n of need) if (!inputs.has(n)) throw new ModelFolderError(spec.dir, `ONNX graph has no input ${n} (export it with past key values)`);
  for (let i = 0; i < spec.numLayers; i++) {
    for (const kind of ['key', 'value']) {
      if (!inputs.has(`past_key_values.${i}.${kind}`) || !outputs.has(`present.${i}.${kind}`)) {
        throw new ModelFolderError(spec.dir, `ONNX graph lacks past_key_values.${i}.${kind} / present.${i}.${kind} for layer ${i} of ${spec.numLayers}`);
      }
    }
  }
  if (!outputs.has('logits')) throw new ModelFolderError(spec.dir, 'ONNX graph has no logits output');
  const kvMeta = session.inputMetadata.find((m) => m.name === 'past_key_values.0.key');
  if (kvMeta && kvMeta.isTensor && kvMeta.type !== 'float32') {
    throw new ModelFolderError(spec.dir, `KV cache type ${kvMeta.type} is not supported (float32 only)`);
  }
  const hasNewKeyValues = Array.from({ length: spec.numLayers }, (_, i) => [`new_key_values.${i}.key`, `new_key_values.${i}.value`]).flat().every((n) => outputs.has(n));
  return { session, device, hasPositionIds: inputs.has('position_ids'), hasNewKeyValues };
}
