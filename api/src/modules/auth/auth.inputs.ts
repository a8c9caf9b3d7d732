import { ArrayMaxSize, ArrayMinSize, Length } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { ApiKeyScopeEnum } from './auth.types.js';

@InputType()
export class CreateApiKeyInput {
  @Field(() => String) @Length(1, 100) name!: string;
  @Field(() => [ApiKeyScopeEnum]) @ArrayMinSize(1) @ArrayMaxSize(10) scopes!: (keyof typeof ApiKeyScopeEnum)[];
}
