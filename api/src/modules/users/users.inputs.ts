import { IsEmail, Length, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { RoleEnum } from './users.types.js';

@InputType()
export class CreateUserInput {
  @Field(() => String) @IsEmail() @MaxLength(320) email!: string;
  @Field(() => String, { description: 'At least 8 characters' }) @Length(8, 1024) password!: string;
  @Field(() => RoleEnum, { defaultValue: 'USER' }) role!: keyof typeof RoleEnum;
  @Field(() => String, { nullable: true }) @MaxLength(200) name?: string;
}
