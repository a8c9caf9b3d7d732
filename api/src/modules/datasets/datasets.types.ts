import { GraphQLJSONObject } from 'graphql-scalars';
import { ArrayMaxSize, IsOptional, Max, MaxLength, Min } from 'class-validator';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PreferenceSourceEnum } from '../review/index.js';

export const DatasetStatusEnum = { BUILDING: 'BUILDING', READY: 'READY', FAILED: 'FAILED' } as const;
registerEnumType(DatasetStatusEnum, { name: 'DatasetStatus' });
export const DatasetFormatEnum = { DPO: 'DPO', KTO: 'KTO', OPENAI_PREFERENCE: 'OPENAI_PREFERENCE', HH: 'HH', SFT: 'SFT' } as const;
registerEnumType(DatasetFormatEnum, {
  name: 'DatasetFormat',
  description: 'DPO: TRL DPO conversational; KTO: TRL KTO; OPENAI_PREFERENCE: OpenAI preference fine-tuning; HH: Anthropic HH; SFT: message lists',
});

@InputType({ description: 'What goes into a dataset version; every filter optional' })
export class DatasetFilters {
  @Field(() => Date, { nullable: true, description: 'Preferences derived at or after' }) from?: Date;
  @Field(() => Date, { nullable: true, description: 'Preferences derived before' }) to?: Date;
  @Field(() => [String], { nullable: true, description: 'Only pairs whose both replies (a correction: the original) came from these model versions' })
  @IsOptional()
  @ArrayMaxSize(50)
  modelVersions?: string[];
  @Field(() => [PreferenceSourceEnum], { nullable: true }) @IsOptional() sources?: (keyof typeof PreferenceSourceEnum)[];
  @Field(() => Float, { nullable: true, description: 'Leave out pairs whose reviewers agreed less (pairs without a figure, from ratings and corrections, are kept)' })
  @IsOptional()
  @Min(0)
  @Max(1)
  minAgreement?: number;
  @Field(() => [String], { nullable: true, description: 'Language tags (en, zh)' }) @IsOptional() @ArrayMaxSize(20) languages?: string[];
  @Field(() => Boolean, { nullable: true, description: 'Leave out anything the content filter flagged (default true)' }) excludeFlagged?: boolean;
  @Field(() => Boolean, { nullable: true, description: 'Include imported dialogues in the SFT set (default true)' }) includeImported?: boolean;
}

@InputType()
export class CreateDatasetVersionInput {
  @Field(() => DatasetFilters, { nullable: true }) filters?: DatasetFilters;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(120) name?: string;
  @Field(() => Float, { nullable: true, description: 'Share of prompts held out as the test split (default 0.1), decided by the prompt hash' })
  @IsOptional()
  @Min(0)
  @Max(0.9)
  testShare?: number;
  @Field(() => [DatasetFormatEnum], { nullable: true, description: 'Default: all' }) @IsOptional() formats?: (keyof typeof DatasetFormatEnum)[];
}

@ObjectType()
export class DatasetFile {
  @Field(() => String, { description: 'Path inside the version, e.g. dpo/train.jsonl' }) path!: string;
  @Field(() => String) sha256!: string;
  @Field(() => Float) bytes!: number;
  @Field(() => Int, { description: 'Records (lines) in it; 0 for README.md' }) records!: number;
}

@ObjectType({ description: 'An immutable, versioned dataset built from preference pairs, ratings and imported dialogues' })
export class DatasetVersion {
  @Field(() => ID) id!: string;
  @Field(() => Int) number!: number;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => DatasetStatusEnum) status!: keyof typeof DatasetStatusEnum;
  @Field(() => GraphQLJSONObject) filters!: object;
  @Field(() => Float) testShare!: number;
  @Field(() => Int, { description: 'Rows read so far' }) progress!: number;
  @Field(() => String, { nullable: true }) createdBy!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) completedAt!: Date | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Records by format and split, pairs by source and language, duplicates dropped, redactions' }) counts!: object | null;
  @Field(() => [DatasetFile], { nullable: true }) files!: DatasetFile[] | null;
  @Field(() => String, { nullable: true, description: 'SHA-256 of manifest.json' }) sha256!: string | null;
}

@ObjectType()
export class DownloadLink {
  @Field(() => String, { description: 'Path on the api to GET within expiresAt (no credentials needed: the link is one)' }) url!: string;
  @Field(() => Date) expiresAt!: Date;
}

@ObjectType()
export class DialogueImportReport {
  @Field(() => Int) records!: number;
  @Field(() => Int) imported!: number;
  @Field(() => Int, { description: 'Exact duplicates within the file or of earlier imports' }) duplicates!: number;
  @Field(() => Int) dropped!: number;
  @Field(() => GraphQLJSONObject, { description: 'Dropped records by reason' }) droppedBy!: object;
  @Field(() => [String], { description: 'Records that could not be read, with their line' }) errors!: string[];
  @Field(() => [ID], { description: 'The conversations made (up to 100)' }) conversationIds!: string[];
}

@InputType()
export class ImportDialoguesInput {
  @Field(() => String, { description: 'OpenAI {messages} or ShareGPT {conversations} records: a JSON array, one JSON object, or JSONL' })
  content!: string;
  @Field(() => String, { nullable: true, description: 'json or jsonl (default: detected)' }) @IsOptional() format?: string;
}
