import { ArrayMaxSize, IsInt, IsNumber, IsOptional, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'Sampling parameters sent upstream; unset ones take the model server defaults' })
export class GenerationParamsInput {
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber() @Min(0.01) @Max(1) topP?: number;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(8192) maxTokens?: number;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(0) seed?: number;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(4) @MaxLength(64, { each: true }) stop?: string[];
  @Field(() => Boolean, { nullable: true, description: "Keep generating to maxTokens past the end of the turn (vLLM's ignore_eos; Dialoop's server supports it)" })
  @IsOptional()
  ignoreEos?: boolean;
  @Field(() => Int, { nullable: true, description: 'How long the reply may wait for a busy model server before it fails with UPSTREAM_BUSY (at most REPLY_QUEUE_MAX_WAIT_MS, the default)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  maxWaitMs?: number;
}

@InputType()
export class SendMessageInput {
  @Field(() => ID, { nullable: true, description: 'Omit to start a new conversation' }) @IsOptional() conversationId?: string;
  @Field(() => ID, { nullable: true, description: 'The reply this message answers; default: the newest message of the conversation' })
  @IsOptional()
  parentId?: string;
  @Field(() => String) content!: string;
  @Field(() => String, { nullable: true, description: 'Default: DEFAULT_MODEL, else the first model the upstreams list' })
  @IsOptional()
  @Length(1, 200)
  model?: string;
  @Field(() => GenerationParamsInput, { nullable: true }) @IsOptional() @ValidateNested() params?: GenerationParamsInput;
}

@InputType()
export class RegenerateInput {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) model?: string;
  @Field(() => GenerationParamsInput, { nullable: true }) @IsOptional() @ValidateNested() params?: GenerationParamsInput;
}
