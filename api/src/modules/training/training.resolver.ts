import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { badInput } from '../../errors.js';
import type { Context } from '../../context.js';
import { Allow } from '../rbac/index.js';
import { StartTrainingRunInput, TrainingLog, TrainingPoint, TrainingRun } from './training.types.js';

type RunRow = TrainingRun & { id: string };

/** Training runs: start, follow (subscription), read the log and the loss curve, cancel. */
@Resolver(() => TrainingRun)
export class TrainingResolver {
  @FieldResolver(() => [TrainingPoint], { description: 'The training loss at each logged step so far, at most `points` of them spread over the run (the last always kept)' })
  lossCurve(@Root() run: RunRow, @Ctx() ctx: Context, @Arg('points', () => Int, { defaultValue: 500, description: '2-5000' }) points = 500) {
    if (points < 2 || points > 5000) throw badInput('points must be between 2 and 5000');
    return ctx.services.training.lossCurve(run, points);
  }

  @Allow('create', 'TrainingRun')
  @Mutation(() => TrainingRun, { description: 'Queues a run of the training job on a dataset version from a base model version; follow it with trainingRunProgress' })
  startTrainingRun(@Arg('input', () => StartTrainingRunInput) input: StartTrainingRunInput, @Ctx() ctx: Context) {
    return ctx.services.training.startRun(ctx, input);
  }

  @Allow('cancel', 'TrainingRun')
  @Mutation(() => TrainingRun, { description: 'Cancels a queued or running run (the job is stopped; nothing is registered)' })
  cancelTrainingRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.training.cancel(ctx, id);
  }

  @Allow('create', 'TrainingRun')
  @Mutation(() => TrainingRun, { description: 'Queues a FAILED or CANCELLED run again: the job continues from the last checkpoint in its run folder (checkpointEvery), or starts over without one' })
  resumeTrainingRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.training.resume(ctx, id);
  }

  @Allow('read', 'TrainingRun')
  @Query(() => [TrainingRun], { description: 'Runs, newest first' })
  trainingRuns(@Ctx() ctx: Context, @Arg('first', () => Int, { defaultValue: 50 }) first = 50) {
    return ctx.services.training.list(first);
  }

  @Allow('read', 'TrainingRun')
  @Query(() => TrainingRun)
  trainingRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.training.get(id);
  }

  @Allow('read', 'TrainingRun')
  @Query(() => TrainingLog, { description: "The end of a run's log (the job's output)" })
  trainingRunLog(@Arg('id', () => ID) id: string, @Ctx() ctx: Context, @Arg('bytes', () => Int, { defaultValue: 65_536 }) bytes = 65_536) {
    return ctx.services.training.log(id, Math.min(bytes, 1 << 20));
  }

  @Allow('read', 'TrainingRun')
  @Subscription(() => TrainingRun, {
    description: 'The run now, then at each change (step, loss, ETA, status); ends when it has SUCCEEDED, FAILED or been CANCELLED',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { id: string }, Context>) => context.services.training.watch(args.id),
  })
  trainingRunProgress(@Root() run: RunRow, @Arg('id', () => ID) _id: string): RunRow {
    return run;
  }
}
