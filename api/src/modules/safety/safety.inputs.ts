import { IsBoolean, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { SafetyLevelEnum } from './safety.types.js';

type Level = keyof typeof SafetyLevelEnum;

@InputType()
export class CreateSafetyTermInput {
  @Field(() => String) @Length(1, 200) term!: string;
  @Field(() => SafetyLevelEnum) level!: Level;
  @Field(() => String, { nullable: true, description: 'A language tag (en, zh, zh-Hant…)' }) @IsOptional() @MaxLength(35) language?: string;
  @Field(() => String, { nullable: true, description: 'Default: general' }) @IsOptional() @MaxLength(64) category?: string;
  @Field(() => Boolean, { nullable: true, description: 'Default: true for terms in Latin letters, false for Chinese and Japanese' }) @IsOptional() @IsBoolean() wholeWord?: boolean;
}

@InputType()
export class UpdateSafetyTermInput {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) term?: string;
  @Field(() => SafetyLevelEnum, { nullable: true }) @IsOptional() level?: Level;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(35) language?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(64) category?: string;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() wholeWord?: boolean;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

@InputType()
export class CreateRewriteRuleInput {
  @Field(() => String) @Length(1, 500) pattern!: string;
  @Field(() => String) @MaxLength(500) replacement!: string;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) @IsOptional() @IsBoolean() regex?: boolean;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) @IsOptional() @IsBoolean() caseSensitive?: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(500) description?: string;
}

@InputType()
export class UpdateRewriteRuleInput {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 500) pattern?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(500) replacement?: string;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() regex?: boolean;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() caseSensitive?: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(500) description?: string;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}
