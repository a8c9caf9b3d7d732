import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'What an erasure removed' })
export class ErasureReport {
  @Field(() => String, { description: 'The pseudonym the audit trail keeps' }) pseudonym!: string;
  @Field(() => Int) conversations!: number;
  @Field(() => Int) messages!: number;
  @Field(() => Int) ratings!: number;
  @Field(() => Int) apiKeys!: number;
}
