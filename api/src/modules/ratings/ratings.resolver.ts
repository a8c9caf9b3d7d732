import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Message } from '../chat/index.js';
import { Allow } from '../rbac/index.js';
import { RateMessageInput, Rating } from './ratings.types.js';

@Resolver(() => Message)
export class RatingsResolver {
  @Allow('create', 'Rating')
  @Mutation(() => Rating, { description: 'Rates one of your replies; one rating per person per reply, updatable' })
  rateMessage(@Arg('messageId', () => ID) messageId: string, @Arg('input', () => RateMessageInput) input: RateMessageInput, @Ctx() ctx: Context) {
    return ctx.services.ratings.rate(ctx, messageId, input);
  }

  @FieldResolver(() => Rating, { nullable: true, description: 'Your rating of this reply' })
  myRating(@Root() message: Message, @Ctx() ctx: Context) {
    return ctx.services.ratings.mine(ctx, message.id);
  }
}
