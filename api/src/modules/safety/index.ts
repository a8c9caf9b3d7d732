export { SafetyService, type InputVerdict, type SafetySettings } from './safety.service.js';
export { ConversationSafetyResolver, MessageSafetyResolver, SafetyResolver } from './safety.resolver.js';
export type { Hit } from './engine.js';
