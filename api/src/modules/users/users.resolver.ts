import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { badInput } from '../../errors.js';
import { parseId } from '../../ids.js';
import { RoleEnum, UserType } from './users.types.js';
import { Allow } from '../rbac/index.js';
import { CreateUserInput } from './users.inputs.js';

@Resolver(() => UserType)
export class UsersResolver {
  @FieldResolver(() => String, { description: 'The keyed pseudonym (u_…) the audit trail, reviewers and exports know this person by' })
  pseudonym(@Root() user: UserType, @Ctx() ctx: Context): string {
    return ctx.services.audit.person(user.id);
  }

  @Allow('create', 'User')
  @Mutation(() => UserType, { description: 'Creates a local account (admins)' })
  createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: Context) {
    return ctx.services.users.create(ctx, input);
  }

  @Allow('read', 'User')
  @Query(() => [UserType], {
    description:
      'Accounts you may see. Admins page by email (`after`: the last email of the previous page) and may `search`; others get one page, oldest first, without `after` or `search`',
  })
  users(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1-200 (default 50)' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('search', () => String, { nullable: true, description: 'Part of an email or a name (any case), or a whole account id; admins only' })
    search?: string | null,
  ) {
    const size = first ?? 50;
    if (size < 1 || size > 200) throw badInput('first must be between 1 and 200');
    if (search !== undefined && search !== null && search.length > 200) throw badInput('search is at most 200 characters');
    return ctx.services.users.list(ctx, size, after, search?.trim() || undefined);
  }

  @Allow('update', 'User')
  @Mutation(() => UserType, { description: "Changes a person's role or disables the account (admins)" })
  updateUser(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
    @Arg('role', () => RoleEnum, { nullable: true }) role?: keyof typeof RoleEnum,
    @Arg('disabled', () => Boolean, { nullable: true }) disabled?: boolean,
  ) {
    return ctx.services.users.update(ctx, parseId(id, 'User'), {
      ...(role ? { role } : {}),
      ...(disabled === undefined || disabled === null ? {} : { disabled }),
    });
  }
}
