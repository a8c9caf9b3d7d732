import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { parseId } from '../../ids.js';
import { Allow, Public, requireActor } from '../rbac/index.js';
import { CreateApiKeyInput } from './auth.inputs.js';
import { UserType } from '../users/index.js';
import { ApiKeyCreated, ApiKeyType, AuthPayload } from './auth.types.js';

@Resolver()
export class AuthResolver {
  @Public()
  @Mutation(() => AuthPayload, { description: 'Signs in with email and password' })
  login(@Arg('email', () => String) email: string, @Arg('password', () => String) password: string, @Ctx() ctx: Context) {
    return ctx.services.limits.login(email, ctx.client.ip, () => ctx.services.auth.login(email, password, ctx.audit));
  }

  @Public()
  @Mutation(() => AuthPayload, { description: 'Exchanges a refresh token (once) for a new access and refresh token' })
  refreshToken(@Arg('token', () => String) token: string, @Ctx() ctx: Context) {
    return ctx.services.auth.refresh(token, ctx.audit);
  }

  @Public()
  @Mutation(() => Boolean, { description: 'Revokes a refresh token' })
  logout(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: Context) {
    return ctx.services.auth.logout(refreshToken, ctx.audit);
  }

  @Allow('read', 'User')
  @Query(() => UserType, { description: 'The signed-in person' })
  me(@Ctx() ctx: Context) {
    return ctx.services.users.get(ctx.ability, requireActor(ctx).userId);
  }

  @Allow('create', 'ApiKey')
  @Mutation(() => ApiKeyCreated, { description: 'Creates an API key for apps; the secret is returned only here' })
  createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: Context) {
    return ctx.services.auth.createApiKey(ctx, requireActor(ctx), input.name, input.scopes);
  }

  @Allow('read', 'ApiKey')
  @Query(() => [ApiKeyType], { description: 'Your API keys (all keys, for admins)' })
  apiKeys(@Ctx() ctx: Context) {
    return ctx.services.auth.listApiKeys(ctx);
  }

  @Allow('delete', 'ApiKey')
  @Mutation(() => ApiKeyType)
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.auth.revokeApiKey(ctx, parseId(id, 'API key'));
  }
}
