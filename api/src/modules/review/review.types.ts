import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export const ReviewKindEnum = { PAIRWISE: 'PAIRWISE', RANKING: 'RANKING', RUBRIC: 'RUBRIC', CORRECTION: 'CORRECTION' } as const;
registerEnumType(ReviewKindEnum, {
  name: 'ReviewKind',
  description: 'PAIRWISE: A, B or a tie with strength (2 candidates); RANKING: order every candidate; RUBRIC: score one candidate per criterion; CORRECTION: edit one candidate',
});
export const ReviewAnswerKindEnum = { ...ReviewKindEnum, SKIP: 'SKIP' } as const;
registerEnumType(ReviewAnswerKindEnum, { name: 'ReviewAnswerKind', description: "A review's kind: the item's kind, or SKIP with a reason" });
export const ReviewItemSourceEnum = { SIBLINGS: 'SIBLINGS', LOW_RATING: 'LOW_RATING', SAFETY: 'SAFETY', SAMPLE: 'SAMPLE', MANUAL: 'MANUAL', ARENA: 'ARENA' } as const;
registerEnumType(ReviewItemSourceEnum, {
  name: 'ReviewItemSource',
  description: 'SIBLINGS: regenerated replies to one prompt; LOW_RATING: a reply rated low; SAFETY: a reply flagged for review by the content filter; SAMPLE: a sampled conversation; MANUAL: made by an admin; ARENA: a canary model version against the active one (createArenaItems)',
});
export const ReviewItemStatusEnum = { PENDING: 'PENDING', OPEN: 'OPEN', ADJUDICATION: 'ADJUDICATION', DONE: 'DONE' } as const;
registerEnumType(ReviewItemStatusEnum, {
  name: 'ReviewItemStatus',
  description: 'PENDING: candidates still being generated; OPEN: in the queue; ADJUDICATION: its reviews disagree, an admin decides; DONE',
});
export const ClaimStatusEnum = { CLAIMED: 'CLAIMED', SUBMITTED: 'SUBMITTED', SKIPPED: 'SKIPPED', RELEASED: 'RELEASED' } as const;
registerEnumType(ClaimStatusEnum, { name: 'ClaimStatus' });
export const SkipReasonEnum = { UNCLEAR_PROMPT: 'UNCLEAR_PROMPT', NEEDS_EXPERTISE: 'NEEDS_EXPERTISE', OFFENSIVE: 'OFFENSIVE', DUPLICATE: 'DUPLICATE', OTHER: 'OTHER' } as const;
registerEnumType(SkipReasonEnum, { name: 'SkipReason' });
export const PreferenceSourceEnum = { COMPARISON: 'COMPARISON', RANKING: 'RANKING', CORRECTION: 'CORRECTION', RATING: 'RATING' } as const;
registerEnumType(PreferenceSourceEnum, { name: 'PreferenceSource' });
export const PairwiseChoiceEnum = { A: 'A', B: 'B', TIE: 'TIE' } as const;
registerEnumType(PairwiseChoiceEnum, { name: 'PairwiseChoice' });

@ObjectType({ description: 'One turn of the conversation a review item asks about' })
export class Turn {
  @Field(() => String, { description: 'system, user or assistant' }) role!: string;
  @Field(() => String) content!: string;
}

@ObjectType()
export class RubricCriterion {
  @Field(() => String) id!: string;
  @Field(() => String) label!: string;
  @Field(() => Int) min!: number;
  @Field(() => Int) max!: number;
}

@ObjectType({ description: 'A reply under review; candidates are shown in position order, A first' })
export class ReviewCandidate {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'A, B, C …' }) label!: string;
  @Field(() => String) content!: string;
  @Field(() => String, { nullable: true, description: 'The model version that wrote it' }) model!: string | null;
  @Field(() => ID, { nullable: true, description: 'The stored reply, when it is one (arena candidates are not)' }) messageId!: string | null;
}

@ObjectType()
export class CriterionScore {
  @Field(() => String) criterion!: string;
  @Field(() => Int) score!: number;
}

