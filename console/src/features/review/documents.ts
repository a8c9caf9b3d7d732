import { graphql } from '@/gql';

/** What labelling and adjudicating show of an item (never its reviews: a reviewer may not read them before theirs is in). */
export const ReviewItemFields = graphql(`
  fragment ReviewItemFields on ReviewItem {
    id
    kind
    source
    status
    ownerPseudonym
    requiredReviews
    reviewCount
    createdAt
    prompt {
      role
      content
    }
    candidates {
      id
      label
      content
      model
    }
    rubric {
      id
      label
      min
      max
    }
  }
`);

export const ReviewFields = graphql(`
  fragment ReviewFields on Review {
    id
    kind
    reviewerPseudonym
    adjudication
    choice
    strength
    ranking
    candidateId
    scores {
      criterion
      score
    }
    text
    tags
    comment
    createdAt
  }
`);

export const ReviewQueueQuery = graphql(`
  query ReviewQueue {
    reviewQueue {
      open
      pending
      claimed
      adjudication
      done
    }
  }
`);

export const MyReviewClaimsQuery = graphql(`
  query ReviewMyClaims {
    myReviewClaims {
      id
      claimedAt
      expiresAt
      item {
        id
        kind
      }
    }
  }
`);

export const ClaimReviewItemMutation = graphql(`
  mutation ReviewClaimNext($kind: ReviewKind) {
    claimReviewItem(kind: $kind) {
      id
      status
      expiresAt
      item {
        ...ReviewItemFields
      }
    }
  }
`);

/** Reopening a labelling page: the item, and whether the caller still holds a lease on it. */
export const LabelItemQuery = graphql(`
  query ReviewLabelItem($id: ID!) {
    myReviewClaims {
      id
      status
      expiresAt
      item {
        id
      }
    }
    reviewItem(id: $id) {
      ...ReviewItemFields
    }
  }
`);

/**
 * Submits and claims the next item of the kind in one round trip (a mutation's fields run one
 * after the other; a failed submit stops the claim). While a RUBRIC item still has candidates to
 * score, the claim returns the lease the reviewer already holds: the same item.
 */
export const SubmitAndNextMutation = graphql(`
  mutation ReviewSubmitAndNext($itemId: ID!, $input: ReviewInput!, $kind: ReviewKind!) {
    submitReview(itemId: $itemId, input: $input) {
      id
      status
      expiresAt
    }
    next: claimReviewItem(kind: $kind) {
      id
      status
      expiresAt
      item {
        ...ReviewItemFields
      }
    }
  }
`);

export const ReleaseClaimMutation = graphql(`
  mutation ReviewRelease($itemId: ID!) {
    releaseReviewClaim(itemId: $itemId) {
      id
      status
    }
  }
`);

/** An item's outcome, read only once the caller's own review of it is in. */
export const ReviewOutcomeQuery = graphql(`
  query ReviewOutcome($id: ID!) {
    reviewItem(id: $id) {
      id
      status
      agreement
      reviewCount
      requiredReviews
      reviews {
        ...ReviewFields
      }
    }
  }
`);

export const AdjudicationListQuery = graphql(`
  query ReviewAdjudicationList($after: String) {
    reviewItems(status: ADJUDICATION, first: 50, after: $after) {
      nodes {
        id
        kind
        source
        createdAt
        agreement
        reviewCount
      }
      hasNextPage
      endCursor
    }
  }
`);

export const AdjudicationItemQuery = graphql(`
  query ReviewAdjudicationItem($id: ID!) {
    reviewItem(id: $id) {
      ...ReviewItemFields
      agreement
      reviews {
        ...ReviewFields
      }
    }
  }
`);

export const AdjudicateMutation = graphql(`
  mutation ReviewAdjudicate($itemId: ID!, $input: ReviewInput!) {
    adjudicateReviewItem(itemId: $itemId, input: $input) {
      id
      status
      agreement
    }
  }
`);

export const ReviewAgreementQuery = graphql(`
  query ReviewAgreement($filter: ReviewItemFilter) {
    reviewAgreement(filter: $filter) {
      items
      reviews
      choiceAlpha
      scoreAlpha
      kappa {
        reviewerA
        reviewerB
        kappa
        items
      }
      reviewers {
        reviewer
        reviews
        pairs
        meanKappa
        alphaWithout
      }
    }
  }
`);

export const ReviewSettingsQuery = graphql(`
  query ReviewSettings {
    reviewSettings {
      reviewsPerItem
      minAgreement
      leaseSeconds
      collectIntervalSeconds
      arenaModels
      rubric {
        id
        label
        min
        max
      }
      sources {
        source
        enabled
        collected
        share
        lowScore
      }
      lastCollection {
        trigger
        startedAt
        finishedAt
        error
        report {
          sample
          lowRating
          siblings
          safety
          generated
        }
      }
    }
  }
`);

export const CollectReviewItemsDoc = graphql(`
  mutation CollectReviewItems {
    collectReviewItems {
      sample
      lowRating
      siblings
      safety
      generated
    }
  }
`);
