import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

// In ascending severity.
export const SafetyLevelEnum = { REVIEW: 'REVIEW', MASK: 'MASK', BLOCK: 'BLOCK' } as const;
registerEnumType(SafetyLevelEnum, {
  name: 'SafetyLevel',
  description: 'BLOCK refuses (a prompt) or stops (a reply); MASK replaces the term with as many * as it has characters; REVIEW lets it through, flagged for reviewers',
});
export const SafetyDirectionEnum = { INPUT: 'INPUT', OUTPUT: 'OUTPUT' } as const;
registerEnumType(SafetyDirectionEnum, { name: 'SafetyDirection', description: 'INPUT: a prompt; OUTPUT: a reply' });
export const EscalationStepEnum = { WARN: 'WARN', SLOW: 'SLOW', LOCK: 'LOCK', REVIEW: 'REVIEW' } as const;
registerEnumType(EscalationStepEnum, {
  name: 'EscalationStep',
  description: 'Conversation monitoring, in order: WARN the person, SLOW them down, LOCK the conversation, REVIEW (an item for reviewers)',
});

type Level = keyof typeof SafetyLevelEnum;

@ObjectType({ description: 'A term of the content filter' })
export class SafetyTerm {
  @Field(() => ID) id!: string;
  @Field(() => String) term!: string;
  @Field(() => SafetyLevelEnum) level!: Level;
  @Field(() => String, { nullable: true }) language!: string | null;
  @Field(() => String) category!: string;
  @Field(() => Boolean, { description: 'Whole-word: not inside a longer Latin word (substring otherwise)' }) wholeWord!: boolean;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Int, { description: 'The list version of its last change' }) version!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType({ description: 'A rewrite applied to replies as they stream (before the term filter)' })
export class RewriteRule {
  @Field(() => ID) id!: string;
  @Field(() => String) pattern!: string;
  @Field(() => Boolean, { description: 'pattern is a regular expression (else literal text)' }) regex!: boolean;
  @Field(() => Boolean) caseSensitive!: boolean;
  @Field(() => String, { description: 'May use $& and $1… for regular expressions' }) replacement!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Int) version!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType({ description: 'A change to the term list or the rewrite rules' })
export class SafetyRevision {
  @Field(() => Int) version!: number;
  @Field(() => Date) at!: Date;
  @Field(() => String, { nullable: true }) actorPseudonym!: string | null;
  @Field(() => String, { description: 'term or rule' }) kind!: string;
  @Field(() => String, { description: 'create, update, delete or import' }) op!: string;
  @Field(() => ID, { nullable: true }) entityId!: string | null;
}

@ObjectType({ description: 'A term the filter caught (the text itself is not kept)' })
export class SafetyEvent {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => SafetyDirectionEnum) direction!: keyof typeof SafetyDirectionEnum;
  @Field(() => SafetyLevelEnum) level!: Level;
  @Field(() => String) category!: string;
  @Field(() => String, { description: 'refused, masked, flagged or stopped' }) action!: string;
  @Field(() => ID, { nullable: true }) termId!: string | null;
  @Field(() => ID, { nullable: true }) conversationId!: string | null;
  @Field(() => ID, { nullable: true, description: 'None for a refused prompt (it is not stored)' }) messageId!: string | null;
  @Field(() => String, { nullable: true }) personPseudonym!: string | null;
  @Field(() => Int, { description: 'UTF-16 offset in the text' }) start!: number;
  @Field(() => Int) end!: number;
}

@ObjectType({ description: 'A step conversation monitoring took' })
export class SafetyEscalation {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => EscalationStepEnum) step!: keyof typeof EscalationStepEnum;
  @Field(() => String, { description: 'person or conversation: whose window reached the threshold' }) scope!: string;
  @Field(() => Int) count!: number;
  @Field(() => Int) windowSeconds!: number;
  @Field(() => ID, { nullable: true }) conversationId!: string | null;
  @Field(() => String, { nullable: true }) personPseudonym!: string | null;
  @Field(() => Date, { nullable: true }) resolvedAt!: Date | null;
  @Field(() => String, { nullable: true }) resolvedBy!: string | null;
  @Field(() => String, { nullable: true }) resolution!: string | null;
}

@ObjectType()
export class SafetyImportResult {
  @Field(() => Int) rows!: number;
  @Field(() => Int) created!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Int, { description: 'Rows whose term had the same normal form as an earlier row (the last one wins)' }) duplicates!: number;
  @Field(() => Int) version!: number;
}

@ObjectType()
export class SafetyStatus {
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Int, { description: 'The list version this api process filters with' }) version!: number;
  @Field(() => Int, { description: 'The newest list version stored' }) latestVersion!: number;
}