@ObjectType({ description: 'A submitted review; the reviewer only by pseudonym' })
export class Review {
  @Field(() => ID) id!: string;
  @Field(() => ID) itemId!: string;
  @Field(() => String) reviewerPseudonym!: string;
  @Field(() => ReviewKindEnum) kind!: keyof typeof ReviewKindEnum;
  @Field(() => PairwiseChoiceEnum, { nullable: true }) choice!: keyof typeof PairwiseChoiceEnum | null;
  @Field(() => Int, { nullable: true }) strength!: number | null;
  @Field(() => [ID], { nullable: true, description: 'Candidate ids, best first' }) ranking!: string[] | null;
  @Field(() => ID, { nullable: true }) candidateId!: string | null;
  @Field(() => [CriterionScore], { nullable: true }) scores!: CriterionScore[] | null;
  @Field(() => String, { nullable: true, description: 'The corrected reply' }) text!: string | null;
  @Field(() => [String]) tags!: string[];
  @Field(() => String, { nullable: true }) comment!: string | null;
  @Field(() => Boolean, { description: "An admin's decision on an item whose reviews disagreed" }) adjudication!: boolean;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class ReviewItem {
  @Field(() => ID) id!: string;
  @Field(() => ReviewItemSourceEnum) source!: keyof typeof ReviewItemSourceEnum;
  @Field(() => ReviewKindEnum) kind!: keyof typeof ReviewKindEnum;
  @Field(() => ReviewItemStatusEnum) status!: keyof typeof ReviewItemStatusEnum;
  @Field(() => Int) requiredReviews!: number;
  @Field(() => Int, { description: 'Reviews submitted (skips not counted)' }) reviewCount!: number;
  @Field(() => Int) priority!: number;
  @Field(() => Float, { nullable: true, description: 'Agreement among its reviews (0..1), once they are all in' }) agreement!: number | null;
  @Field(() => [String], { description: 'Model versions asked for extra candidates' }) arenaModels!: string[];
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) adjudicatedAt!: Date | null;
  conversationId!: string;
  promptMessageId!: string;
  rubric!: unknown;
}

@ObjectType({ description: "A reviewer's lease on an item: submit or skip before it expires, or it returns to the queue" })
export class ReviewClaim {
  @Field(() => ID) id!: string;
  @Field(() => ReviewItem) item!: ReviewItem;
  @Field(() => ClaimStatusEnum) status!: keyof typeof ClaimStatusEnum;
  @Field(() => Date) claimedAt!: Date;
  @Field(() => Date) expiresAt!: Date;
}

@ObjectType()
export class ReviewQueueStats {
  @Field(() => Int) pending!: number;
  @Field(() => Int) open!: number;
  @Field(() => Int) adjudication!: number;
  @Field(() => Int) done!: number;
  @Field(() => Int, { description: 'Leases held now' }) claimed!: number;
}

@ObjectType()
export class CollectReport {
  @Field(() => Int) siblings!: number;
  @Field(() => Int) lowRating!: number;
  @Field(() => Int) safety!: number;
  @Field(() => Int) sample!: number;
  @Field(() => Int, { description: 'Candidates generated for PENDING items' }) generated!: number;
}

@ObjectType()
export class ReviewItemConnection {
  @Field(() => [ReviewItem]) nodes!: ReviewItem[];
  @Field(() => String, { nullable: true, description: 'Pass as after for the next page' }) endCursor!: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;
}

@ObjectType()
export class KappaPair {
  @Field(() => String) reviewerA!: string;
  @Field(() => String) reviewerB!: string;
  @Field(() => Int, { description: 'Items both labelled' }) items!: number;
  @Field(() => Float, { nullable: true, description: "Cohen's kappa (null when it is undefined: fewer than 2 shared items, or no variation)" }) kappa!: number | null;
}

@ObjectType()
export class ReviewerAgreementRow {
  @Field(() => String) reviewer!: string;
  @Field(() => Int) reviews!: number;
  @Field(() => Float, { nullable: true, description: "Mean Cohen's kappa with each other reviewer sharing 2+ items" }) meanKappa!: number | null;
  @Field(() => Int) pairs!: number;
  @Field(() => Float, { nullable: true, description: 'Krippendorff alpha of the item set without this reviewer (a rise means they disagree with the rest)' }) alphaWithout!: number | null;
}

@ObjectType({ description: 'Agreement among reviewers over a set of items' })
export class AgreementReport {
  @Field(() => Int) items!: number;
  @Field(() => Int) reviews!: number;
  @Field(() => Float, { nullable: true, description: "Krippendorff's alpha, nominal, on pairwise choices (A, B, tie) and rankings' top choice" }) choiceAlpha!: number | null;
  @Field(() => Float, { nullable: true, description: "Krippendorff's alpha, ordinal, on rubric scores (each criterion of each item a unit)" }) scoreAlpha!: number | null;
  @Field(() => [KappaPair]) kappa!: KappaPair[];
  @Field(() => [ReviewerAgreementRow]) reviewers!: ReviewerAgreementRow[];
}

