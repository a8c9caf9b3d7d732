import { ArrayMaxSize, IsInt, IsOptional, Max, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export const ThumbEnum = { UP: 'UP', DOWN: 'DOWN' } as const;
registerEnumType(ThumbEnum, { name: 'Thumb' });

@ObjectType()
export class Rating {
  @Field(() => ID) id!: string;
  @Field(() => ID) messageId!: string;
  @Field(() => ThumbEnum, { nullable: true }) thumb!: keyof typeof ThumbEnum | null;
  @Field(() => Int, { nullable: true }) score!: number | null;
  @Field(() => [String]) tags!: string[];
  @Field(() => String, { nullable: true }) comment!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@InputType({ description: 'A thumb, a 1-5 score, or both; rating again replaces your previous rating' })
export class RateMessageInput {
  @Field(() => ThumbEnum, { nullable: true }) @IsOptional() thumb?: keyof typeof ThumbEnum;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(5) score?: number;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(10) @MaxLength(40, { each: true }) tags?: string[];
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(2000) comment?: string;
}
