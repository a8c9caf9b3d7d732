import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { Allow } from '../rbac/index.js';
import { ErasureReport } from './privacy.types.js';

@Resolver()
export class PrivacyResolver {
  @Allow('delete', 'User')
  @Mutation(() => ErasureReport, { description: 'Erases your account and everything you wrote; repeat your email to confirm' })
  deleteMyAccount(@Arg('confirmEmail', () => String) confirmEmail: string, @Ctx() ctx: Context) {
    return ctx.services.privacy.deleteMyAccount(ctx, confirmEmail);
  }

  @Allow('manage', 'User')
  @Mutation(() => ErasureReport, { description: "Erases a person's account, conversations, messages and ratings (admins)" })
  eraseUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.privacy.eraseUser(ctx, id);
  }
}
