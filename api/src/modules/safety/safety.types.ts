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

export const SafetyOutcomeEnum = { ALLOWED: 'ALLOWED', FLAGGED: 'FLAGGED', MASKED: 'MASKED', BLOCKED: 'BLOCKED' } as const;
registerEnumType(SafetyOutcomeEnum, {
  name: 'SafetyOutcome',
  description: 'What a turn gets from the filter, by its strongest hit: ALLOWED (none), FLAGGED (REVIEW), MASKED (MASK), BLOCKED (BLOCK: a prompt refused, a reply stopped)',
});

@ObjectType({ description: 'A term the preview found, with why it matched' })
export class SafetyPreviewMatch {
  @Field(() => ID, { description: 'The term’s id' }) termId!: string;
  @Field(() => String, { description: 'The term as listed' }) term!: string;
  @Field(() => String, { description: 'The term’s category' }) category!: string;
  @Field(() => SafetyLevelEnum, { description: 'The term’s level' }) level!: Level;
  @Field(() => Boolean, { description: 'Whole-word term (else substring)' }) wholeWord!: boolean;
  @Field(() => String, { description: 'What a turn records for it: refused (a prompt), stopped (a reply), masked or flagged' }) action!: string;
  @Field(() => String, { description: 'The characters matched, exactly as in the scanned text (disguises included)' }) matched!: string;
  @Field(() => Int, { description: 'UTF-16 offset of the match in `scannedText` (the input, unless a rewrite rule changed a reply)' }) start!: number;
  @Field(() => Int, { description: 'UTF-16 offset where the match ends (exclusive)' }) end!: number;
  @Field(() => String, { description: 'The matched characters in normal form (NFKC, lower case, no accents, Simplified Chinese, separators and invisible characters out): what equalled the term' }) normalized!: string;
  @Field(() => String, { description: 'The term in the same normal form' }) termNormalized!: string;
  @Field(() => Boolean, { description: 'Found only once earlier masks were applied (a `*` joined the letters around it); offsets and `matched` are then in the masked text' }) afterMasking!: boolean;
}

@ObjectType({ description: 'A rewrite rule that changed the previewed reply' })
export class SafetyPreviewRewrite {
  @Field(() => ID, { description: 'The rule’s id' }) ruleId!: string;
  @Field(() => String, { description: 'Its pattern' }) pattern!: string;
  @Field(() => Boolean, { description: 'pattern is a regular expression (else literal text)' }) regex!: boolean;
  @Field(() => String, { description: 'What it puts in place of a match' }) replacement!: string;
  @Field(() => Int, { description: 'Matches it replaced' }) applications!: number;
}

@ObjectType({ description: 'What the live filter would make of a text as a prompt or a reply; nothing is recorded' })
export class SafetyPreview {
  @Field(() => SafetyDirectionEnum, { description: 'Judged as a prompt (INPUT) or as a reply (OUTPUT)' }) direction!: keyof typeof SafetyDirectionEnum;
  @Field(() => Boolean, { description: 'Whether filtering is on in this api process (SAFETY); off: everything is ALLOWED' }) enabled!: boolean;
  @Field(() => Int, { description: 'The list version this api process filters with' }) version!: number;
  @Field(() => SafetyOutcomeEnum, { description: 'What the turn would get, by its strongest hit' }) outcome!: keyof typeof SafetyOutcomeEnum;
  @Field(() => SafetyLevelEnum, { nullable: true, description: 'The strongest level hit; null when nothing matched' }) level!: Level | null;
  @Field(() => String, {
    nullable: true,
    description: 'What the person would see: the prompt as masked (null when it would be refused), or the reply as streamed, ending with the refusal when a BLOCK term stops it',
  })
  text!: string | null;
  @Field(() => String, { description: 'The text the term filter read: the input, after the rewrite rules for a reply' }) scannedText!: string;
  @Field(() => [SafetyPreviewMatch], { description: 'Every hit, as a turn would record them (for a reply: the hits released, then the one that stopped it)' }) matches!: SafetyPreviewMatch[];
  @Field(() => [SafetyPreviewRewrite], { description: 'Rewrite rules that changed the text (replies only), in the order they apply' }) rewrites!: SafetyPreviewRewrite[];
}

@ObjectType({ description: 'Safety events counted by level' })
export class SafetyLevelCounts {
  @Field(() => Int, { description: 'REVIEW hits (flagged)' }) review!: number;
  @Field(() => Int, { description: 'MASK hits (masked)' }) mask!: number;
  @Field(() => Int, { description: 'BLOCK hits (prompts refused, replies stopped)' }) block!: number;
  @Field(() => Int, { description: 'All levels' }) total!: number;
}

@ObjectType({ description: 'The safety events of one UTC day' })
export class SafetyDayStats {
  @Field(() => String, { description: 'The UTC day, YYYY-MM-DD' }) day!: string;
  @Field(() => SafetyLevelCounts, { description: 'Hits in prompts' }) input!: SafetyLevelCounts;
  @Field(() => SafetyLevelCounts, { description: 'Hits in replies' }) output!: SafetyLevelCounts;
  @Field(() => SafetyLevelCounts, { description: 'Both directions' }) all!: SafetyLevelCounts;
}

@ObjectType({ description: 'Recorded safety events per UTC day, level and direction, over [from, to)' })
export class SafetyStats {
  @Field(() => Date, { description: 'Start of the range, inclusive' }) from!: Date;
  @Field(() => Date, { description: 'End of the range, exclusive' }) to!: Date;
  @Field(() => [SafetyDayStats], { description: 'Every UTC day the range touches, oldest first, days without hits included (zeros)' }) days!: SafetyDayStats[];
  @Field(() => SafetyLevelCounts, { description: 'Prompts over the whole range' }) input!: SafetyLevelCounts;
  @Field(() => SafetyLevelCounts, { description: 'Replies over the whole range' }) output!: SafetyLevelCounts;
  @Field(() => SafetyLevelCounts, { description: 'Both directions over the whole range' }) all!: SafetyLevelCounts;
}
