import 'reflect-metadata';
import { validateOrReject, type ValidationError, type ValidatorOptions } from 'class-validator';
import type { GraphQLSchema } from 'graphql';
import { ArgumentValidationError, buildSchema, type PubSub } from 'type-graphql';
import { AuditCheckpointResolver, AuditResolver } from './modules/audit/index.js';
import { AuthResolver } from './modules/auth/index.js';
import { ChatResolver, ConversationSafetyResolver, MessageSafetyResolver, chatEventResolvers } from './modules/chat/index.js';
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

/** What type-graphql's own validation passes class-validator: missing optional fields are not checked. */
const VALIDATOR: ValidatorOptions = { forbidUnknownValues: false, skipMissingProperties: true };
const validatable = (v: unknown): v is object => v !== null && typeof v === 'object';

/**
 * Validates an input object (or list of them) against its class-validator decorators, as
 * type-graphql's default does, but with class-validator imported once: the default imports it
 * with `await import()` for every argument of every request, and under tsx's module hooks each
 * such import is a round trip to the loader thread (a millisecond or more of every send).
 */
async function validateArgument(value: unknown): Promise<void> {
  if (!validatable(value)) return;
  try {
    if (Array.isArray(value)) await Promise.all(value.filter(validatable).map((v) => validateOrReject(v, VALIDATOR)));
    else await validateOrReject(value, VALIDATOR);
  } catch (err) {
    throw new ArgumentValidationError(err as ValidationError[]);
  }
}

/**
 * Subscription fields whose events go straight to a plain function instead of through
 * type-graphql's resolver pipeline, which would run the global middleware and the `@Allow` check
 * again for every event (every token of a reply), with the same context and arguments each time.
 * The `@Allow` check runs once, at subscribe (type-graphql wraps `subscribe` with it), and so,
 * here, does the global middleware (`guardRootFields`), before it.
 */
const EVENT_RESOLVERS: Record<string, (event: never) => unknown> = { ...chatEventResolvers };

function resolveEventsDirectly(schema: GraphQLSchema): GraphQLSchema {
  const fields = schema.getSubscriptionType()?.getFields() ?? {};
  for (const [name, resolve] of Object.entries(EVENT_RESOLVERS)) {
    const field = fields[name];
    const subscribe = field?.subscribe;
    if (!field || !subscribe) throw new Error(`subscription ${name} is not in the schema`);
    field.subscribe = (source, args, context, info) =>
      guardRootFields({ root: source, args, context: context as object, info }, async () => subscribe(source, args, context, info));
    field.resolve = (event) => resolve(event as never);
  }
  return schema;
}

/** The GraphQL schema; `schema.graphql` is its committed print (`pnpm --filter @dialoop/api schema:emit`). */
export async function createSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    authChecker,
    globalMiddlewares: [guardRootFields],
    validateFn: validateArgument,
    pubSub: unusedPubSub,
  });
  return resolveEventsDirectly(schema);
}
