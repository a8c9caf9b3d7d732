import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Max, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { PairwiseChoiceEnum, ReviewAnswerKindEnum, ReviewItemSourceEnum, ReviewKindEnum, SkipReasonEnum } from './review.types.js';

@InputType()
export class CriterionScoreInput {
  @Field(() => String) @MaxLength(64) criterion!: string;
  @Field(() => Int) @IsInt() score!: number;
}

@InputType({
  description:
    'One review. PAIRWISE: choice (+ strength 1-3 unless TIE); RANKING: ranking (every candidate id once, best first); ' +
    'RUBRIC: candidateId + scores; CORRECTION: candidateId + text; SKIP: reason. Tags and a comment with any kind.',
})
export class ReviewInput {
  @Field(() => ReviewAnswerKindEnum) kind!: keyof typeof ReviewAnswerKindEnum;
  @Field(() => PairwiseChoiceEnum, { nullable: true }) @IsOptional() choice?: keyof typeof PairwiseChoiceEnum;
  @Field(() => Int, { nullable: true }) @IsOptional() strength?: number;
  @Field(() => [ID], { nullable: true }) @IsOptional() @ArrayMaxSize(16) ranking?: string[];
  @Field(() => ID, { nullable: true }) @IsOptional() candidateId?: string;
  @Field(() => [CriterionScoreInput], { nullable: true }) @IsOptional() @ArrayMaxSize(32) scores?: CriterionScoreInput[];
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(32_000) text?: string;
  @Field(() => SkipReasonEnum, { nullable: true }) @IsOptional() reason?: keyof typeof SkipReasonEnum;
  @Field(() => [String], { nullable: true }) @IsOptional() tags?: string[];
  @Field(() => String, { nullable: true }) @IsOptional() comment?: string;
}

@InputType()
export class CreateReviewItemInput {
  @Field(() => [ID], { description: 'Assistant replies to the same prompt (at least one; with one, another sample of its model or the arenaModels replies join it, except to a CORRECTION item)' })
  @ArrayMinSize(1)
  @ArrayMaxSize(8)
  messageIds!: string[];
  @Field(() => ReviewKindEnum, { nullable: true, description: 'Default: PAIRWISE for 2 candidates, RANKING for more' }) @IsOptional() kind?: keyof typeof ReviewKindEnum;
  @Field(() => Int, { nullable: true, description: 'Default: REVIEWS_PER_ITEM' }) @IsOptional() @Min(1) @Max(10) requiredReviews?: number;
  @Field(() => [String], { nullable: true, description: 'Model versions to generate extra candidates from (arena)' }) @IsOptional() @ArrayMaxSize(6) arenaModels?: string[];
  @Field(() => Int, { nullable: true }) @IsOptional() @Min(-100) @Max(100) priority?: number;
}

@InputType()
export class ReviewItemFilter {
  @Field(() => ReviewItemSourceEnum, { nullable: true }) source?: keyof typeof ReviewItemSourceEnum;
  @Field(() => ReviewKindEnum, { nullable: true }) kind?: keyof typeof ReviewKindEnum;
  @Field(() => Date, { nullable: true }) from?: Date;
  @Field(() => Date, { nullable: true }) to?: Date;
}
