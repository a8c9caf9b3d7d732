/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ChatMessage on Message {\n    id\n    parentId\n    role\n    content\n    status\n    model\n    finishReason\n    errorCode\n    errorMessage\n    createdAt\n    safety\n    myRating {\n      id\n      thumb\n      score\n      tags\n      comment\n    }\n  }\n": typeof types.ChatMessageFragmentDoc,
    "\n  query ChatConversations($after: String) {\n    conversations(first: 50, after: $after) {\n      edges {\n        node {\n          id\n          title\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ChatConversationsDocument,
    "\n  query ChatConversation($id: ID!) {\n    conversation(id: $id) {\n      id\n      title\n      lockedAt\n      messages {\n        ...ChatMessage\n      }\n    }\n  }\n": typeof types.ChatConversationDocument,
    "\n  query ChatModels {\n    models {\n      id\n    }\n  }\n": typeof types.ChatModelsDocument,
    "\n  mutation ChatSend($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      conversation {\n        id\n        title\n      }\n      userMessage {\n        ...ChatMessage\n      }\n      assistantMessage {\n        ...ChatMessage\n      }\n    }\n  }\n": typeof types.ChatSendDocument,
    "\n  mutation ChatRegenerate($messageId: ID!, $input: RegenerateInput) {\n    regenerate(messageId: $messageId, input: $input) {\n      ...ChatMessage\n    }\n  }\n": typeof types.ChatRegenerateDocument,
    "\n  mutation ChatContinue($messageId: ID!, $input: RegenerateInput) {\n    continueGeneration(messageId: $messageId, input: $input) {\n      ...ChatMessage\n    }\n  }\n": typeof types.ChatContinueDocument,
    "\n  mutation ChatEditAndResend($messageId: ID!, $content: String!, $model: String) {\n    editAndResend(messageId: $messageId, content: $content, model: $model) {\n      userMessage {\n        ...ChatMessage\n      }\n      assistantMessage {\n        ...ChatMessage\n      }\n    }\n  }\n": typeof types.ChatEditAndResendDocument,
    "\n  mutation ChatCancel($messageId: ID!) {\n    cancelGeneration(messageId: $messageId) {\n      ...ChatMessage\n    }\n  }\n": typeof types.ChatCancelDocument,
    "\n  mutation ChatRate($messageId: ID!, $input: RateMessageInput!) {\n    rateMessage(messageId: $messageId, input: $input) {\n      id\n      thumb\n      score\n      tags\n      comment\n    }\n  }\n": typeof types.ChatRateDocument,
    "\n  mutation ChatRename($id: ID!, $title: String!) {\n    renameConversation(id: $id, title: $title) {\n      id\n      title\n    }\n  }\n": typeof types.ChatRenameDocument,
    "\n  mutation ChatDelete($id: ID!) {\n    deleteConversation(id: $id)\n  }\n": typeof types.ChatDeleteDocument,
    "\n  subscription ChatStream($messageId: ID!, $fromSeq: Int) {\n    messageStream(messageId: $messageId, fromSeq: $fromSeq) {\n      seq\n      delta\n      done\n      queuePosition\n      estimatedWaitMs\n      status\n      finishReason\n      error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ChatStreamDocument,
    "\n  fragment ReviewItemFields on ReviewItem {\n    id\n    kind\n    source\n    status\n    ownerPseudonym\n    requiredReviews\n    reviewCount\n    createdAt\n    prompt {\n      role\n      content\n    }\n    candidates {\n      id\n      label\n      content\n      model\n    }\n    rubric {\n      id\n      label\n      min\n      max\n    }\n  }\n": typeof types.ReviewItemFieldsFragmentDoc,
    "\n  fragment ReviewFields on Review {\n    id\n    kind\n    reviewerPseudonym\n    adjudication\n    choice\n    strength\n    ranking\n    candidateId\n    scores {\n      criterion\n      score\n    }\n    text\n    tags\n    comment\n    createdAt\n  }\n": typeof types.ReviewFieldsFragmentDoc,
    "\n  query ReviewQueue {\n    reviewQueue {\n      open\n      pending\n      claimed\n      adjudication\n      done\n    }\n  }\n": typeof types.ReviewQueueDocument,
    "\n  query ReviewMyClaims {\n    myReviewClaims {\n      id\n      claimedAt\n      expiresAt\n      item {\n        id\n        kind\n      }\n    }\n  }\n": typeof types.ReviewMyClaimsDocument,
    "\n  mutation ReviewClaimNext($kind: ReviewKind) {\n    claimReviewItem(kind: $kind) {\n      id\n      status\n      expiresAt\n      item {\n        ...ReviewItemFields\n      }\n    }\n  }\n": typeof types.ReviewClaimNextDocument,
    "\n  query ReviewLabelItem($id: ID!) {\n    myReviewClaims {\n      id\n      status\n      expiresAt\n      item {\n        id\n      }\n    }\n    reviewItem(id: $id) {\n      ...ReviewItemFields\n    }\n  }\n": typeof types.ReviewLabelItemDocument,
    "\n  mutation ReviewSubmitAndNext($itemId: ID!, $input: ReviewInput!, $kind: ReviewKind!) {\n    submitReview(itemId: $itemId, input: $input) {\n      id\n      status\n      expiresAt\n    }\n    next: claimReviewItem(kind: $kind) {\n      id\n      status\n      expiresAt\n      item {\n        ...ReviewItemFields\n      }\n    }\n  }\n": typeof types.ReviewSubmitAndNextDocument,
    "\n  mutation ReviewRelease($itemId: ID!) {\n    releaseReviewClaim(itemId: $itemId) {\n      id\n      status\n    }\n  }\n": typeof types.ReviewReleaseDocument,
    "\n  query ReviewOutcome($id: ID!) {\n    reviewItem(id: $id) {\n      id\n      status\n      agreement\n      reviewCount\n      requiredReviews\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n": typeof types.ReviewOutcomeDocument,
    "\n  query ReviewAdjudicationList($after: String) {\n    reviewItems(status: ADJUDICATION, first: 50, after: $after) {\n      nodes {\n        id\n        kind\n        source\n        createdAt\n        agreement\n        reviewCount\n      }\n      hasNextPage\n      endCursor\n    }\n  }\n": typeof types.ReviewAdjudicationListDocument,
    "\n  query ReviewAdjudicationItem($id: ID!) {\n    reviewItem(id: $id) {\n      ...ReviewItemFields\n      agreement\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n": typeof types.ReviewAdjudicationItemDocument,
    "\n  mutation ReviewAdjudicate($itemId: ID!, $input: ReviewInput!) {\n    adjudicateReviewItem(itemId: $itemId, input: $input) {\n      id\n      status\n      agreement\n    }\n  }\n": typeof types.ReviewAdjudicateDocument,
    "\n  query ReviewAgreement($filter: ReviewItemFilter) {\n    reviewAgreement(filter: $filter) {\n      items\n      reviews\n      choiceAlpha\n      scoreAlpha\n      kappa {\n        reviewerA\n        reviewerB\n        kappa\n        items\n      }\n      reviewers {\n        reviewer\n        reviews\n        pairs\n        meanKappa\n        alphaWithout\n      }\n    }\n  }\n": typeof types.ReviewAgreementDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n": typeof types.SessionFieldsFragmentDoc,
    "\n  mutation ConsoleLogin($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionFields\n    }\n  }\n": typeof types.ConsoleLoginDocument,
    "\n  mutation ConsoleRefresh($token: String!) {\n    refreshToken(token: $token) {\n      ...SessionFields\n    }\n  }\n": typeof types.ConsoleRefreshDocument,
    "\n  mutation ConsoleLogout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.ConsoleLogoutDocument,
};
const documents: Documents = {
    "\n  fragment ChatMessage on Message {\n    id\n    parentId\n    role\n    content\n    status\n    model\n    finishReason\n    errorCode\n    errorMessage\n    createdAt\n    safety\n    myRating {\n      id\n      thumb\n      score\n      tags\n      comment\n    }\n  }\n": types.ChatMessageFragmentDoc,
    "\n  query ChatConversations($after: String) {\n    conversations(first: 50, after: $after) {\n      edges {\n        node {\n          id\n          title\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ChatConversationsDocument,
    "\n  query ChatConversation($id: ID!) {\n    conversation(id: $id) {\n      id\n      title\n      lockedAt\n      messages {\n        ...ChatMessage\n      }\n    }\n  }\n": types.ChatConversationDocument,
    "\n  query ChatModels {\n    models {\n      id\n    }\n  }\n": types.ChatModelsDocument,
    "\n  mutation ChatSend($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      conversation {\n        id\n        title\n      }\n      userMessage {\n        ...ChatMessage\n      }\n      assistantMessage {\n        ...ChatMessage\n      }\n    }\n  }\n": types.ChatSendDocument,
    "\n  mutation ChatRegenerate($messageId: ID!, $input: RegenerateInput) {\n    regenerate(messageId: $messageId, input: $input) {\n      ...ChatMessage\n    }\n  }\n": types.ChatRegenerateDocument,
    "\n  mutation ChatContinue($messageId: ID!, $input: RegenerateInput) {\n    continueGeneration(messageId: $messageId, input: $input) {\n      ...ChatMessage\n    }\n  }\n": types.ChatContinueDocument,
    "\n  mutation ChatEditAndResend($messageId: ID!, $content: String!, $model: String) {\n    editAndResend(messageId: $messageId, content: $content, model: $model) {\n      userMessage {\n        ...ChatMessage\n      }\n      assistantMessage {\n        ...ChatMessage\n      }\n    }\n  }\n": types.ChatEditAndResendDocument,
    "\n  mutation ChatCancel($messageId: ID!) {\n    cancelGeneration(messageId: $messageId) {\n      ...ChatMessage\n    }\n  }\n": types.ChatCancelDocument,
    "\n  mutation ChatRate($messageId: ID!, $input: RateMessageInput!) {\n    rateMessage(messageId: $messageId, input: $input) {\n      id\n      thumb\n      score\n      tags\n      comment\n    }\n  }\n": types.ChatRateDocument,
    "\n  mutation ChatRename($id: ID!, $title: String!) {\n    renameConversation(id: $id, title: $title) {\n      id\n      title\n    }\n  }\n": types.ChatRenameDocument,
    "\n  mutation ChatDelete($id: ID!) {\n    deleteConversation(id: $id)\n  }\n": types.ChatDeleteDocument,
    "\n  subscription ChatStream($messageId: ID!, $fromSeq: Int) {\n    messageStream(messageId: $messageId, fromSeq: $fromSeq) {\n      seq\n      delta\n      done\n      queuePosition\n      estimatedWaitMs\n      status\n      finishReason\n      error {\n        code\n        message\n      }\n    }\n  }\n": types.ChatStreamDocument,
    "\n  fragment ReviewItemFields on ReviewItem {\n    id\n    kind\n    source\n    status\n    ownerPseudonym\n    requiredReviews\n    reviewCount\n    createdAt\n    prompt {\n      role\n      content\n    }\n    candidates {\n      id\n      label\n      content\n      model\n    }\n    rubric {\n      id\n      label\n      min\n      max\n    }\n  }\n": types.ReviewItemFieldsFragmentDoc,
    "\n  fragment ReviewFields on Review {\n    id\n    kind\n    reviewerPseudonym\n    adjudication\n    choice\n    strength\n    ranking\n    candidateId\n    scores {\n      criterion\n      score\n    }\n    text\n    tags\n    comment\n    createdAt\n  }\n": types.ReviewFieldsFragmentDoc,
    "\n  query ReviewQueue {\n    reviewQueue {\n      open\n      pending\n      claimed\n      adjudication\n      done\n    }\n  }\n": types.ReviewQueueDocument,
    "\n  query ReviewMyClaims {\n    myReviewClaims {\n      id\n      claimedAt\n      expiresAt\n      item {\n        id\n        kind\n      }\n    }\n  }\n": types.ReviewMyClaimsDocument,
    "\n  mutation ReviewClaimNext($kind: ReviewKind) {\n    claimReviewItem(kind: $kind) {\n      id\n      status\n      expiresAt\n      item {\n        ...ReviewItemFields\n      }\n    }\n  }\n": types.ReviewClaimNextDocument,
    "\n  query ReviewLabelItem($id: ID!) {\n    myReviewClaims {\n      id\n      status\n      expiresAt\n      item {\n        id\n      }\n    }\n    reviewItem(id: $id) {\n      ...ReviewItemFields\n    }\n  }\n": types.ReviewLabelItemDocument,
    "\n  mutation ReviewSubmitAndNext($itemId: ID!, $input: ReviewInput!, $kind: ReviewKind!) {\n    submitReview(itemId: $itemId, input: $input) {\n      id\n      status\n      expiresAt\n    }\n    next: claimReviewItem(kind: $kind) {\n      id\n      status\n      expiresAt\n      item {\n        ...ReviewItemFields\n      }\n    }\n  }\n": types.ReviewSubmitAndNextDocument,
    "\n  mutation ReviewRelease($itemId: ID!) {\n    releaseReviewClaim(itemId: $itemId) {\n      id\n      status\n    }\n  }\n": types.ReviewReleaseDocument,
    "\n  query ReviewOutcome($id: ID!) {\n    reviewItem(id: $id) {\n      id\n      status\n      agreement\n      reviewCount\n      requiredReviews\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n": types.ReviewOutcomeDocument,
    "\n  query ReviewAdjudicationList($after: String) {\n    reviewItems(status: ADJUDICATION, first: 50, after: $after) {\n      nodes {\n        id\n        kind\n        source\n        createdAt\n        agreement\n        reviewCount\n      }\n      hasNextPage\n      endCursor\n    }\n  }\n": types.ReviewAdjudicationListDocument,
    "\n  query ReviewAdjudicationItem($id: ID!) {\n    reviewItem(id: $id) {\n      ...ReviewItemFields\n      agreement\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n": types.ReviewAdjudicationItemDocument,
    "\n  mutation ReviewAdjudicate($itemId: ID!, $input: ReviewInput!) {\n    adjudicateReviewItem(itemId: $itemId, input: $input) {\n      id\n      status\n      agreement\n    }\n  }\n": types.ReviewAdjudicateDocument,
    "\n  query ReviewAgreement($filter: ReviewItemFilter) {\n    reviewAgreement(filter: $filter) {\n      items\n      reviews\n      choiceAlpha\n      scoreAlpha\n      kappa {\n        reviewerA\n        reviewerB\n        kappa\n        items\n      }\n      reviewers {\n        reviewer\n        reviews\n        pairs\n        meanKappa\n        alphaWithout\n      }\n    }\n  }\n": types.ReviewAgreementDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n": types.SessionFieldsFragmentDoc,
    "\n  mutation ConsoleLogin($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionFields\n    }\n  }\n": types.ConsoleLoginDocument,
    "\n  mutation ConsoleRefresh($token: String!) {\n    refreshToken(token: $token) {\n      ...SessionFields\n    }\n  }\n": types.ConsoleRefreshDocument,
    "\n  mutation ConsoleLogout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.ConsoleLogoutDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ChatMessage on Message {\n    id\n    parentId\n    role\n    content\n    status\n    model\n    finishReason\n    errorCode\n    errorMessage\n    createdAt\n    safety\n    myRating {\n      id\n      thumb\n      score\n      tags\n      comment\n    }\n  }\n"): typeof import('./graphql').ChatMessageFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChatConversations($after: String) {\n    conversations(first: 50, after: $after) {\n      edges {\n        node {\n          id\n          title\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ChatConversationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChatConversation($id: ID!) {\n    conversation(id: $id) {\n      id\n      title\n      lockedAt\n      messages {\n        ...ChatMessage\n      }\n    }\n  }\n"): typeof import('./graphql').ChatConversationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChatModels {\n    models {\n      id\n    }\n  }\n"): typeof import('./graphql').ChatModelsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatSend($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      conversation {\n        id\n        title\n      }\n      userMessage {\n        ...ChatMessage\n      }\n      assistantMessage {\n        ...ChatMessage\n      }\n    }\n  }\n"): typeof import('./graphql').ChatSendDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatRegenerate($messageId: ID!, $input: RegenerateInput) {\n    regenerate(messageId: $messageId, input: $input) {\n      ...ChatMessage\n    }\n  }\n"): typeof import('./graphql').ChatRegenerateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatContinue($messageId: ID!, $input: RegenerateInput) {\n    continueGeneration(messageId: $messageId, input: $input) {\n      ...ChatMessage\n    }\n  }\n"): typeof import('./graphql').ChatContinueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatEditAndResend($messageId: ID!, $content: String!, $model: String) {\n    editAndResend(messageId: $messageId, content: $content, model: $model) {\n      userMessage {\n        ...ChatMessage\n      }\n      assistantMessage {\n        ...ChatMessage\n      }\n    }\n  }\n"): typeof import('./graphql').ChatEditAndResendDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatCancel($messageId: ID!) {\n    cancelGeneration(messageId: $messageId) {\n      ...ChatMessage\n    }\n  }\n"): typeof import('./graphql').ChatCancelDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatRate($messageId: ID!, $input: RateMessageInput!) {\n    rateMessage(messageId: $messageId, input: $input) {\n      id\n      thumb\n      score\n      tags\n      comment\n    }\n  }\n"): typeof import('./graphql').ChatRateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatRename($id: ID!, $title: String!) {\n    renameConversation(id: $id, title: $title) {\n      id\n      title\n    }\n  }\n"): typeof import('./graphql').ChatRenameDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatDelete($id: ID!) {\n    deleteConversation(id: $id)\n  }\n"): typeof import('./graphql').ChatDeleteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ChatStream($messageId: ID!, $fromSeq: Int) {\n    messageStream(messageId: $messageId, fromSeq: $fromSeq) {\n      seq\n      delta\n      done\n      queuePosition\n      estimatedWaitMs\n      status\n      finishReason\n      error {\n        code\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').ChatStreamDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReviewItemFields on ReviewItem {\n    id\n    kind\n    source\n    status\n    ownerPseudonym\n    requiredReviews\n    reviewCount\n    createdAt\n    prompt {\n      role\n      content\n    }\n    candidates {\n      id\n      label\n      content\n      model\n    }\n    rubric {\n      id\n      label\n      min\n      max\n    }\n  }\n"): typeof import('./graphql').ReviewItemFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReviewFields on Review {\n    id\n    kind\n    reviewerPseudonym\n    adjudication\n    choice\n    strength\n    ranking\n    candidateId\n    scores {\n      criterion\n      score\n    }\n    text\n    tags\n    comment\n    createdAt\n  }\n"): typeof import('./graphql').ReviewFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewQueue {\n    reviewQueue {\n      open\n      pending\n      claimed\n      adjudication\n      done\n    }\n  }\n"): typeof import('./graphql').ReviewQueueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewMyClaims {\n    myReviewClaims {\n      id\n      claimedAt\n      expiresAt\n      item {\n        id\n        kind\n      }\n    }\n  }\n"): typeof import('./graphql').ReviewMyClaimsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReviewClaimNext($kind: ReviewKind) {\n    claimReviewItem(kind: $kind) {\n      id\n      status\n      expiresAt\n      item {\n        ...ReviewItemFields\n      }\n    }\n  }\n"): typeof import('./graphql').ReviewClaimNextDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewLabelItem($id: ID!) {\n    myReviewClaims {\n      id\n      status\n      expiresAt\n      item {\n        id\n      }\n    }\n    reviewItem(id: $id) {\n      ...ReviewItemFields\n    }\n  }\n"): typeof import('./graphql').ReviewLabelItemDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReviewSubmitAndNext($itemId: ID!, $input: ReviewInput!, $kind: ReviewKind!) {\n    submitReview(itemId: $itemId, input: $input) {\n      id\n      status\n      expiresAt\n    }\n    next: claimReviewItem(kind: $kind) {\n      id\n      status\n      expiresAt\n      item {\n        ...ReviewItemFields\n      }\n    }\n  }\n"): typeof import('./graphql').ReviewSubmitAndNextDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReviewRelease($itemId: ID!) {\n    releaseReviewClaim(itemId: $itemId) {\n      id\n      status\n    }\n  }\n"): typeof import('./graphql').ReviewReleaseDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewOutcome($id: ID!) {\n    reviewItem(id: $id) {\n      id\n      status\n      agreement\n      reviewCount\n      requiredReviews\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n"): typeof import('./graphql').ReviewOutcomeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewAdjudicationList($after: String) {\n    reviewItems(status: ADJUDICATION, first: 50, after: $after) {\n      nodes {\n        id\n        kind\n        source\n        createdAt\n        agreement\n        reviewCount\n      }\n      hasNextPage\n      endCursor\n    }\n  }\n"): typeof import('./graphql').ReviewAdjudicationListDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewAdjudicationItem($id: ID!) {\n    reviewItem(id: $id) {\n      ...ReviewItemFields\n      agreement\n      reviews {\n        ...ReviewFields\n      }\n    }\n  }\n"): typeof import('./graphql').ReviewAdjudicationItemDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReviewAdjudicate($itemId: ID!, $input: ReviewInput!) {\n    adjudicateReviewItem(itemId: $itemId, input: $input) {\n      id\n      status\n      agreement\n    }\n  }\n"): typeof import('./graphql').ReviewAdjudicateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewAgreement($filter: ReviewItemFilter) {\n    reviewAgreement(filter: $filter) {\n      items\n      reviews\n      choiceAlpha\n      scoreAlpha\n      kappa {\n        reviewerA\n        reviewerB\n        kappa\n        items\n      }\n      reviewers {\n        reviewer\n        reviews\n        pairs\n        meanKappa\n        alphaWithout\n      }\n    }\n  }\n"): typeof import('./graphql').ReviewAgreementDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n"): typeof import('./graphql').SessionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogin($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionFields\n    }\n  }\n"): typeof import('./graphql').ConsoleLoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRefresh($token: String!) {\n    refreshToken(token: $token) {\n      ...SessionFields\n    }\n  }\n"): typeof import('./graphql').ConsoleRefreshDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleLogout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"): typeof import('./graphql').ConsoleLogoutDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