@ObjectType({ description: 'A preference derived from reviews or ratings' })
export class PreferencePair {
  @Field(() => ID) id!: string;
  @Field(() => PreferenceSourceEnum) source!: keyof typeof PreferenceSourceEnum;
  @Field(() => ID, { nullable: true }) itemId!: string | null;
  @Field(() => String) ownerPseudonym!: string;
  @Field(() => [Turn]) prompt!: Turn[];
  @Field(() => String) chosen!: string;
  @Field(() => String) rejected!: string;
  @Field(() => Float) margin!: number;
  @Field(() => Float, { nullable: true }) agreement!: number | null;
  @Field(() => String, { nullable: true }) chosenModel!: string | null;
  @Field(() => String, { nullable: true }) rejectedModel!: string | null;
  @Field(() => String) language!: string;
  @Field(() => Boolean) flagged!: boolean;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class PreferencePairConnection {
  @Field(() => [PreferencePair]) nodes!: PreferencePair[];
  @Field(() => String, { nullable: true }) endCursor!: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;
}

@ObjectType({ description: 'Where review items come from, as configured' })
export class ReviewSourceSetting {
  @Field(() => ReviewItemSourceEnum, { description: 'The source' }) source!: keyof typeof ReviewItemSourceEnum;
  @Field(() => Boolean, { description: 'Swept by collection (every REVIEW_COLLECT_INTERVAL_S, or collectReviewItems); false: made by an admin’s mutation' }) collected!: boolean;
  @Field(() => Boolean, { description: 'Whether it makes items at all (SAMPLE is off at a share of 0)' }) enabled!: boolean;
  @Field(() => Float, { nullable: true, description: 'SAMPLE: the share of conversations sampled (REVIEW_SAMPLE_SHARE)' }) share!: number | null;
  @Field(() => Int, { nullable: true, description: 'LOW_RATING: a score at or below this, or a thumb down, sends a reply to review (REVIEW_LOW_SCORE)' }) lowScore!: number | null;
  @Field(() => String, { description: 'What it takes, in words (English)' }) description!: string;
}

@ObjectType({ description: 'A collection sweep of this api process' })
export class ReviewCollection {
  @Field(() => Date, { description: 'When it started' }) startedAt!: Date;
  @Field(() => Date, { nullable: true, description: 'Null while it runs' }) finishedAt!: Date | null;
  @Field(() => String, { description: 'SCHEDULE (the periodic sweep) or REQUEST (collectReviewItems)' }) trigger!: string;
  @Field(() => CollectReport, { nullable: true, description: 'What it made; null while it runs or when it failed' }) report!: CollectReport | null;
  @Field(() => String, { nullable: true, description: 'Why it failed' }) error!: string | null;
}

@ObjectType({ description: 'How the review queue is configured (the api’s environment), and its last collection' })
export class ReviewSettings {
  @Field(() => [RubricCriterion], { description: 'The rubric new items get (REVIEW_RUBRIC)' }) rubric!: RubricCriterion[];
  @Field(() => Int, { description: 'Reviews each item needs by default (REVIEWS_PER_ITEM)' }) reviewsPerItem!: number;
  @Field(() => Float, { description: 'Items whose reviews agree less go to adjudication (REVIEW_MIN_AGREEMENT)' }) minAgreement!: number;
  @Field(() => Int, { description: 'How long a claim’s lease lasts, in seconds (REVIEW_LEASE_S)' }) leaseSeconds!: number;
  @Field(() => Float, { description: 'How often each api process sweeps the sources, in seconds; 0: only when an admin asks (REVIEW_COLLECT_INTERVAL_S)' }) collectIntervalSeconds!: number;
  @Field(() => [String], { description: 'Models asked for an extra candidate when an item has one reply (REVIEW_ARENA_MODELS); empty: another sample of the reply’s own model' }) arenaModels!: string[];
  @Field(() => [ReviewSourceSetting], { description: 'Every source of items, with its switch and share' }) sources!: ReviewSourceSetting[];
  @Field(() => ReviewCollection, { nullable: true, description: 'The last sweep this api process ran since it started (null before its first; other processes sweep too)' }) lastCollection!: ReviewCollection | null;
}
