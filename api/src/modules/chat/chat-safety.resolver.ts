import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Allow } from '../rbac/index.js';
import { EscalationStepEnum, SafetyLevelEnum } from '../safety/index.js';
import { Conversation, Message } from './chat.types.js';

type Level = keyof typeof SafetyLevelEnum;

/** What content safety says of a message: resolved here, so that the chat depends on safety and never the reverse. */
@Resolver(() => Message)
export class MessageSafetyResolver {
  @FieldResolver(() => SafetyLevelEnum, { nullable: true, description: 'The strongest safety level hit in this message (its prompt text, or its reply)' })
  safety(@Root() message: Message & { safety?: Level | null }) {
    return message.safety ?? null;
  }
}

/** What conversation monitoring says of a conversation, and lifting its lock. */
@Resolver(() => Conversation)
export class ConversationSafetyResolver {
  @FieldResolver(() => Date, { nullable: true, description: 'When monitoring locked it (no new turns until an admin unlocks it)' })
  lockedAt(@Root() conversation: Conversation & { lockedAt?: Date | null }) {
    return conversation.lockedAt ?? null;
  }

  @FieldResolver(() => EscalationStepEnum, { nullable: true, description: 'The highest monitoring step active for this conversation or its owner' })
  safetyStep(@Root() conversation: Conversation & { userId: string }, @Ctx() ctx: Context) {
    return ctx.services.safety.activeStep(conversation.userId, conversation.id);
  }

  @Allow('manage', 'SafetyEscalation')
  @Mutation(() => Conversation, { description: 'Lifts a lock conversation monitoring put on a conversation (admins)' })
  unlockConversation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.safety.unlockConversation(ctx, id);
  }
}
