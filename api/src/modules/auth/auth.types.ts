import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SCOPE_NAMES } from '../rbac/index.js';
import { UserType } from '../users/index.js';

export const ApiKeyScopeEnum = Object.fromEntries(SCOPE_NAMES.map((s) => [s, s])) as { [K in (typeof SCOPE_NAMES)[number]]: K };
registerEnumType(ApiKeyScopeEnum, { name: 'ApiKeyScope', description: 'chat: conversations and messages; ratings: rate replies; profile: read own account; datasets: build, download and import datasets; training: start and follow training runs, register model versions' });

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: 'JWT for the Authorization header and connection_init; short-lived' }) accessToken!: string;
  @Field(() => String, { description: 'Opaque, single use: exchange it with refreshToken for a new pair' }) refreshToken!: string;
  @Field(() => Int, { description: 'Seconds until the access token expires' }) expiresIn!: number;
  @Field(() => UserType) user!: UserType;
}

@ObjectType('ApiKey')
export class ApiKeyType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'First characters of the secret, to tell keys apart' }) prefix!: string;
  @Field(() => [ApiKeyScopeEnum]) scopes!: string[];
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType()
export class ApiKeyCreated {
  @Field(() => ApiKeyType) apiKey!: ApiKeyType;
  @Field(() => String, { description: 'The key itself (dk_…), shown only this once' }) secret!: string;
}
