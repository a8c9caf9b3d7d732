import { GraphQLJSONObject } from 'graphql-scalars';
import { IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export const ModelVersionStatusEnum = { REGISTERED: 'REGISTERED', ACTIVE: 'ACTIVE', CANARY: 'CANARY', RETIRED: 'RETIRED' } as const;
registerEnumType(ModelVersionStatusEnum, {
  name: 'ModelVersionStatus',
  description: 'REGISTERED: no traffic; ACTIVE: serves new conversations; CANARY: serves canaryShare of the people who start one; RETIRED: rolled back or replaced',
});

@ObjectType()
export class ModelFile {
  @Field(() => String) path!: string;
  @Field(() => Float) bytes!: number;
  @Field(() => String) sha256!: string;
}

@ObjectType({ description: 'A model folder the inference servers serve under `name`, with its lineage' })
export class ModelVersion {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'The model id of chat requests and of Message.model' }) name!: string;
  @Field(() => ModelVersionStatusEnum) status!: keyof typeof ModelVersionStatusEnum;
  @Field(() => Float, { description: 'Share of people starting a conversation who get it while CANARY' }) canaryShare!: number;
  @Field(() => String, { description: 'The folder (as the api and the inference servers see it)' }) path!: string;
  @Field(() => String, { description: 'SHA-256 of the file list ("<sha256>  <path>" lines, sorted), as sha256sum prints it' }) sha256!: string;
  @Field(() => [ModelFile]) files!: ModelFile[];
  @Field(() => GraphQLJSONObject, { nullable: true, description: "The folder's metrics.json (held-out reward accuracy, KL to the parent, tokens/s...)" }) metrics!: object | null;
  @Field(() => ID, { nullable: true, description: 'The version it was trained from' }) parentId!: string | null;
  @Field(() => ID, { nullable: true }) datasetVersionId!: string | null;
  @Field(() => ID, { nullable: true }) trainingRunId!: string | null;
  @Field(() => ID, { nullable: true, description: 'What a rollback of this version returns to' }) previousActiveId!: string | null;
  @Field(() => String, { nullable: true }) createdBy!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) activatedAt!: Date | null;
  @Field(() => Date, { nullable: true }) retiredAt!: Date | null;
}

@InputType()
export class RegisterModelVersionInput {
  @Field(() => String, { description: 'The id to serve it under' }) @MaxLength(120) @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/) name!: string;
  @Field(() => String, { description: 'Absolute path of a model folder (config.json, model.onnx, tokenizer.json...) the api and the inference servers can read' })
  @MaxLength(1000)
  path!: string;
  @Field(() => ID, { nullable: true, description: 'The version it was trained from' }) @IsOptional() parentId?: string;
}

@ObjectType({ description: 'Reviewers\' pairwise choices between two model versions: a tie counts half; Wilson score interval' })
export class ModelComparison {
  @Field(() => ModelVersion) challenger!: ModelVersion;
  @Field(() => ModelVersion) baseline!: ModelVersion;
  @Field(() => Int, { description: 'Items whose reviews, averaged, prefer the challenger (one judgment per item)' }) wins!: number;
  @Field(() => Int) losses!: number;
  @Field(() => Int) ties!: number;
  @Field(() => Int) n!: number;
  @Field(() => Float, { nullable: true, description: "The challenger's win rate, (wins + ties/2) / n" }) winRate!: number | null;
  @Field(() => Float, { nullable: true }) low!: number | null;
  @Field(() => Float, { nullable: true }) high!: number | null;
  @Field(() => Float) confidence!: number;
  @Field(() => Int, { description: 'Review items comparing the two (any status)' }) items!: number;
}

@ObjectType({ description: 'What createArenaItems made' })
export class ArenaReport {
  @Field(() => Int, { description: 'Items made (each prompt once)' }) created!: number;
  @Field(() => String, { description: 'The challenger’s model name' }) challenger!: string;
  @Field(() => String, { description: 'The baseline’s model name' }) baseline!: string;
  @Field(() => Int, {
    description: 'Of those, items still PENDING: a candidate could not be generated after a few tries; every collection sweep (or collectReviewItems) tries again',
  })
  pending!: number;
}

@InputType()
export class CreateArenaItemsInput {
  @Field(() => ID, { nullable: true, description: 'Default: the CANARY version' }) @IsOptional() challengerId?: string;
  @Field(() => ID, { nullable: true, description: 'Default: the ACTIVE version' }) @IsOptional() baselineId?: string;
  @Field(() => Int, { nullable: true, description: 'How many prompts (most recent first); default 20' }) @IsOptional() @Min(1) @Max(500) count?: number;
  @Field(() => Int, { nullable: true, description: 'Reviews each item needs (default REVIEWS_PER_ITEM)' }) @IsOptional() @Min(1) @Max(10) requiredReviews?: number;
}
