export {
  SafetyService,
  type PromptVerdict,
  type SafetySettings,
  type TurnOperation,
  type TurnPlace,
  type TurnPrompt,
  type TurnRequest,
  type TurnSteps,
  type TurnVerdict,
} from './safety.service.js';
export { SafetyResolver } from './safety.resolver.js';
// The GraphQL enums of the safety fields the chat module resolves on its types.
export { EscalationStepEnum, SafetyLevelEnum } from './safety.types.js';
export type { Hit, ReplyFilter } from './engine.js';
