import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { AuditCheckpointResolver, AuditResolver } from './modules/audit/index.js';
import { AuthResolver } from './modules/auth/index.js';
import { ChatResolver, ConversationSafetyResolver, MessageSafetyResolver } from './modules/chat/index.js';
import { PrivacyResolver } from './modules/privacy/index.js';
import { DatasetsResolver } from './modules/datasets/index.js';
import { InferenceResolver } from './modules/inference/index.js';
import { ModelsResolver } from './modules/models/index.js';
import { TrainingResolver } from './modules/training/index.js';
import { RatingsResolver } from './modules/ratings/index.js';
import { ReviewClaimResolver, ReviewItemResolver, ReviewResolver } from './modules/review/index.js';
import { SafetyResolver } from './modules/safety/index.js';
import { authChecker } from './modules/rbac/index.js';
import { UsersResolver } from './modules/users/index.js';
import { guardRootFields } from './middleware.js';

/**
 * type-graphql insists on a PubSub once a schema has subscriptions, even when each brings its
 * own `subscribe` function, as ours do (reply streams go through the StreamBus): this one
 * refuses to be used.
 */
const unusedPubSub: PubSub = {
  publish: () => {
    throw new Error('subscriptions publish through the StreamBus');
  },
  subscribe: () => {
    throw new Error('subscriptions subscribe through the StreamBus');
  },
};

export const resolvers = [
  AuthResolver,
  UsersResolver,
  ChatResolver,
  RatingsResolver,
  AuditResolver,
  AuditCheckpointResolver,
  PrivacyResolver,
  SafetyResolver,
  MessageSafetyResolver,
  ConversationSafetyResolver,
  ReviewResolver,
  ReviewItemResolver,
  ReviewClaimResolver,
  DatasetsResolver,
  ModelsResolver,
  TrainingResolver,
  InferenceResolver,
] as const;

/** The GraphQL schema; `schema.graphql` is its committed print (`pnpm --filter @dialoop/api schema:emit`). */
export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    authChecker,
    globalMiddlewares: [guardRootFields],
    validate: { forbidUnknownValues: false },
    pubSub: unusedPubSub,
  });
}
