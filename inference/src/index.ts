export { parseEnv, envSchema, DEFAULT_MODEL_DIR, type InferenceEnv } from './env.js';
export { startInferenceServer, type InferenceServer } from './server.js';
export { readModelFolder, ModelFolderError, FP32_GRAPHS, INT8_GRAPHS, PRECISIONS, type ModelFolder, type ModelSpec, type Precision } from './model/folder.js';
export { ChatTokenizer, type ChatMessage } from './model/tokenizer.js';
export { openSession, kvNames, type Device, type LoadedSession } from './model/session.js';
export { Engine, QueueFullError, type EngineOptions } from './engine/engine.js';
export type { GenerationRequest, GenerationResult, GenerationCallbacks, SequenceHandle, FinishReason } from './engine/sequence.js';
export { createMetrics, type Metrics } from './metrics.js';
export { EXACT_KINDS, extractAnswer, isExactAnswer } from './eval/answers.js';
