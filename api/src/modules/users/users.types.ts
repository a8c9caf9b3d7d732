import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ReadField, ROLES } from '../rbac/index.js';

export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r, r])) as { [K in (typeof ROLES)[number]]: K };
registerEnumType(RoleEnum, { name: 'Role', description: 'What a person may do: see api/src/modules/rbac/rules.ts' });

/**
 * An account. `id`, `email` and `name` identify a person: only admins and the person may read
 * them (field-level rules, rbac/rules.ts); everyone else knows them by `pseudonym`.
 */
@ObjectType('User')
export class UserType {
  @ReadField('User', 'id') @Field(() => ID) id!: string;
  @ReadField('User', 'email') @Field(() => String) email!: string;
  @ReadField('User', 'name') @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => RoleEnum) role!: keyof typeof RoleEnum;
  @ReadField('User', 'disabled') @Field(() => Boolean) disabled!: boolean;
  @ReadField('User', 'createdAt') @Field(() => Date) createdAt!: Date;
}

