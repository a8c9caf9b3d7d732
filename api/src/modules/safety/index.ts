export { SafetyService, type InputVerdict, type SafetySettings } from './safety.service.js';
export { ConversationSafetyResolver, MessageSafetyResolver, SafetyResolver } from './safety.resolver.js';
export { ReplyFilter } from './stream.js';
export type { Hit } from './matcher.js';
