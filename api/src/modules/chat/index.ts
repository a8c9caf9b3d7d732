export { ChatResolver } from './chat.resolver.js';
export { ChatService, type MessageEventPayload } from './chat.service.js';
export { GenerationManager, type GenerationMetrics } from './generation.js';
export { Liveness } from './liveness.js';
export { MemoryStreamBus, RedisStreamBus, type StreamBus } from './stream-bus.js';
export { Upstreams } from './upstream.js';
export { turnsTo } from './history.js';
export { Conversation, Message } from './chat.types.js';
