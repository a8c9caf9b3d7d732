import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { StreamEvent } from './events.js';

export const MessageStatusEnum = { QUEUED: 'QUEUED', STREAMING: 'STREAMING', COMPLETE: 'COMPLETE', CANCELLED: 'CANCELLED', INTERRUPTED: 'INTERRUPTED', FAILED: 'FAILED' } as const;
registerEnumType(MessageStatusEnum, {
  name: 'MessageStatus',
  valuesConfig: { QUEUED: { description: 'Waiting for a model server (no token yet); its stream says where it stands' } },
});
export const MessageRoleEnum = { SYSTEM: 'SYSTEM', USER: 'USER', ASSISTANT: 'ASSISTANT' } as const;
registerEnumType(MessageRoleEnum, { name: 'MessageRole' });

// The types of a stream event resolve their fields as plain properties (`simpleResolvers`): no
// middleware runs per field of every token (the global `guardRootFields` only guards root
// fields, and these fields declare no rules of their own). A field that needs one must opt out.
@ObjectType({ simpleResolvers: true })
export class Usage {
  @Field(() => Int) promptTokens!: number;
  @Field(() => Int) completionTokens!: number;
  @Field(() => Int) totalTokens!: number;
}

@ObjectType({ simpleResolvers: true })
export class Timings {
  @Field(() => Int, { nullable: true, description: 'From the upstream request to the first token' }) timeToFirstTokenMs!: number | null;
  @Field(() => Float, { nullable: true }) tokensPerSecond!: number | null;
}

@ObjectType({ simpleResolvers: true })
export class StreamError {
  @Field(() => String, { description: 'UPSTREAM_ERROR, UPSTREAM_TIMEOUT, UPSTREAM_INTERRUPTED, UPSTREAM_BUSY or GENERATOR_STOPPED' }) code!: string;
  @Field(() => String) message!: string;
  @Field(() => Int, { nullable: true, description: 'UPSTREAM_BUSY: when a new attempt may succeed, roughly' }) retryAfterMs?: number | null;
}

@ObjectType({ description: 'A message in a conversation tree: user prompts and assistant replies' })
export class Message {
  @Field(() => ID) id!: string;
  @Field(() => ID) conversationId!: string;
  @Field(() => ID, { nullable: true, description: 'The message this one answers (null for the first)' }) parentId!: string | null;
  @Field(() => MessageRoleEnum) role!: keyof typeof MessageRoleEnum;
  @Field(() => String, { description: 'While STREAMING: the text stored so far (subscribe to messageStream for tokens)' }) content!: string;
  @Field(() => MessageStatusEnum) status!: keyof typeof MessageStatusEnum;
  @Field(() => String, { nullable: true }) model!: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Sampling parameters the reply was generated with' }) params!: object | null;
  @Field(() => String, { nullable: true }) finishReason!: string | null;
  @Field(() => Int, { nullable: true }) promptTokens!: number | null;
  @Field(() => Int, { nullable: true }) completionTokens!: number | null;
  @Field(() => Int, { nullable: true }) timeToFirstTokenMs!: number | null;
  @Field(() => Float, { nullable: true }) tokensPerSecond!: number | null;
  @Field(() => String, { nullable: true }) errorCode!: string | null;
  @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) completedAt!: Date | null;
}

@ObjectType()
export class Conversation {
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType()
export class ConversationEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Conversation) node!: Conversation;
}

@ObjectType()
export class ConversationConnection {
  @Field(() => [ConversationEdge]) edges!: ConversationEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType()
export class SendMessagePayload {
  @Field(() => Conversation) conversation!: Conversation;
  @Field(() => Message) userMessage!: Message;
  @Field(() => Message, { description: 'STREAMING: subscribe to messageStream(messageId: assistantMessage.id)' }) assistantMessage!: Message;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'One event of a reply stream. Deltas have seq 1, 2, …; the last event has done: true and the next seq, ' +
    'with finishReason, usage and timings, or an error. Deltas that come close together may arrive as one event ' +
    'carrying deltas firstSeq..seq, their text joined (seq then skips to the last of them; none is left out). ' +
    'Subscribe again with fromSeq = last seen seq + 1 to resume. ' +
    'While the reply waits for a model server, events with seq 0 carry queuePosition and estimatedWaitMs (clients may ignore them).',
})
export class MessageEvent {
  @Field(() => ID) messageId!: string;
  @Field(() => Int) seq!: number;
  @Field(() => Int, {
    description: 'The seq of the first delta this event carries: seq itself, unless several deltas were joined into it (STREAM_COALESCE_MS), then seq of the previous event + 1',
  })
  firstSeq!: number;
  @Field(() => String, { nullable: true }) delta!: string | null;
  @Field(() => Boolean) done!: boolean;
  @Field(() => MessageStatusEnum, { nullable: true, description: 'Set on the final event' }) status!: keyof typeof MessageStatusEnum | null;
  @Field(() => String, { nullable: true, description: 'stop, length, cancelled …' }) finishReason!: string | null;
  @Field(() => Usage, { nullable: true }) usage!: Usage | null;
  @Field(() => Timings, { nullable: true }) timings!: Timings | null;
  @Field(() => StreamError, { nullable: true }) error!: StreamError | null;
  @Field(() => Int, {
    nullable: true,
    description: 'While the reply waits for a model server (events with seq 0, before any delta, not replayed): its place in line, 1 next',
  })
  queuePosition!: number | null;
  @Field(() => Int, { nullable: true, description: 'With queuePosition: roughly how long until it starts (null: not known yet)' }) estimatedWaitMs!: number | null;
}

@ObjectType()
export class ModelInfo {
  @Field(() => ID) id!: string;
}

/** What `messageStream` resolves a stream event to: every field set, absent ones null. */
export function messageEventOf(event: StreamEvent & { messageId: string; firstSeq?: number }): MessageEvent {
  return {
    messageId: event.messageId,
    seq: event.seq,
    firstSeq: event.firstSeq ?? event.seq,
    delta: event.delta ?? null,
    done: event.done ?? false,
    status: event.status ?? null,
    finishReason: event.finishReason ?? null,
    usage: event.usage ?? null,
    timings: event.timings ?? null,
    error: event.error ?? null,
    queuePosition: event.queuePosition ?? null,
    estimatedWaitMs: event.estimatedWaitMs ?? null,
  };
}
