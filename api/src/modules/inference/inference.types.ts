import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'An upstream of INFERENCE_URL as the api sees it now (each request limited to about 2 s)' })
export class InferenceServer {
  @Field(() => String, { description: 'Its base URL (without any credentials in it)' }) url!: string;
  @Field(() => Boolean, { description: 'It answered at least one of its health path (INFERENCE_HEALTH_PATH, default /readyz), /v1/models and /metrics' }) reachable!: boolean;
  @Field(() => Boolean, { description: 'Its health path (default /readyz) answered 200 (ready); false while it drains, loads, or does not answer' }) ready!: boolean;
  @Field(() => Float, { nullable: true, description: 'How long its health path took to answer, in ms; null without an answer' }) responseTimeMs!: number | null;
  @Field(() => [String], { description: 'Model ids it serves (GET /v1/models); empty when that failed' }) models!: string[];
  @Field(() => Int, { nullable: true, description: 'Sequences in its running batch (dialoop_inference_running_sequences, summed over models); null without metrics' }) runningSequences!: number | null;
  @Field(() => Int, { nullable: true, description: 'Sequences waiting for a batch slot (dialoop_inference_queued_sequences)' }) queuedSequences!: number | null;
  @Field(() => Float, { nullable: true, description: 'Tokens generated since it started (dialoop_inference_generated_tokens_total)' }) generatedTokensTotal!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Tokens generated per second since this api process’s previous look at it (null without one between 1 s and 2 min ago, or after its counter reset)',
  })
  tokensPerSecond!: number | null;
  @Field(() => Date, { description: 'When this look was taken' }) scrapedAt!: Date;
  @Field(() => String, { nullable: true, description: 'What failed, per endpoint (e.g. "/metrics: ECONNREFUSED …"); null when everything answered' }) error!: string | null;
}
