import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatTokenizer } from './tokenizer.js';

/**
 * Which ONNX graph of a folder to serve: `auto` the INT8 graph when the folder has one, else the
 * FP32 one; `fp32` always the FP32 graph (`model.onnx`); `int8` the INT8 graph, or refuse the folder.
 */
export type Precision = 'auto' | 'fp32' | 'int8';
export const PRECISIONS = ['auto', 'fp32', 'int8'] as const satisfies readonly Precision[];

/** Where a folder's FP32 graph may be, in order (Optimum and transformers.js put it under onnx/). */
export const FP32_GRAPHS = ['model.onnx', 'onnx/model.onnx'] as const;
/**
 * Where a folder's INT8 graph may be, in order: Dialoop's (`python3 -m dialoop_train.quantize
 * --beside`, beside model.onnx, named as transformers.js names int8 weights), then transformers.js's
 * names under onnx/.
 */
export const INT8_GRAPHS = ['model_int8.onnx', 'onnx/model_int8.onnx', 'onnx/model_quantized.onnx'] as const;

/** What the engine needs to know about a decoder exported in Optimum's layout. */
export interface ModelSpec {
  id: string;
  dir: string;
  /** The ONNX graph served: the folder's FP32 or INT8 graph, as `precision` says. */
  onnxPath: string;
  /** The weights of the graph served: `int8` for an INT8 graph (int8 weights, float32 activations and KV cache). */
  precision: 'fp32' | 'int8';
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  maxPositions: number;
  /** Token ids that end a reply. */
  eosTokenIds: number[];
  /** Generation defaults from generation_config.json. */
  defaults: { temperature?: number; topP?: number; topK?: number; maxNewTokens?: number };
}

export interface ModelFolder {
  spec: ModelSpec;
  tokenizer: ChatTokenizer;
}

export class ModelFolderError extends Error {
  constructor(dir: string, problem: string) {
    super(`model folder ${dir}: ${problem}`);
    this.name = 'ModelFolderError';
  }
}

type Json = Record<string, unknown>;

function readJson(dir: string, name: string, required: boolean): Json | undefined {
  const path = join(dir, name);
  if (!existsSync(path)) {
    if (required) throw new ModelFolderError(dir, `${name} is missing`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (e) {
    throw new ModelFolderError(dir, `${name} is not valid JSON (${(e as Error).message})`);
  }
}

/** The first numeric field among several names (GPT-2, Llama and others name them differently). */
function pick(config: Json, names: string[]): number | undefined {
  for (const n of names) {
    const v = config[n] ?? (config.text_config as Json | undefined)?.[n];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

function ids(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number');
  return [];
}

/** The graph to serve for `precision`; a ModelFolderError says what is missing. */
function chooseGraph(dir: string, precision: Precision): { onnxPath: string; precision: 'fp32' | 'int8' } {
  const first = (names: readonly string[]) => names.map((p) => join(dir, p)).find((p) => existsSync(p));
  const int8 = precision === 'fp32' ? undefined : first(INT8_GRAPHS);
  if (int8) return { onnxPath: int8, precision: 'int8' };
  if (precision === 'int8') {
    throw new ModelFolderError(dir, `precision int8 (INFERENCE_PRECISION) needs an INT8 graph and the folder has none (${INT8_GRAPHS.join(', ')}); `
      + 'make one with `python3 -m dialoop_train.quantize --model-dir DIR --beside`, or serve the folder with precision auto or fp32');
  }
  const fp32 = first(FP32_GRAPHS);
  if (fp32) return { onnxPath: fp32, precision: 'fp32' };
  if (precision === 'fp32' && first(INT8_GRAPHS)) {
    throw new ModelFolderError(dir, 'precision fp32 (INFERENCE_PRECISION) needs model.onnx or onnx/model.onnx and the folder has only an INT8 graph; serve it with precision auto or int8');
  }
  throw new ModelFolderError(dir, `neither model.onnx nor onnx/model.onnx exists (nor an INT8 graph: ${INT8_GRAPHS.join(', ')})`);
}

/**
 * Reads a Hugging Face-style decoder folder: config.json, tokenizer.json,
 * tokenizer_config.json (with chat_template), optional generation_config.json, and the ONNX
 * graph exported with past key values that `precision` picks (default `auto`): the INT8 graph
 * (model_int8.onnx, onnx/model_int8.onnx or onnx/model_quantized.onnx) when there is one, else
 * model.onnx or onnx/model.onnx.
 */
export function readModelFolder(id: string, dir: string, options: { precision?: Precision } = {}): ModelFolder {
  if (!existsSync(dir)) throw new ModelFolderError(dir, 'folder does not exist');
  const config = readJson(dir, 'config.json', true)!;
  const tokenizerJson = readJson(dir, 'tokenizer.json', true)!;
  const tokenizerConfig = readJson(dir, 'tokenizer_config.json', true)!;
  const generation = readJson(dir, 'generation_config.json', false) ?? {};
  const { onnxPath, precision } = chooseGraph(dir, options.precision ?? 'auto');

  const numLayers = pick(config, ['num_hidden_layers', 'n_layer', 'num_layers']);
  const numHeads = pick(config, ['num_attention_heads', 'n_head']);
  const hidden = pick(config, ['hidden_size', 'n_embd', 'd_model']);
  if (!numLayers || !numHeads) throw new ModelFolderError(dir, 'config.json lacks the number of layers or heads');
  const numKvHeads = pick(config, ['num_key_value_heads', 'multi_query_group_num']) ?? numHeads;
  const headDim = pick(config, ['head_dim']) ?? (hidden ? hidden / numHeads : undefined);
  if (!headDim || !Number.isInteger(headDim)) throw new ModelFolderError(dir, 'config.json lacks head_dim or hidden_size');
  const maxPositions = pick(config, ['max_position_embeddings', 'n_positions', 'max_sequence_length', 'seq_length']) ?? 2048;

  let tokenizer: ChatTokenizer;
  try {
    tokenizer = new ChatTokenizer(tokenizerJson, tokenizerConfig, pick(config, ['vocab_size']) ?? 0);
  } catch (e) {
    throw new ModelFolderError(dir, (e as Error).message);
  }
  const eos = new Set([...ids(generation.eos_token_id), ...ids(config.eos_token_id)]);
  if (tokenizer.eosTokenId !== undefined) eos.add(tokenizer.eosTokenId);
  if (eos.size === 0) throw new ModelFolderError(dir, 'no end-of-sequence token is configured');

  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    tokenizer,
    spec: {
      id,
      dir,
      onnxPath,
      precision,
      numLayers,
      numHeads,
      numKvHeads,
      headDim,
      vocabSize: tokenizer.vocabSize,
      maxPositions,
      eosTokenIds: [...eos].sort((a, b) => a - b),
      defaults: {
        temperature: generation.do_sample === false ? 0 : num(generation.temperature),
        topP: num(generation.top_p),
        topK: num(generation.top_k),
        maxNewTokens: num(generation.max_new_tokens),
      },
    },
  };
}
