import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatTokenizer } from './tokenizer.js';

/** What the engine needs to know about a decoder exported in Optimum's layout. */
export interface ModelSpec {
  id: string;
  dir: string;
  onnxPath: string;
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

/**
 * Reads a Hugging Face-style decoder folder: config.json, tokenizer.json,
 * tokenizer_config.json (with chat_template), optional generation_config.json, and
 * model.onnx or onnx/model.onnx exported with past key values.
 */
export function readModelFolder(id: string, dir: string): ModelFolder {
  if (!existsSync(dir)) throw new ModelFolderError(dir, 'folder does not exist');
  const config = readJson(dir, 'config.json', true)!;
  const tokenizerJson = readJson(dir, 'tokenizer.json', true)!;
  const tokenizerConfig = readJson(dir, 'tokenizer_config.json', true)!;
  const generation = readJson(dir, 'generation_config.json', false) ?? {};
  const onnxPath = ['model.onnx', 'onnx/model.onnx'].map((p) => join(dir, p)).find((p) => existsSync(p));
  if (!onnxPath) throw new ModelFolderError(dir, 'neither model.onnx nor onnx/model.onnx exists');

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
