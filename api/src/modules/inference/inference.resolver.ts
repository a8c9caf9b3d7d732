import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { Allow } from '../rbac/index.js';
import { InferenceServer } from './inference.types.js';

/** The model servers the api sends replies to, as operators watch them. */
@Resolver()
export class InferenceResolver {
  @Allow('read', 'InferenceServer')
  @Query(() => [InferenceServer], {
    description: 'Each upstream of INFERENCE_URL, looked at now in parallel: readiness, response time, models served, running and queued sequences, tokens per second. A server that does not answer is reported with an error, never as a failed query (admins and ML engineers).',
  })
  inferenceServers(@Ctx() ctx: Context) {
    return ctx.services.inference.servers();
  }
}
