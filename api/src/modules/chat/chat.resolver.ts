import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { Context } from '../../context.js';
import { UserType } from '../users/index.js';
import { Allow } from '../rbac/index.js';
import { GenerationParamsInput, RegenerateInput, SendMessageInput } from './chat.inputs.js';
import type { MessageEventPayload } from './chat.service.js';
import { Conversation, ConversationConnection, Message, MessageEvent, ModelInfo, SendMessagePayload, messageEventOf } from './chat.types.js';

interface StreamArgs {
  messageId: string;
  fromSeq?: number | null;
}

@Resolver(() => Conversation)
export class ChatResolver {
  @Allow('create', 'Message')
  @Mutation(() => SendMessagePayload, { description: 'Stores the message and starts the reply; returns both at once' })
  sendMessage(@Arg('input', () => SendMessageInput) input: SendMessageInput, @Ctx() ctx: Context) {
    return ctx.services.chat.send(ctx, input);
  }

  @Allow('create', 'Message')
  @Mutation(() => Message, { description: 'A new reply to the same prompt as this assistant message, beside it (for comparison)' })
  regenerate(
    @Arg('messageId', () => ID) messageId: string,
    @Ctx() ctx: Context,
    @Arg('input', () => RegenerateInput, { nullable: true }) input?: RegenerateInput,
  ) {
    return ctx.services.chat.regenerate(ctx, messageId, { model: input?.model, params: input?.params });
  }

  @Allow('create', 'Message')
  @Mutation(() => Message, {
    description:
      'A new reply beside this one (cut short: INTERRUPTED, CANCELLED or ended by its token limit) that begins with its text and goes on from there; its stream starts with that text as the first delta',
  })
  continueGeneration(
    @Arg('messageId', () => ID) messageId: string,
    @Ctx() ctx: Context,
    @Arg('input', () => RegenerateInput, { nullable: true }) input?: RegenerateInput,
  ) {
    return ctx.services.chat.continueReply(ctx, messageId, { model: input?.model, params: input?.params });
  }

  @Allow('create', 'Message')
  @Mutation(() => SendMessagePayload, { description: 'Sends new content in place of a user message: a new branch with its own reply' })
  editAndResend(
    @Arg('messageId', () => ID) messageId: string,
    @Arg('content', () => String) content: string,
    @Ctx() ctx: Context,
    @Arg('model', () => String, { nullable: true }) model?: string,
    @Arg('params', () => GenerationParamsInput, { nullable: true }) params?: GenerationParamsInput,
  ) {
    return ctx.services.chat.editAndResend(ctx, messageId, content, { model, params });
  }

  @Allow('cancel', 'Message')
  @Mutation(() => Message, { description: 'Stops a streaming reply; returns it as stored (CANCELLED, with the text so far)' })
  cancelGeneration(@Arg('messageId', () => ID) messageId: string, @Ctx() ctx: Context) {
    return ctx.services.chat.cancel(ctx, messageId);
  }

  @Allow('read', 'Conversation')
  @Query(() => ConversationConnection, { description: 'Your conversations, most recently active first' })
  conversations(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1-100 (default 20)' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('search', () => String, { nullable: true, description: 'Only conversations whose title or any message contains this text (any case, 1-200 characters)' })
    search?: string | null,
  ) {
    return ctx.services.chat.conversations(ctx, first ?? 20, after, search ?? undefined);
  }

  @Allow('read', 'Conversation')
  @Query(() => Conversation, { nullable: true })
  conversation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.chat.conversation(ctx, id);
  }

  @Allow('read', 'Message')
  @Query(() => Message)
  message(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.chat.message(ctx, id);
  }

  @Allow('update', 'Conversation')
  @Mutation(() => Conversation)
  renameConversation(@Arg('id', () => ID) id: string, @Arg('title', () => String) title: string, @Ctx() ctx: Context) {
    return ctx.services.chat.rename(ctx, id, title);
  }

  @Allow('delete', 'Conversation')
  @Mutation(() => Boolean, { description: 'Deletes the conversation, its messages and ratings' })
  deleteConversation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.chat.delete(ctx, id);
  }

  @Allow('read', 'Model')
  @Query(() => [ModelInfo], { description: 'Models the upstreams serve' })
  async models(@Ctx() ctx: Context) {
    return (await ctx.services.upstreams.models()).map((m) => ({ id: m.id }));
  }

  @FieldResolver(() => UserType, {
    nullable: true,
    description: 'The person whose conversation it is: reviewers see their pseudonym, admins their account (null when you may see neither)',
  })
  owner(@Root() conversation: Conversation & { userId: string }, @Ctx() ctx: Context) {
    return ctx.services.chat.owner(ctx.ability, conversation.userId);
  }

  @FieldResolver(() => [Message], { description: 'The message tree, oldest first; follow parentId for branches' })
  messages(@Root() conversation: Conversation, @Ctx() ctx: Context) {
    return ctx.services.chat.messages(ctx.ability, conversation.id);
  }

  @Allow('read', 'Message')
  @Subscription(() => MessageEvent, {
    description: 'The events of a reply: replays from fromSeq (default: the start), then live, and ends after the final event',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, StreamArgs, Context>) =>
      context.services.chat.subscribe(context, args.messageId, args.fromSeq ?? 0),
  })
  messageStream(
    @Root() event: MessageEventPayload,
    @Arg('messageId', () => ID) _messageId: string,
    @Arg('fromSeq', () => Int, { nullable: true, description: 'First seq wanted: last seen + 1 when resuming' }) _fromSeq?: number,
  ): MessageEvent {
    return messageEventOf(event);
  }
}

/**
 * What each event of a subscription of this module resolves to, called directly per event (see
 * `createSchema`): the same as the subscription methods above return, without type-graphql's
 * resolver pipeline, whose checks ran once at subscribe.
 */
export const eventResolvers = {
  messageStream: (event: MessageEventPayload): MessageEvent => messageEventOf(event),
};
