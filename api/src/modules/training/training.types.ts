import { GraphQLJSONObject } from 'graphql-scalars';
import { ArrayMaxSize, IsIn, IsOptional, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ModelVersion } from '../models/index.js';

export const TrainingMethodEnum = { DPO: 'DPO', KTO: 'KTO', SFT: 'SFT' } as const;
registerEnumType(TrainingMethodEnum, {
  name: 'TrainingMethod',
  description: "DPO: the dataset's dpo/ pairs against a frozen copy of the base; KTO: its kto/ records; SFT: its sft/ dialogues",
});
export const TrainingStatusEnum = { QUEUED: 'QUEUED', RUNNING: 'RUNNING', SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED', CANCELLED: 'CANCELLED' } as const;
registerEnumType(TrainingStatusEnum, { name: 'TrainingStatus' });
export const TrainingExecutorEnum = { LOCAL: 'LOCAL', KUBERNETES: 'KUBERNETES' } as const;
registerEnumType(TrainingExecutorEnum, { name: 'TrainingExecutor', description: 'LOCAL: a subprocess of the api; KUBERNETES: a Job (infra/k8s/training-job.yaml)' });

@InputType({ description: "The training job's settings (python3 -m dialoop_train.preference_train --help); unset ones take the job's defaults" })
export class TrainingHyperparameters {
  @Field(() => Float, { nullable: true, description: 'DPO/KTO temperature β (default 0.1)' }) @IsOptional() @Min(0.001) @Max(100) beta?: number;
  @Field(() => Float, { nullable: true, description: 'Peak learning rate (default 5e-4)' }) @IsOptional() @Min(1e-8) @Max(1) lr?: number;
  @Field(() => Int, { nullable: true, description: 'Optimizer steps (or give epochs)' }) @IsOptional() @Min(1) @Max(1_000_000) steps?: number;
  @Field(() => Float, { nullable: true, description: 'Passes over the train split (default 1 when steps is not given)' }) @IsOptional() @Min(0.01) @Max(1000) epochs?: number;
  @Field(() => Int, { nullable: true, description: 'Per process and micro-batch (default 8)' }) @IsOptional() @Min(1) @Max(1024) batchSize?: number;
  @Field(() => Int, { nullable: true, description: 'Micro-batches per optimizer step (default 1)' }) @IsOptional() @Min(1) @Max(1024) gradAccum?: number;
  @Field(() => Int, { nullable: true, description: 'Linear warm-up steps, fewer than steps (default 10; with steps under 100, a tenth of them)' }) @IsOptional() @Min(0) @Max(1_000_000) warmupSteps?: number;
  @Field(() => String, { nullable: true, description: 'Decay after warm-up: cosine (default), linear or constant' }) @IsOptional() @IsIn(['cosine', 'linear', 'constant']) schedule?: 'cosine' | 'linear' | 'constant';
  @Field(() => Float, { nullable: true }) @IsOptional() @Min(0) @Max(1) minLrRatio?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @Min(0) @Max(10) weightDecay?: number;
  @Field(() => Int, { nullable: true, description: 'Seeds data order and initialisation (default 0): the same seed, the same run' }) @IsOptional() @Min(0) @Max(2 ** 31 - 1) seed?: number;
  @Field(() => String, { nullable: true, description: 'auto (bf16/fp16 autocast on a GPU that supports it, fp32 on CPU), fp32, bf16 or fp16' })
  @IsOptional()
  @IsIn(['auto', 'fp32', 'bf16', 'fp16'])
  precision?: 'auto' | 'fp32' | 'bf16' | 'fp16';
  @Field(() => Float, { nullable: true, description: "DPO: plus α × the chosen reply's NLL per token (RPO; 0 = plain DPO)" }) @IsOptional() @Min(0) @Max(100) rpoAlpha?: number;
  @Field(() => Float, {
    nullable: true,
    description: "Replay (a mix of SFT data, against forgetting): plus w × the cross-entropy of a batch of the base version's own training corpus per micro-batch (0 or unset = off; the base's metrics.json must record its corpus: train:base, train:distill, or a version descending from one)",
  })
  @IsOptional()
  @Min(0)
  @Max(100)
  replayWeight?: number;
  @Field(() => Float, { nullable: true, description: 'KTO' }) @IsOptional() @Min(0) @Max(100) desirableWeight?: number;
  @Field(() => Float, { nullable: true, description: 'KTO' }) @IsOptional() @Min(0) @Max(100) undesirableWeight?: number;
  @Field(() => Int, { nullable: true, description: 'Most tokens per prompt + completion (default 512)' }) @IsOptional() @Min(16) @Max(8192) maxLen?: number;
  @Field(() => Int, { nullable: true, description: 'Checkpoint every N steps (default 100)' }) @IsOptional() @Min(1) checkpointEvery?: number;
  @Field(() => Int, { nullable: true, description: 'Held-out evaluation every N steps (default: only at the end)' }) @IsOptional() @Min(0) evalEvery?: number;
  @Field(() => Int, { nullable: true, description: 'Progress every N steps (default 1)' }) @IsOptional() @Min(1) logEvery?: number;
  @Field(() => Int, { nullable: true, description: 'CPU threads (default: TRAINING_THREADS)' }) @IsOptional() @Min(1) @Max(64) threads?: number;
  @Field(() => [String], { nullable: true, description: "Sentences the run is meant to add (a trait, such as a follow-up offer): the loop's guards do not count them as a new repeated phrase and grade answers without them" })
  @IsOptional()
  @ArrayMaxSize(5)
  @MaxLength(200, { each: true })
  guardIgnore?: string[];
}

@InputType()
export class StartTrainingRunInput {
  @Field(() => ID, { description: 'A READY dataset version with the format the method reads' }) datasetVersionId!: string;
  @Field(() => ID, { nullable: true, description: 'The version to start from (default: the ACTIVE one); it must hold a PyTorch checkpoint' }) @IsOptional() baseModelVersionId?: string;
  @Field(() => TrainingMethodEnum) method!: keyof typeof TrainingMethodEnum;
  @Field(() => TrainingHyperparameters, { nullable: true }) @IsOptional() @ValidateNested() hyperparameters?: TrainingHyperparameters;
}

@ObjectType({ description: 'One run of the training job' })
export class TrainingRun {
  @Field(() => ID) id!: string;
  @Field(() => Int) number!: number;
  @Field(() => TrainingMethodEnum) method!: keyof typeof TrainingMethodEnum;
  @Field(() => TrainingStatusEnum) status!: keyof typeof TrainingStatusEnum;
  @Field(() => TrainingExecutorEnum) executor!: keyof typeof TrainingExecutorEnum;
  @Field(() => GraphQLJSONObject) hyperparameters!: object;
  @Field(() => ID) datasetVersionId!: string;
  @Field(() => ID) baseModelVersionId!: string;
  @Field(() => Int, { description: 'Optimizer steps done' }) step!: number;
  @Field(() => Int, { nullable: true }) totalSteps!: number | null;
  @Field(() => Float, { nullable: true, description: 'Training loss at the last logged step' }) loss!: number | null;
  @Field(() => Float, { nullable: true, description: 'Seconds left, as the job estimates them' }) etaSeconds!: number | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: "The new model's metrics.json once SUCCEEDED (held-out reward accuracy and margin, KL to the base, tokens/s)" }) metrics!: object | null;
  @Field(() => String, { description: 'The model folder it writes' }) outputDir!: string;
  @Field(() => String, { description: 'Its run folder: log.txt, metrics.jsonl, checkpoints/' }) runDir!: string;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true }) createdBy!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => Date, { nullable: true }) cancelRequestedAt!: Date | null;
  @Field(() => Int, { description: '0 for the first attempt, one more for each resumeTrainingRun' }) attempt!: number;
  @Field(() => ModelVersion, { description: 'The version it started from' }) baseModelVersion!: ModelVersion;
  @Field(() => ModelVersion, { nullable: true, description: 'The model version it produced, once SUCCEEDED' }) modelVersion!: ModelVersion | null;
}

@ObjectType()
export class TrainingLog {
  @Field(() => String, { description: 'The end of the log, from a whole line' }) text!: string;
  @Field(() => Float, { description: "The log's whole size in bytes" }) size!: number;
}

@ObjectType({ description: 'The training loss at one logged step' })
export class TrainingPoint {
  @Field(() => Int) step!: number;
  @Field(() => Float) loss!: number;
}
