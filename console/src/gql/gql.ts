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
    "\n  fragment AuditRowFields on AuditEntry {\n    seq\n    at\n    action\n    outcome\n    actor {\n      kind\n      pseudonym\n      role\n      apiKeyId\n    }\n    subject {\n      type\n      id\n      owner\n    }\n  }\n": typeof types.AuditRowFieldsFragmentDoc,
    "\n  query AuditEntries($filter: AuditFilterInput, $first: Int, $after: String) {\n    auditEntries(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...AuditRowFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AuditEntriesDocument,
    "\n  fragment AuditCheckpointFields on AuditCheckpoint {\n    seq\n    hash\n    at\n    keyId\n    signature\n    signatureValid\n  }\n": typeof types.AuditCheckpointFieldsFragmentDoc,
    "\n  query AuditEntry($seq: SafeInt!) {\n    auditEntry(seq: $seq) {\n      entry {\n        ...AuditRowFields\n        requestId\n        clientIp\n        userAgent\n        before\n        after\n        prevHash\n        hash\n      }\n      checkpoint {\n        ...AuditCheckpointFields\n      }\n    }\n  }\n": typeof types.AuditEntryDocument,
    "\n  query AuditStats($filter: AuditFilterInput) {\n    auditStats(filter: $filter) {\n      perDay {\n        day\n        outcome\n        count\n      }\n      denialsByAction {\n        action\n        count\n      }\n    }\n  }\n": typeof types.AuditStatsDocument,
    "\n  query VerifyAuditChain($from: SafeInt, $to: SafeInt) {\n    verifyAuditChain(from: $from, to: $to) {\n      valid\n      checked\n      firstSeq\n      lastSeq\n      checkpointsVerified\n      lastCheckpointSeq\n      broken {\n        seq\n        reason\n        detail\n      }\n      ms\n    }\n  }\n": typeof types.VerifyAuditChainDocument,
    "\n  query AuditCheckpoints($first: Int) {\n    auditCheckpoints(first: $first) {\n      ...AuditCheckpointFields\n    }\n    auditPublicKey {\n      keyId\n      pem\n    }\n  }\n": typeof types.AuditCheckpointsDocument,
    "\n  mutation ExportAudit($format: AuditExportFormat!, $filter: AuditFilterInput) {\n    exportAudit(format: $format, filter: $filter) {\n      downloadPath\n      expiresAt\n      format\n      fromSeq\n      toSeq\n      checkpoint {\n        seq\n      }\n    }\n  }\n": typeof types.ExportAuditDocument,
    "\n  mutation CreateAuditCheckpoint {\n    createAuditCheckpoint {\n      ...AuditCheckpointFields\n    }\n  }\n": typeof types.CreateAuditCheckpointDocument,
    "\n  fragment ChatMessage on Message {\n    id\n    parentId\n    role\n    content\n    status\n    model\n    finishReason\n    errorCode\n    errorMessage\n    createdAt\n    safety\n    myRating {\n      id\n      thumb\n      score\n      tags\n      comment\n    }\n  }\n": typeof types.ChatMessageFragmentDoc,
    "\n  query ChatConversations($after: String, $search: String) {\n    conversations(first: 50, after: $after, search: $search) {\n      edges {\n        node {\n          id\n          title\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ChatConversationsDocument,
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
    "\n  fragment DatasetRowFields on DatasetVersion {\n    id\n    number\n    name\n    status\n    progress\n    counts\n    createdAt\n    completedAt\n    createdBy\n  }\n": typeof types.DatasetRowFieldsFragmentDoc,
    "\n  query DatasetVersions($first: Int!) {\n    datasetVersions(first: $first) {\n      ...DatasetRowFields\n    }\n  }\n": typeof types.DatasetVersionsDocument,
    "\n  query DatasetVersion($id: ID!) {\n    datasetVersion(id: $id) {\n      ...DatasetRowFields\n      error\n      filters\n      testShare\n      sha256\n      files {\n        path\n        records\n        bytes\n        sha256\n      }\n      card\n    }\n  }\n": typeof types.DatasetVersionDocument,
    "\n  mutation CreateDatasetVersion($input: CreateDatasetVersionInput) {\n    createDatasetVersion(input: $input) {\n      ...DatasetRowFields\n    }\n  }\n": typeof types.CreateDatasetVersionDocument,
    "\n  mutation DatasetDownload($id: ID!, $path: String!) {\n    datasetDownload(id: $id, path: $path) {\n      url\n      expiresAt\n    }\n  }\n": typeof types.DatasetDownloadDocument,
    "\n  fragment ModelVersionFields on ModelVersion {\n    id\n    name\n    status\n    canaryShare\n    parentId\n    previousActiveId\n    datasetVersionId\n    trainingRunId\n    createdAt\n    activatedAt\n    createdBy\n    sha256\n  }\n": typeof types.ModelVersionFieldsFragmentDoc,
    "\n  query ModelVersions {\n    modelVersions(first: 100) {\n      ...ModelVersionFields\n    }\n  }\n": typeof types.ModelVersionsDocument,
    "\n  query ModelVersionDetail($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      metrics\n      files {\n        path\n        bytes\n        sha256\n      }\n    }\n  }\n": typeof types.ModelVersionDetailDocument,
    "\n  query ModelComparison($baselineId: ID, $challengerId: ID) {\n    modelComparison(baselineId: $baselineId, challengerId: $challengerId) {\n      baseline {\n        id\n        name\n      }\n      challenger {\n        id\n        name\n      }\n      n\n      items\n      wins\n      losses\n      ties\n      winRate\n      low\n      high\n      confidence\n    }\n  }\n": typeof types.ModelComparisonDocument,
    "\n  mutation ActivateModelVersion($id: ID!) {\n    activateModelVersion(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.ActivateModelVersionDocument,
    "\n  mutation SetCanaryModelVersion($id: ID!, $share: Float!) {\n    setCanaryModelVersion(id: $id, share: $share) {\n      id\n      status\n      canaryShare\n    }\n  }\n": typeof types.SetCanaryModelVersionDocument,
    "\n  mutation RollbackModelVersion {\n    rollbackModelVersion {\n      id\n      status\n    }\n  }\n": typeof types.RollbackModelVersionDocument,
    "\n  mutation CreateArenaItems($input: CreateArenaItemsInput) {\n    createArenaItems(input: $input) {\n      baseline\n      challenger\n      created\n    }\n  }\n": typeof types.CreateArenaItemsDocument,
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
    "\n  query ReviewSettings {\n    reviewSettings {\n      reviewsPerItem\n      minAgreement\n      leaseSeconds\n      collectIntervalSeconds\n      arenaModels\n      rubric {\n        id\n        label\n        min\n        max\n      }\n      sources {\n        source\n        enabled\n        collected\n        share\n        lowScore\n      }\n      lastCollection {\n        trigger\n        startedAt\n        finishedAt\n        error\n        report {\n          sample\n          lowRating\n          siblings\n          safety\n          generated\n        }\n      }\n    }\n  }\n": typeof types.ReviewSettingsDocument,
    "\n  mutation CollectReviewItems {\n    collectReviewItems {\n      sample\n      lowRating\n      siblings\n      safety\n      generated\n    }\n  }\n": typeof types.CollectReviewItemsDocument,
    "\n  fragment SafetyTermFields on SafetyTerm {\n    id\n    term\n    level\n    category\n    language\n    wholeWord\n    enabled\n    version\n    updatedAt\n  }\n": typeof types.SafetyTermFieldsFragmentDoc,
    "\n  query SafetyTerms($first: Int!, $offset: Int!, $search: String, $level: SafetyLevel, $category: String) {\n    safetyTerms(first: $first, offset: $offset, search: $search, level: $level, category: $category) {\n      ...SafetyTermFields\n    }\n    safetyStatus {\n      enabled\n      version\n      latestVersion\n    }\n  }\n": typeof types.SafetyTermsDocument,
    "\n  mutation SafetyCreateTerm($input: CreateSafetyTermInput!) {\n    createSafetyTerm(input: $input) {\n      ...SafetyTermFields\n    }\n  }\n": typeof types.SafetyCreateTermDocument,
    "\n  mutation SafetyUpdateTerm($id: ID!, $input: UpdateSafetyTermInput!) {\n    updateSafetyTerm(id: $id, input: $input) {\n      ...SafetyTermFields\n    }\n  }\n": typeof types.SafetyUpdateTermDocument,
    "\n  mutation SafetyDeleteTerm($id: ID!) {\n    deleteSafetyTerm(id: $id)\n  }\n": typeof types.SafetyDeleteTermDocument,
    "\n  mutation SafetyImportTerms($csv: String!) {\n    importSafetyTerms(csv: $csv) {\n      rows\n      created\n      updated\n      unchanged\n      duplicates\n      version\n    }\n  }\n": typeof types.SafetyImportTermsDocument,
    "\n  fragment RewriteRuleFields on RewriteRule {\n    id\n    pattern\n    replacement\n    regex\n    caseSensitive\n    description\n    enabled\n    version\n  }\n": typeof types.RewriteRuleFieldsFragmentDoc,
    "\n  query SafetyRewriteRules {\n    rewriteRules {\n      ...RewriteRuleFields\n    }\n  }\n": typeof types.SafetyRewriteRulesDocument,
    "\n  mutation SafetyCreateRule($input: CreateRewriteRuleInput!) {\n    createRewriteRule(input: $input) {\n      ...RewriteRuleFields\n    }\n  }\n": typeof types.SafetyCreateRuleDocument,
    "\n  mutation SafetyUpdateRule($id: ID!, $input: UpdateRewriteRuleInput!) {\n    updateRewriteRule(id: $id, input: $input) {\n      ...RewriteRuleFields\n    }\n  }\n": typeof types.SafetyUpdateRuleDocument,
    "\n  mutation SafetyDeleteRule($id: ID!) {\n    deleteRewriteRule(id: $id)\n  }\n": typeof types.SafetyDeleteRuleDocument,
    "\n  query SafetyEscalations($open: Boolean) {\n    safetyEscalations(open: $open, first: 100) {\n      id\n      at\n      step\n      scope\n      count\n      windowSeconds\n      conversationId\n      personPseudonym\n      resolution\n      resolvedAt\n      resolvedBy\n    }\n  }\n": typeof types.SafetyEscalationsDocument,
    "\n  mutation SafetyResolveEscalation($id: ID!, $resolution: String!) {\n    resolveSafetyEscalation(id: $id, resolution: $resolution) {\n      id\n      resolvedAt\n    }\n  }\n": typeof types.SafetyResolveEscalationDocument,
    "\n  mutation SafetyUnlockConversation($id: ID!) {\n    unlockConversation(id: $id) {\n      id\n    }\n  }\n": typeof types.SafetyUnlockConversationDocument,
    "\n  query SafetyPreview($text: String!, $direction: SafetyDirection!) {\n    safetyPreview(text: $text, direction: $direction) {\n      enabled\n      version\n      outcome\n      level\n      text\n      scannedText\n      matches {\n        termId\n        term\n        termNormalized\n        category\n        level\n        action\n        matched\n        normalized\n        start\n        end\n        wholeWord\n        afterMasking\n      }\n      rewrites {\n        ruleId\n        pattern\n        replacement\n        regex\n        applications\n      }\n    }\n  }\n": typeof types.SafetyPreviewDocument,
    "\n  query SafetyStats($from: DateTimeISO, $to: DateTimeISO) {\n    safetyStats(from: $from, to: $to) {\n      from\n      to\n      all {\n        block\n        mask\n        review\n        total\n      }\n      input {\n        total\n      }\n      output {\n        total\n      }\n      days {\n        day\n        all {\n          block\n          mask\n          review\n        }\n      }\n    }\n  }\n": typeof types.SafetyStatsDocument,
    "\n  query SystemInferenceServers {\n    inferenceServers {\n      url\n      reachable\n      ready\n      responseTimeMs\n      models\n      runningSequences\n      queuedSequences\n      tokensPerSecond\n      generatedTokensTotal\n      scrapedAt\n      error\n    }\n  }\n": typeof types.SystemInferenceServersDocument,
    "\n  fragment TrainingRunFields on TrainingRun {\n    id\n    number\n    method\n    status\n    step\n    totalSteps\n    loss\n    etaSeconds\n    attempt\n    error\n    createdAt\n    startedAt\n    finishedAt\n    createdBy\n    datasetVersionId\n    cancelRequestedAt\n    baseModelVersion {\n      id\n      name\n    }\n    modelVersion {\n      id\n      name\n    }\n  }\n": typeof types.TrainingRunFieldsFragmentDoc,
    "\n  query TrainingRuns($first: Int!) {\n    trainingRuns(first: $first) {\n      ...TrainingRunFields\n    }\n  }\n": typeof types.TrainingRunsDocument,
    "\n  query TrainingRun($id: ID!) {\n    trainingRun(id: $id) {\n      ...TrainingRunFields\n      hyperparameters\n      metrics\n      lossCurve(points: 500) {\n        step\n        loss\n      }\n    }\n  }\n": typeof types.TrainingRunDocument,
    "\n  query TrainingRunLog($id: ID!) {\n    trainingRunLog(id: $id, bytes: 16384) {\n      text\n      size\n    }\n  }\n": typeof types.TrainingRunLogDocument,
    "\n  subscription TrainingRunProgress($id: ID!) {\n    trainingRunProgress(id: $id) {\n      ...TrainingRunFields\n    }\n  }\n": typeof types.TrainingRunProgressDocument,
    "\n  query TrainingChoices {\n    datasetVersions(first: 50) {\n      id\n      number\n      name\n      status\n      files {\n        path\n      }\n    }\n    modelVersions(first: 50) {\n      id\n      name\n      status\n    }\n  }\n": typeof types.TrainingChoicesDocument,
    "\n  mutation StartTrainingRun($input: StartTrainingRunInput!) {\n    startTrainingRun(input: $input) {\n      ...TrainingRunFields\n    }\n  }\n": typeof types.StartTrainingRunDocument,
    "\n  mutation CancelTrainingRun($id: ID!) {\n    cancelTrainingRun(id: $id) {\n      ...TrainingRunFields\n    }\n  }\n": typeof types.CancelTrainingRunDocument,
    "\n  mutation ResumeTrainingRun($id: ID!) {\n    resumeTrainingRun(id: $id) {\n      ...TrainingRunFields\n    }\n  }\n": typeof types.ResumeTrainingRunDocument,
    "\n  fragment UserRowFields on User {\n    id\n    email\n    name\n    pseudonym\n    role\n    disabled\n    createdAt\n  }\n": typeof types.UserRowFieldsFragmentDoc,
    "\n  query AdminUsers($first: Int, $after: String, $search: String) {\n    users(first: $first, after: $after, search: $search) {\n      ...UserRowFields\n    }\n  }\n": typeof types.AdminUsersDocument,
    "\n  mutation AdminCreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...UserRowFields\n    }\n  }\n": typeof types.AdminCreateUserDocument,
    "\n  mutation AdminUpdateUser($id: ID!, $role: Role, $disabled: Boolean) {\n    updateUser(id: $id, role: $role, disabled: $disabled) {\n      ...UserRowFields\n    }\n  }\n": typeof types.AdminUpdateUserDocument,
    "\n  mutation AdminEraseUser($id: ID!) {\n    eraseUser(id: $id) {\n      pseudonym\n      conversations\n      messages\n      ratings\n      apiKeys\n    }\n  }\n": typeof types.AdminEraseUserDocument,
    "\n  query AdminApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      scopes\n      createdAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n": typeof types.AdminApiKeysDocument,
    "\n  mutation AdminCreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n": typeof types.AdminCreateApiKeyDocument,
    "\n  mutation AdminRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.AdminRevokeApiKeyDocument,
    "\n  query ConsoleServerMe {\n    me {\n      id\n      email\n      name\n      role\n    }\n  }\n": typeof types.ConsoleServerMeDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n": typeof types.SessionFieldsFragmentDoc,
    "\n  mutation ConsoleLogin($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionFields\n    }\n  }\n": typeof types.ConsoleLoginDocument,
    "\n  mutation ConsoleRefresh($token: String!) {\n    refreshToken(token: $token) {\n      ...SessionFields\n    }\n  }\n": typeof types.ConsoleRefreshDocument,
    "\n  mutation ConsoleLogout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.ConsoleLogoutDocument,
};
const documents: Documents = {
    "\n  fragment AuditRowFields on AuditEntry {\n    seq\n    at\n    action\n    outcome\n    actor {\n      kind\n      pseudonym\n      role\n      apiKeyId\n    }\n    subject {\n      type\n      id\n      owner\n    }\n  }\n": types.AuditRowFieldsFragmentDoc,
    "\n  query AuditEntries($filter: AuditFilterInput, $first: Int, $after: String) {\n    auditEntries(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...AuditRowFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AuditEntriesDocument,
    "\n  fragment AuditCheckpointFields on AuditCheckpoint {\n    seq\n    hash\n    at\n    keyId\n    signature\n    signatureValid\n  }\n": types.AuditCheckpointFieldsFragmentDoc,
    "\n  query AuditEntry($seq: SafeInt!) {\n    auditEntry(seq: $seq) {\n      entry {\n        ...AuditRowFields\n        requestId\n        clientIp\n        userAgent\n        before\n        after\n        prevHash\n        hash\n      }\n      checkpoint {\n        ...AuditCheckpointFields\n      }\n    }\n  }\n": types.AuditEntryDocument,
    "\n  query AuditStats($filter: AuditFilterInput) {\n    auditStats(filter: $filter) {\n      perDay {\n        day\n        outcome\n        count\n      }\n      denialsByAction {\n        action\n        count\n      }\n    }\n  }\n": types.AuditStatsDocument,
    "\n  query VerifyAuditChain($from: SafeInt, $to: SafeInt) {\n    verifyAuditChain(from: $from, to: $to) {\n      valid\n      checked\n      firstSeq\n      lastSeq\n      checkpointsVerified\n      lastCheckpointSeq\n      broken {\n        seq\n        reason\n        detail\n      }\n      ms\n    }\n  }\n": types.VerifyAuditChainDocument,
    "\n  query AuditCheckpoints($first: Int) {\n    auditCheckpoints(first: $first) {\n      ...AuditCheckpointFields\n    }\n    auditPublicKey {\n      keyId\n      pem\n    }\n  }\n": types.AuditCheckpointsDocument,
    "\n  mutation ExportAudit($format: AuditExportFormat!, $filter: AuditFilterInput) {\n    exportAudit(format: $format, filter: $filter) {\n      downloadPath\n      expiresAt\n      format\n      fromSeq\n      toSeq\n      checkpoint {\n        seq\n      }\n    }\n  }\n": types.ExportAuditDocument,
    "\n  mutation CreateAuditCheckpoint {\n    createAuditCheckpoint {\n      ...AuditCheckpointFields\n    }\n  }\n": types.CreateAuditCheckpointDocument,
    "\n  fragment ChatMessage on Message {\n    id\n    parentId\n    role\n    content\n    status\n    model\n    finishReason\n    errorCode\n    errorMessage\n    createdAt\n    safety\n    myRating {\n      id\n      thumb\n      score\n      tags\n      comment\n    }\n  }\n": types.ChatMessageFragmentDoc,
    "\n  query ChatConversations($after: String, $search: String) {\n    conversations(first: 50, after: $after, search: $search) {\n      edges {\n        node {\n          id\n          title\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ChatConversationsDocument,
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
    "\n  fragment DatasetRowFields on DatasetVersion {\n    id\n    number\n    name\n    status\n    progress\n    counts\n    createdAt\n    completedAt\n    createdBy\n  }\n": types.DatasetRowFieldsFragmentDoc,
    "\n  query DatasetVersions($first: Int!) {\n    datasetVersions(first: $first) {\n      ...DatasetRowFields\n    }\n  }\n": types.DatasetVersionsDocument,
    "\n  query DatasetVersion($id: ID!) {\n    datasetVersion(id: $id) {\n      ...DatasetRowFields\n      error\n      filters\n      testShare\n      sha256\n      files {\n        path\n        records\n        bytes\n        sha256\n      }\n      card\n    }\n  }\n": types.DatasetVersionDocument,
    "\n  mutation CreateDatasetVersion($input: CreateDatasetVersionInput) {\n    createDatasetVersion(input: $input) {\n      ...DatasetRowFields\n    }\n  }\n": types.CreateDatasetVersionDocument,
    "\n  mutation DatasetDownload($id: ID!, $path: String!) {\n    datasetDownload(id: $id, path: $path) {\n      url\n      expiresAt\n    }\n  }\n": types.DatasetDownloadDocument,
    "\n  fragment ModelVersionFields on ModelVersion {\n    id\n    name\n    status\n    canaryShare\n    parentId\n    previousActiveId\n    datasetVersionId\n    trainingRunId\n    createdAt\n    activatedAt\n    createdBy\n    sha256\n  }\n": types.ModelVersionFieldsFragmentDoc,
    "\n  query ModelVersions {\n    modelVersions(first: 100) {\n      ...ModelVersionFields\n    }\n  }\n": types.ModelVersionsDocument,
    "\n  query ModelVersionDetail($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      metrics\n      files {\n        path\n        bytes\n        sha256\n      }\n    }\n  }\n": types.ModelVersionDetailDocument,
    "\n  query ModelComparison($baselineId: ID, $challengerId: ID) {\n    modelComparison(baselineId: $baselineId, challengerId: $challengerId) {\n      baseline {\n        id\n        name\n      }\n      challenger {\n        id\n        name\n      }\n      n\n      items\n      wins\n      losses\n      ties\n      winRate\n      low\n      high\n      confidence\n    }\n  }\n": types.ModelComparisonDocument,
    "\n  mutation ActivateModelVersion($id: ID!) {\n    activateModelVersion(id: $id) {\n      id\n      status\n    }\n  }\n": types.ActivateModelVersionDocument,
    "\n  mutation SetCanaryModelVersion($id: ID!, $share: Float!) {\n    setCanaryModelVersion(id: $id, share: $share) {\n      id\n      status\n      canaryShare\n    }\n  }\n": types.SetCanaryModelVersionDocument,
    "\n  mutation RollbackModelVersion {\n    rollbackModelVersion {\n      id\n      status\n    }\n  }\n": types.RollbackModelVersionDocument,
    "\n  mutation CreateArenaItems($input: CreateArenaItemsInput) {\n    createArenaItems(input: $input) {\n      baseline\n      challenger\n      created\n    }\n  }\n": types.CreateArenaItemsDocument,
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
    "\n  query ReviewSettings {\n    reviewSettings {\n      reviewsPerItem\n      minAgreement\n      leaseSeconds\n      collectIntervalSeconds\n      arenaModels\n      rubric {\n        id\n        label\n        min\n        max\n      }\n      sources {\n        source\n        enabled\n        collected\n        share\n        lowScore\n      }\n      lastCollection {\n        trigger\n        startedAt\n        finishedAt\n        error\n        report {\n          sample\n          lowRating\n          siblings\n          safety\n          generated\n        }\n      }\n    }\n  }\n": types.ReviewSettingsDocument,
    "\n  mutation CollectReviewItems {\n    collectReviewItems {\n      sample\n      lowRating\n      siblings\n      safety\n      generated\n    }\n  }\n": types.CollectReviewItemsDocument,
    "\n  fragment SafetyTermFields on SafetyTerm {\n    id\n    term\n    level\n    category\n    language\n    wholeWord\n    enabled\n    version\n    updatedAt\n  }\n": types.SafetyTermFieldsFragmentDoc,
    "\n  query SafetyTerms($first: Int!, $offset: Int!, $search: String, $level: SafetyLevel, $category: String) {\n    safetyTerms(first: $first, offset: $offset, search: $search, level: $level, category: $category) {\n      ...SafetyTermFields\n    }\n    safetyStatus {\n      enabled\n      version\n      latestVersion\n    }\n  }\n": types.SafetyTermsDocument,
    "\n  mutation SafetyCreateTerm($input: CreateSafetyTermInput!) {\n    createSafetyTerm(input: $input) {\n      ...SafetyTermFields\n    }\n  }\n": types.SafetyCreateTermDocument,
    "\n  mutation SafetyUpdateTerm($id: ID!, $input: UpdateSafetyTermInput!) {\n    updateSafetyTerm(id: $id, input: $input) {\n      ...SafetyTermFields\n    }\n  }\n": types.SafetyUpdateTermDocument,
    "\n  mutation SafetyDeleteTerm($id: ID!) {\n    deleteSafetyTerm(id: $id)\n  }\n": types.SafetyDeleteTermDocument,
    "\n  mutation SafetyImportTerms($csv: String!) {\n    importSafetyTerms(csv: $csv) {\n      rows\n      created\n      updated\n      unchanged\n      duplicates\n      version\n    }\n  }\n": types.SafetyImportTermsDocument,
    "\n  fragment RewriteRuleFields on RewriteRule {\n    id\n    pattern\n    replacement\n    regex\n    caseSensitive\n    description\n    enabled\n    version\n  }\n": types.RewriteRuleFieldsFragmentDoc,
    "\n  query SafetyRewriteRules {\n    rewriteRules {\n      ...RewriteRuleFields\n    }\n  }\n": types.SafetyRewriteRulesDocument,
    "\n  mutation SafetyCreateRule($input: CreateRewriteRuleInput!) {\n    createRewriteRule(input: $input) {\n      ...RewriteRuleFields\n    }\n  }\n": types.SafetyCreateRuleDocument,
    "\n  mutation SafetyUpdateRule($id: ID!, $input: UpdateRewriteRuleInput!) {\n    updateRewriteRule(id: $id, input: $input) {\n      ...RewriteRuleFields\n    }\n  }\n": types.SafetyUpdateRuleDocument,
    "\n  mutation SafetyDeleteRule($id: ID!) {\n    deleteRewriteRule(id: $id)\n  }\n": types.SafetyDeleteRuleDocument,
    "\n  query SafetyEscalations($open: Boolean) {\n    safetyEscalations(open: $open, first: 100) {\n      id\n      at\n      step\n      scope\n      count\n      windowSeconds\n      conversationId\n      personPseudonym\n      resolution\n      resolvedAt\n      resolvedBy\n    }\n  }\n": types.SafetyEscalationsDocument,
    "\n  mutation SafetyResolveEscalation($id: ID!, $resolution: String!) {\n    resolveSafetyEscalation(id: $id, resolution: $resolution) {\n      id\n      resolvedAt\n    }\n  }\n": types.SafetyResolveEscalationDocument,
    "\n  mutation SafetyUnlockConversation($id: ID!) {\n    unlockConversation(id: $id) {\n      id\n    }\n  }\n": types.SafetyUnlockConversationDocument,
    "\n  query SafetyPreview($text: String!, $direction: SafetyDirection!) {\n    safetyPreview(text: $text, direction: $direction) {\n      enabled\n      version\n      outcome\n      level\n      text\n      scannedText\n      matches {\n        termId\n        term\n        termNormalized\n        category\n        level\n        action\n        matched\n        normalized\n        start\n        end\n        wholeWord\n        afterMasking\n      }\n      rewrites {\n        ruleId\n        pattern\n        replacement\n        regex\n        applications\n      }\n    }\n  }\n": types.SafetyPreviewDocument,
    "\n  query SafetyStats($from: DateTimeISO, $to: DateTimeISO) {\n    safetyStats(from: $from, to: $to) {\n      from\n      to\n      all {\n        block\n        mask\n        review\n        total\n      }\n      input {\n        total\n      }\n      output {\n        total\n      }\n      days {\n        day\n        all {\n          block\n          mask\n          review\n        }\n      }\n    }\n  }\n": types.SafetyStatsDocument,
    "\n  query SystemInferenceServers {\n    inferenceServers {\n      url\n      reachable\n      ready\n      responseTimeMs\n      models\n      runningSequences\n      queuedSequences\n      tokensPerSecond\n      generatedTokensTotal\n      scrapedAt\n      error\n    }\n  }\n": types.SystemInferenceServersDocument,
    "\n  fragment TrainingRunFields on TrainingRun {\n    id\n    number\n    method\n    status\n    step\n    totalSteps\n    loss\n    etaSeconds\n    attempt\n    error\n    createdAt\n    startedAt\n    finishedAt\n    createdBy\n    datasetVersionId\n    cancelRequestedAt\n    baseModelVersion {\n      id\n      name\n    }\n    modelVersion {\n      id\n      name\n    }\n  }\n": types.TrainingRunFieldsFragmentDoc,
    "\n  query TrainingRuns($first: Int!) {\n    trainingRuns(first: $first) {\n      ...TrainingRunFields\n    }\n  }\n": types.TrainingRunsDocument,
    "\n  query TrainingRun($id: ID!) {\n    trainingRun(id: $id) {\n      ...TrainingRunFields\n      hyperparameters\n      metrics\n      lossCurve(points: 500) {\n        step\n        loss\n      }\n    }\n  }\n": types.TrainingRunDocument,
    "\n  query TrainingRunLog($id: ID!) {\n    trainingRunLog(id: $id, bytes: 16384) {\n      text\n      size\n    }\n  }\n": types.TrainingRunLogDocument,
    "\n  subscription TrainingRunProgress($id: ID!) {\n    trainingRunProgress(id: $id) {\n      ...TrainingRunFields\n    }\n  }\n": types.TrainingRunProgressDocument,
    "\n  query TrainingChoices {\n    datasetVersions(first: 50) {\n      id\n      number\n      name\n      status\n      files {\n        path\n      }\n    }\n    modelVersions(first: 50) {\n      id\n      name\n      status\n    }\n  }\n": types.TrainingChoicesDocument,
    "\n  mutation StartTrainingRun($input: StartTrainingRunInput!) {\n    startTrainingRun(input: $input) {\n      ...TrainingRunFields\n    }\n  }\n": types.StartTrainingRunDocument,
    "\n  mutation CancelTrainingRun($id: ID!) {\n    cancelTrainingRun(id: $id) {\n      ...TrainingRunFields\n    }\n  }\n": types.CancelTrainingRunDocument,
    "\n  mutation ResumeTrainingRun($id: ID!) {\n    resumeTrainingRun(id: $id) {\n      ...TrainingRunFields\n    }\n  }\n": types.ResumeTrainingRunDocument,
    "\n  fragment UserRowFields on User {\n    id\n    email\n    name\n    pseudonym\n    role\n    disabled\n    createdAt\n  }\n": types.UserRowFieldsFragmentDoc,
    "\n  query AdminUsers($first: Int, $after: String, $search: String) {\n    users(first: $first, after: $after, search: $search) {\n      ...UserRowFields\n    }\n  }\n": types.AdminUsersDocument,
    "\n  mutation AdminCreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...UserRowFields\n    }\n  }\n": types.AdminCreateUserDocument,
    "\n  mutation AdminUpdateUser($id: ID!, $role: Role, $disabled: Boolean) {\n    updateUser(id: $id, role: $role, disabled: $disabled) {\n      ...UserRowFields\n    }\n  }\n": types.AdminUpdateUserDocument,
    "\n  mutation AdminEraseUser($id: ID!) {\n    eraseUser(id: $id) {\n      pseudonym\n      conversations\n      messages\n      ratings\n      apiKeys\n    }\n  }\n": types.AdminEraseUserDocument,
    "\n  query AdminApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      scopes\n      createdAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n": types.AdminApiKeysDocument,
    "\n  mutation AdminCreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n": types.AdminCreateApiKeyDocument,
    "\n  mutation AdminRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.AdminRevokeApiKeyDocument,
    "\n  query ConsoleServerMe {\n    me {\n      id\n      email\n      name\n      role\n    }\n  }\n": types.ConsoleServerMeDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n": types.SessionFieldsFragmentDoc,
    "\n  mutation ConsoleLogin($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionFields\n    }\n  }\n": types.ConsoleLoginDocument,
    "\n  mutation ConsoleRefresh($token: String!) {\n    refreshToken(token: $token) {\n      ...SessionFields\n    }\n  }\n": types.ConsoleRefreshDocument,
    "\n  mutation ConsoleLogout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.ConsoleLogoutDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuditRowFields on AuditEntry {\n    seq\n    at\n    action\n    outcome\n    actor {\n      kind\n      pseudonym\n      role\n      apiKeyId\n    }\n    subject {\n      type\n      id\n      owner\n    }\n  }\n"): typeof import('./graphql').AuditRowFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEntries($filter: AuditFilterInput, $first: Int, $after: String) {\n    auditEntries(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...AuditRowFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').AuditEntriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuditCheckpointFields on AuditCheckpoint {\n    seq\n    hash\n    at\n    keyId\n    signature\n    signatureValid\n  }\n"): typeof import('./graphql').AuditCheckpointFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEntry($seq: SafeInt!) {\n    auditEntry(seq: $seq) {\n      entry {\n        ...AuditRowFields\n        requestId\n        clientIp\n        userAgent\n        before\n        after\n        prevHash\n        hash\n      }\n      checkpoint {\n        ...AuditCheckpointFields\n      }\n    }\n  }\n"): typeof import('./graphql').AuditEntryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditStats($filter: AuditFilterInput) {\n    auditStats(filter: $filter) {\n      perDay {\n        day\n        outcome\n        count\n      }\n      denialsByAction {\n        action\n        count\n      }\n    }\n  }\n"): typeof import('./graphql').AuditStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VerifyAuditChain($from: SafeInt, $to: SafeInt) {\n    verifyAuditChain(from: $from, to: $to) {\n      valid\n      checked\n      firstSeq\n      lastSeq\n      checkpointsVerified\n      lastCheckpointSeq\n      broken {\n        seq\n        reason\n        detail\n      }\n      ms\n    }\n  }\n"): typeof import('./graphql').VerifyAuditChainDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditCheckpoints($first: Int) {\n    auditCheckpoints(first: $first) {\n      ...AuditCheckpointFields\n    }\n    auditPublicKey {\n      keyId\n      pem\n    }\n  }\n"): typeof import('./graphql').AuditCheckpointsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExportAudit($format: AuditExportFormat!, $filter: AuditFilterInput) {\n    exportAudit(format: $format, filter: $filter) {\n      downloadPath\n      expiresAt\n      format\n      fromSeq\n      toSeq\n      checkpoint {\n        seq\n      }\n    }\n  }\n"): typeof import('./graphql').ExportAuditDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAuditCheckpoint {\n    createAuditCheckpoint {\n      ...AuditCheckpointFields\n    }\n  }\n"): typeof import('./graphql').CreateAuditCheckpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ChatMessage on Message {\n    id\n    parentId\n    role\n    content\n    status\n    model\n    finishReason\n    errorCode\n    errorMessage\n    createdAt\n    safety\n    myRating {\n      id\n      thumb\n      score\n      tags\n      comment\n    }\n  }\n"): typeof import('./graphql').ChatMessageFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChatConversations($after: String, $search: String) {\n    conversations(first: 50, after: $after, search: $search) {\n      edges {\n        node {\n          id\n          title\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ChatConversationsDocument;
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
export function graphql(source: "\n  fragment DatasetRowFields on DatasetVersion {\n    id\n    number\n    name\n    status\n    progress\n    counts\n    createdAt\n    completedAt\n    createdBy\n  }\n"): typeof import('./graphql').DatasetRowFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetVersions($first: Int!) {\n    datasetVersions(first: $first) {\n      ...DatasetRowFields\n    }\n  }\n"): typeof import('./graphql').DatasetVersionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetVersion($id: ID!) {\n    datasetVersion(id: $id) {\n      ...DatasetRowFields\n      error\n      filters\n      testShare\n      sha256\n      files {\n        path\n        records\n        bytes\n        sha256\n      }\n      card\n    }\n  }\n"): typeof import('./graphql').DatasetVersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDatasetVersion($input: CreateDatasetVersionInput) {\n    createDatasetVersion(input: $input) {\n      ...DatasetRowFields\n    }\n  }\n"): typeof import('./graphql').CreateDatasetVersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DatasetDownload($id: ID!, $path: String!) {\n    datasetDownload(id: $id, path: $path) {\n      url\n      expiresAt\n    }\n  }\n"): typeof import('./graphql').DatasetDownloadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ModelVersionFields on ModelVersion {\n    id\n    name\n    status\n    canaryShare\n    parentId\n    previousActiveId\n    datasetVersionId\n    trainingRunId\n    createdAt\n    activatedAt\n    createdBy\n    sha256\n  }\n"): typeof import('./graphql').ModelVersionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelVersions {\n    modelVersions(first: 100) {\n      ...ModelVersionFields\n    }\n  }\n"): typeof import('./graphql').ModelVersionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelVersionDetail($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      metrics\n      files {\n        path\n        bytes\n        sha256\n      }\n    }\n  }\n"): typeof import('./graphql').ModelVersionDetailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelComparison($baselineId: ID, $challengerId: ID) {\n    modelComparison(baselineId: $baselineId, challengerId: $challengerId) {\n      baseline {\n        id\n        name\n      }\n      challenger {\n        id\n        name\n      }\n      n\n      items\n      wins\n      losses\n      ties\n      winRate\n      low\n      high\n      confidence\n    }\n  }\n"): typeof import('./graphql').ModelComparisonDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ActivateModelVersion($id: ID!) {\n    activateModelVersion(id: $id) {\n      id\n      status\n    }\n  }\n"): typeof import('./graphql').ActivateModelVersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetCanaryModelVersion($id: ID!, $share: Float!) {\n    setCanaryModelVersion(id: $id, share: $share) {\n      id\n      status\n      canaryShare\n    }\n  }\n"): typeof import('./graphql').SetCanaryModelVersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RollbackModelVersion {\n    rollbackModelVersion {\n      id\n      status\n    }\n  }\n"): typeof import('./graphql').RollbackModelVersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateArenaItems($input: CreateArenaItemsInput) {\n    createArenaItems(input: $input) {\n      baseline\n      challenger\n      created\n    }\n  }\n"): typeof import('./graphql').CreateArenaItemsDocument;
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
export function graphql(source: "\n  query ReviewSettings {\n    reviewSettings {\n      reviewsPerItem\n      minAgreement\n      leaseSeconds\n      collectIntervalSeconds\n      arenaModels\n      rubric {\n        id\n        label\n        min\n        max\n      }\n      sources {\n        source\n        enabled\n        collected\n        share\n        lowScore\n      }\n      lastCollection {\n        trigger\n        startedAt\n        finishedAt\n        error\n        report {\n          sample\n          lowRating\n          siblings\n          safety\n          generated\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ReviewSettingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CollectReviewItems {\n    collectReviewItems {\n      sample\n      lowRating\n      siblings\n      safety\n      generated\n    }\n  }\n"): typeof import('./graphql').CollectReviewItemsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SafetyTermFields on SafetyTerm {\n    id\n    term\n    level\n    category\n    language\n    wholeWord\n    enabled\n    version\n    updatedAt\n  }\n"): typeof import('./graphql').SafetyTermFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SafetyTerms($first: Int!, $offset: Int!, $search: String, $level: SafetyLevel, $category: String) {\n    safetyTerms(first: $first, offset: $offset, search: $search, level: $level, category: $category) {\n      ...SafetyTermFields\n    }\n    safetyStatus {\n      enabled\n      version\n      latestVersion\n    }\n  }\n"): typeof import('./graphql').SafetyTermsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SafetyCreateTerm($input: CreateSafetyTermInput!) {\n    createSafetyTerm(input: $input) {\n      ...SafetyTermFields\n    }\n  }\n"): typeof import('./graphql').SafetyCreateTermDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SafetyUpdateTerm($id: ID!, $input: UpdateSafetyTermInput!) {\n    updateSafetyTerm(id: $id, input: $input) {\n      ...SafetyTermFields\n    }\n  }\n"): typeof import('./graphql').SafetyUpdateTermDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SafetyDeleteTerm($id: ID!) {\n    deleteSafetyTerm(id: $id)\n  }\n"): typeof import('./graphql').SafetyDeleteTermDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SafetyImportTerms($csv: String!) {\n    importSafetyTerms(csv: $csv) {\n      rows\n      created\n      updated\n      unchanged\n      duplicates\n      version\n    }\n  }\n"): typeof import('./graphql').SafetyImportTermsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RewriteRuleFields on RewriteRule {\n    id\n    pattern\n    replacement\n    regex\n    caseSensitive\n    description\n    enabled\n    version\n  }\n"): typeof import('./graphql').RewriteRuleFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SafetyRewriteRules {\n    rewriteRules {\n      ...RewriteRuleFields\n    }\n  }\n"): typeof import('./graphql').SafetyRewriteRulesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SafetyCreateRule($input: CreateRewriteRuleInput!) {\n    createRewriteRule(input: $input) {\n      ...RewriteRuleFields\n    }\n  }\n"): typeof import('./graphql').SafetyCreateRuleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SafetyUpdateRule($id: ID!, $input: UpdateRewriteRuleInput!) {\n    updateRewriteRule(id: $id, input: $input) {\n      ...RewriteRuleFields\n    }\n  }\n"): typeof import('./graphql').SafetyUpdateRuleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SafetyDeleteRule($id: ID!) {\n    deleteRewriteRule(id: $id)\n  }\n"): typeof import('./graphql').SafetyDeleteRuleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SafetyEscalations($open: Boolean) {\n    safetyEscalations(open: $open, first: 100) {\n      id\n      at\n      step\n      scope\n      count\n      windowSeconds\n      conversationId\n      personPseudonym\n      resolution\n      resolvedAt\n      resolvedBy\n    }\n  }\n"): typeof import('./graphql').SafetyEscalationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SafetyResolveEscalation($id: ID!, $resolution: String!) {\n    resolveSafetyEscalation(id: $id, resolution: $resolution) {\n      id\n      resolvedAt\n    }\n  }\n"): typeof import('./graphql').SafetyResolveEscalationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SafetyUnlockConversation($id: ID!) {\n    unlockConversation(id: $id) {\n      id\n    }\n  }\n"): typeof import('./graphql').SafetyUnlockConversationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SafetyPreview($text: String!, $direction: SafetyDirection!) {\n    safetyPreview(text: $text, direction: $direction) {\n      enabled\n      version\n      outcome\n      level\n      text\n      scannedText\n      matches {\n        termId\n        term\n        termNormalized\n        category\n        level\n        action\n        matched\n        normalized\n        start\n        end\n        wholeWord\n        afterMasking\n      }\n      rewrites {\n        ruleId\n        pattern\n        replacement\n        regex\n        applications\n      }\n    }\n  }\n"): typeof import('./graphql').SafetyPreviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SafetyStats($from: DateTimeISO, $to: DateTimeISO) {\n    safetyStats(from: $from, to: $to) {\n      from\n      to\n      all {\n        block\n        mask\n        review\n        total\n      }\n      input {\n        total\n      }\n      output {\n        total\n      }\n      days {\n        day\n        all {\n          block\n          mask\n          review\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').SafetyStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SystemInferenceServers {\n    inferenceServers {\n      url\n      reachable\n      ready\n      responseTimeMs\n      models\n      runningSequences\n      queuedSequences\n      tokensPerSecond\n      generatedTokensTotal\n      scrapedAt\n      error\n    }\n  }\n"): typeof import('./graphql').SystemInferenceServersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TrainingRunFields on TrainingRun {\n    id\n    number\n    method\n    status\n    step\n    totalSteps\n    loss\n    etaSeconds\n    attempt\n    error\n    createdAt\n    startedAt\n    finishedAt\n    createdBy\n    datasetVersionId\n    cancelRequestedAt\n    baseModelVersion {\n      id\n      name\n    }\n    modelVersion {\n      id\n      name\n    }\n  }\n"): typeof import('./graphql').TrainingRunFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TrainingRuns($first: Int!) {\n    trainingRuns(first: $first) {\n      ...TrainingRunFields\n    }\n  }\n"): typeof import('./graphql').TrainingRunsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TrainingRun($id: ID!) {\n    trainingRun(id: $id) {\n      ...TrainingRunFields\n      hyperparameters\n      metrics\n      lossCurve(points: 500) {\n        step\n        loss\n      }\n    }\n  }\n"): typeof import('./graphql').TrainingRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TrainingRunLog($id: ID!) {\n    trainingRunLog(id: $id, bytes: 16384) {\n      text\n      size\n    }\n  }\n"): typeof import('./graphql').TrainingRunLogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TrainingRunProgress($id: ID!) {\n    trainingRunProgress(id: $id) {\n      ...TrainingRunFields\n    }\n  }\n"): typeof import('./graphql').TrainingRunProgressDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TrainingChoices {\n    datasetVersions(first: 50) {\n      id\n      number\n      name\n      status\n      files {\n        path\n      }\n    }\n    modelVersions(first: 50) {\n      id\n      name\n      status\n    }\n  }\n"): typeof import('./graphql').TrainingChoicesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartTrainingRun($input: StartTrainingRunInput!) {\n    startTrainingRun(input: $input) {\n      ...TrainingRunFields\n    }\n  }\n"): typeof import('./graphql').StartTrainingRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelTrainingRun($id: ID!) {\n    cancelTrainingRun(id: $id) {\n      ...TrainingRunFields\n    }\n  }\n"): typeof import('./graphql').CancelTrainingRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResumeTrainingRun($id: ID!) {\n    resumeTrainingRun(id: $id) {\n      ...TrainingRunFields\n    }\n  }\n"): typeof import('./graphql').ResumeTrainingRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserRowFields on User {\n    id\n    email\n    name\n    pseudonym\n    role\n    disabled\n    createdAt\n  }\n"): typeof import('./graphql').UserRowFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsers($first: Int, $after: String, $search: String) {\n    users(first: $first, after: $after, search: $search) {\n      ...UserRowFields\n    }\n  }\n"): typeof import('./graphql').AdminUsersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminCreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...UserRowFields\n    }\n  }\n"): typeof import('./graphql').AdminCreateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminUpdateUser($id: ID!, $role: Role, $disabled: Boolean) {\n    updateUser(id: $id, role: $role, disabled: $disabled) {\n      ...UserRowFields\n    }\n  }\n"): typeof import('./graphql').AdminUpdateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminEraseUser($id: ID!) {\n    eraseUser(id: $id) {\n      pseudonym\n      conversations\n      messages\n      ratings\n      apiKeys\n    }\n  }\n"): typeof import('./graphql').AdminEraseUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      scopes\n      createdAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n"): typeof import('./graphql').AdminApiKeysDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminCreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n      }\n    }\n  }\n"): typeof import('./graphql').AdminCreateApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminRevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): typeof import('./graphql').AdminRevokeApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleServerMe {\n    me {\n      id\n      email\n      name\n      role\n    }\n  }\n"): typeof import('./graphql').ConsoleServerMeDocument;
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
