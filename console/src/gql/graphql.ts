/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** chat: conversations and messages; ratings: rate replies; profile: read own account; datasets: build, download and import datasets; training: start and follow training runs, register model versions */
export type ApiKeyScope =
  | 'chat'
  | 'datasets'
  | 'profile'
  | 'ratings'
  | 'training';

export type AuditActorKind =
  | 'ANONYMOUS'
  | 'API_KEY'
  | 'SERVICE'
  | 'USER';

export type AuditExportFormat =
  | 'CSV'
  | 'JSONL';

export type AuditFilterInput = {
  action?: string | null | undefined;
  /** A pseudonym (u_…, service:…) or an account id */
  actor?: string | null | undefined;
  from?: string | null | undefined;
  outcome?: AuditOutcome | null | undefined;
  subjectId?: string | null | undefined;
  subjectType?: string | null | undefined;
  to?: string | null | undefined;
};

/** ALLOWED: done; DENIED: refused by authentication or authorization; FAILED: attempted and failed */
export type AuditOutcome =
  | 'ALLOWED'
  | 'DENIED'
  | 'FAILED';

export type ClaimStatus =
  | 'CLAIMED'
  | 'RELEASED'
  | 'SKIPPED'
  | 'SUBMITTED';

export type CreateApiKeyInput = {
  name: string;
  scopes: Array<ApiKeyScope>;
};

export type CreateArenaItemsInput = {
  /** Default: the ACTIVE version */
  baselineId?: string | number | null | undefined;
  /** Default: the CANARY version */
  challengerId?: string | number | null | undefined;
  /** How many prompts (most recent first); default 20 */
  count?: number | null | undefined;
  /** Reviews each item needs (default REVIEWS_PER_ITEM) */
  requiredReviews?: number | null | undefined;
};

export type CreateDatasetVersionInput = {
  filters?: DatasetFilters | null | undefined;
  /** Default: all */
  formats?: Array<DatasetFormat> | null | undefined;
  name?: string | null | undefined;
  /** Share of prompts held out as the test split (default 0.1), decided by the prompt hash */
  testShare?: number | null | undefined;
};

export type CreateRewriteRuleInput = {
  caseSensitive?: boolean | null | undefined;
  description?: string | null | undefined;
  pattern: string;
  regex?: boolean | null | undefined;
  replacement: string;
};

export type CreateSafetyTermInput = {
  /** Default: general */
  category?: string | null | undefined;
  /** A language tag (en, zh, zh-Hant…) */
  language?: string | null | undefined;
  level: SafetyLevel;
  term: string;
  /** Default: true for terms in Latin letters, false for Chinese and Japanese */
  wholeWord?: boolean | null | undefined;
};

export type CreateUserInput = {
  email: string;
  name?: string | null | undefined;
  /** At least 8 characters */
  password: string;
  role?: Role;
};

export type CriterionScoreInput = {
  criterion: string;
  score: number;
};

/** What goes into a dataset version; every filter optional */
export type DatasetFilters = {
  /** Leave out anything the content filter flagged (default true) */
  excludeFlagged?: boolean | null | undefined;
  /** Preferences derived at or after */
  from?: string | null | undefined;
  /** Include imported dialogues in the SFT set (default true) */
  includeImported?: boolean | null | undefined;
  /** Language tags (en, zh) */
  languages?: Array<string> | null | undefined;
  /** Leave out pairs whose reviewers agreed less (pairs without a figure, from ratings and corrections, are kept) */
  minAgreement?: number | null | undefined;
  /** Only pairs whose both replies (a correction: the original) came from these model versions */
  modelVersions?: Array<string> | null | undefined;
  sources?: Array<PreferenceSource> | null | undefined;
  /** Preferences derived before */
  to?: string | null | undefined;
};

/** DPO: TRL DPO conversational; KTO: TRL KTO; OPENAI_PREFERENCE: OpenAI preference fine-tuning; HH: Anthropic HH; SFT: message lists */
export type DatasetFormat =
  | 'DPO'
  | 'HH'
  | 'KTO'
  | 'OPENAI_PREFERENCE'
  | 'SFT';

export type DatasetStatus =
  | 'BUILDING'
  | 'FAILED'
  | 'READY';

/** Conversation monitoring, in order: WARN the person, SLOW them down, LOCK the conversation, REVIEW (an item for reviewers) */
export type EscalationStep =
  | 'LOCK'
  | 'REVIEW'
  | 'SLOW'
  | 'WARN';

/** Sampling parameters sent upstream; unset ones take the model server defaults */
export type GenerationParamsInput = {
  /** Keep generating to maxTokens past the end of the turn (vLLM's ignore_eos; Dialoop's server supports it) */
  ignoreEos?: boolean | null | undefined;
  maxTokens?: number | null | undefined;
  /** How long the reply may wait for a busy model server before it fails with UPSTREAM_BUSY (at most REPLY_QUEUE_MAX_WAIT_MS, the default) */
  maxWaitMs?: number | null | undefined;
  seed?: number | null | undefined;
  stop?: Array<string> | null | undefined;
  temperature?: number | null | undefined;
  topP?: number | null | undefined;
};

export type MessageRole =
  | 'ASSISTANT'
  | 'SYSTEM'
  | 'USER';

export type MessageStatus =
  | 'CANCELLED'
  | 'COMPLETE'
  | 'FAILED'
  | 'INTERRUPTED'
  /** Waiting for a model server (no token yet); its stream says where it stands */
  | 'QUEUED'
  | 'STREAMING';

/** REGISTERED: no traffic; ACTIVE: serves new conversations; CANARY: serves canaryShare of the people who start one; RETIRED: rolled back or replaced */
export type ModelVersionStatus =
  | 'ACTIVE'
  | 'CANARY'
  | 'REGISTERED'
  | 'RETIRED';

export type PairwiseChoice =
  | 'A'
  | 'B'
  | 'TIE';

export type PreferenceSource =
  | 'COMPARISON'
  | 'CORRECTION'
  | 'RANKING'
  | 'RATING';

/** A thumb, a 1-5 score, or both; rating again replaces your previous rating */
export type RateMessageInput = {
  comment?: string | null | undefined;
  score?: number | null | undefined;
  tags?: Array<string> | null | undefined;
  thumb?: Thumb | null | undefined;
};

export type RegenerateInput = {
  model?: string | null | undefined;
  params?: GenerationParamsInput | null | undefined;
};

/** A review's kind: the item's kind, or SKIP with a reason */
export type ReviewAnswerKind =
  | 'CORRECTION'
  | 'PAIRWISE'
  | 'RANKING'
  | 'RUBRIC'
  | 'SKIP';

/** One review. PAIRWISE: choice (+ strength 1-3 unless TIE); RANKING: ranking (every candidate id once, best first); RUBRIC: candidateId + scores; CORRECTION: candidateId + text; SKIP: reason. Tags and a comment with any kind. */
export type ReviewInput = {
  candidateId?: string | number | null | undefined;
  choice?: PairwiseChoice | null | undefined;
  comment?: string | null | undefined;
  kind: ReviewAnswerKind;
  ranking?: Array<string | number> | null | undefined;
  reason?: SkipReason | null | undefined;
  scores?: Array<CriterionScoreInput> | null | undefined;
  strength?: number | null | undefined;
  tags?: Array<string> | null | undefined;
  text?: string | null | undefined;
};

export type ReviewItemFilter = {
  from?: string | null | undefined;
  kind?: ReviewKind | null | undefined;
  source?: ReviewItemSource | null | undefined;
  to?: string | null | undefined;
};

/** SIBLINGS: regenerated replies to one prompt; LOW_RATING: a reply rated low; SAFETY: a reply flagged for review by the content filter; SAMPLE: a sampled conversation; MANUAL: made by an admin; ARENA: a canary model version against the active one (createArenaItems) */
export type ReviewItemSource =
  | 'ARENA'
  | 'LOW_RATING'
  | 'MANUAL'
  | 'SAFETY'
  | 'SAMPLE'
  | 'SIBLINGS';

/** PENDING: candidates still being generated; OPEN: in the queue; ADJUDICATION: its reviews disagree, an admin decides; DONE */
export type ReviewItemStatus =
  | 'ADJUDICATION'
  | 'DONE'
  | 'OPEN'
  | 'PENDING';

/** PAIRWISE: A, B or a tie with strength (2 candidates); RANKING: order every candidate; RUBRIC: score one candidate per criterion; CORRECTION: edit one candidate */
export type ReviewKind =
  | 'CORRECTION'
  | 'PAIRWISE'
  | 'RANKING'
  | 'RUBRIC';

/** What a person may do: see api/src/modules/rbac/rules.ts */
export type Role =
  | 'ADMIN'
  | 'COMPLIANCE'
  | 'ML_ENGINEER'
  | 'REVIEWER'
  | 'SENIOR_REVIEWER'
  | 'USER';

/** INPUT: a prompt; OUTPUT: a reply */
export type SafetyDirection =
  | 'INPUT'
  | 'OUTPUT';

/** BLOCK refuses (a prompt) or stops (a reply); MASK replaces the term with as many * as it has characters; REVIEW lets it through, flagged for reviewers */
export type SafetyLevel =
  | 'BLOCK'
  | 'MASK'
  | 'REVIEW';

/** What a turn gets from the filter, by its strongest hit: ALLOWED (none), FLAGGED (REVIEW), MASKED (MASK), BLOCKED (BLOCK: a prompt refused, a reply stopped) */
export type SafetyOutcome =
  | 'ALLOWED'
  | 'BLOCKED'
  | 'FLAGGED'
  | 'MASKED';

export type SendMessageInput = {
  content: string;
  /** Omit to start a new conversation */
  conversationId?: string | number | null | undefined;
  /** Default: DEFAULT_MODEL, else the first model the upstreams list */
  model?: string | null | undefined;
  params?: GenerationParamsInput | null | undefined;
  /** The reply this message answers; default: the newest message of the conversation */
  parentId?: string | number | null | undefined;
};

export type SkipReason =
  | 'DUPLICATE'
  | 'NEEDS_EXPERTISE'
  | 'OFFENSIVE'
  | 'OTHER'
  | 'UNCLEAR_PROMPT';

export type StartTrainingRunInput = {
  /** The version to start from (default: the ACTIVE one); it must hold a PyTorch checkpoint */
  baseModelVersionId?: string | number | null | undefined;
  /** A READY dataset version with the format the method reads */
  datasetVersionId: string | number;
  hyperparameters?: TrainingHyperparameters | null | undefined;
  method: TrainingMethod;
};

export type Thumb =
  | 'DOWN'
  | 'UP';

/** The training job's settings (python3 -m dialoop_train.preference_train --help); unset ones take the job's defaults */
export type TrainingHyperparameters = {
  /** Per process and micro-batch (default 8) */
  batchSize?: number | null | undefined;
  /** DPO/KTO temperature β (default 0.1) */
  beta?: number | null | undefined;
  /** Checkpoint every N steps (default 100) */
  checkpointEvery?: number | null | undefined;
  /** KTO */
  desirableWeight?: number | null | undefined;
  /** Passes over the train split (default 1 when steps is not given) */
  epochs?: number | null | undefined;
  /** Held-out evaluation every N steps (default: only at the end) */
  evalEvery?: number | null | undefined;
  /** Micro-batches per optimizer step (default 1) */
  gradAccum?: number | null | undefined;
  /** Sentences the run is meant to add (a trait, such as a follow-up offer): the loop's guards do not count them as a new repeated phrase and grade answers without them */
  guardIgnore?: Array<string> | null | undefined;
  /** Progress every N steps (default 1) */
  logEvery?: number | null | undefined;
  /** Peak learning rate (default 5e-4) */
  lr?: number | null | undefined;
  /** Most tokens per prompt + completion (default 512) */
  maxLen?: number | null | undefined;
  minLrRatio?: number | null | undefined;
  /** auto (bf16/fp16 autocast on a GPU that supports it, fp32 on CPU), fp32, bf16 or fp16 */
  precision?: string | null | undefined;
  /** Replay (a mix of SFT data, against forgetting): plus w × the cross-entropy of a batch of the base version's own training corpus per micro-batch (0 or unset = off; the base's metrics.json must record its corpus: train:base, train:distill, or a version descending from one) */
  replayWeight?: number | null | undefined;
  /** DPO: plus α × the chosen reply's NLL per token (RPO; 0 = plain DPO) */
  rpoAlpha?: number | null | undefined;
  /** Decay after warm-up: cosine (default), linear or constant */
  schedule?: string | null | undefined;
  /** Seeds data order and initialisation (default 0): the same seed, the same run */
  seed?: number | null | undefined;
  /** Optimizer steps (or give epochs) */
  steps?: number | null | undefined;
  /** CPU threads (default: TRAINING_THREADS) */
  threads?: number | null | undefined;
  /** KTO */
  undesirableWeight?: number | null | undefined;
  /** Linear warm-up steps, fewer than steps (default 10; with steps under 100, a tenth of them) */
  warmupSteps?: number | null | undefined;
  weightDecay?: number | null | undefined;
};

/** DPO: the dataset's dpo/ pairs against a frozen copy of the base; KTO: its kto/ records; SFT: its sft/ dialogues */
export type TrainingMethod =
  | 'DPO'
  | 'KTO'
  | 'SFT';

export type TrainingStatus =
  | 'CANCELLED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

export type UpdateRewriteRuleInput = {
  caseSensitive?: boolean | null | undefined;
  description?: string | null | undefined;
  enabled?: boolean | null | undefined;
  pattern?: string | null | undefined;
  regex?: boolean | null | undefined;
  replacement?: string | null | undefined;
};

export type UpdateSafetyTermInput = {
  category?: string | null | undefined;
  enabled?: boolean | null | undefined;
  language?: string | null | undefined;
  level?: SafetyLevel | null | undefined;
  term?: string | null | undefined;
  wholeWord?: boolean | null | undefined;
};

export type AuditRowFieldsFragment = { seq: number, at: string, action: string, outcome: AuditOutcome, actor: { kind: AuditActorKind, pseudonym: string | null, role: string | null, apiKeyId: string | null }, subject: { type: string | null, id: string | null, owner: string | null } };

export type AuditEntriesQueryVariables = Exact<{
  filter?: AuditFilterInput | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AuditEntriesQuery = { auditEntries: { edges: Array<{ cursor: string, node: { seq: number, at: string, action: string, outcome: AuditOutcome, actor: { kind: AuditActorKind, pseudonym: string | null, role: string | null, apiKeyId: string | null }, subject: { type: string | null, id: string | null, owner: string | null } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type AuditCheckpointFieldsFragment = { seq: number, hash: string, at: string, keyId: string, signature: string, signatureValid: boolean };

export type AuditEntryQueryVariables = Exact<{
  seq: number;
}>;


export type AuditEntryQuery = { auditEntry: { entry: { requestId: string | null, clientIp: string | null, userAgent: string | null, before: unknown, after: unknown, prevHash: string, hash: string, seq: number, at: string, action: string, outcome: AuditOutcome, actor: { kind: AuditActorKind, pseudonym: string | null, role: string | null, apiKeyId: string | null }, subject: { type: string | null, id: string | null, owner: string | null } }, checkpoint: { seq: number, hash: string, at: string, keyId: string, signature: string, signatureValid: boolean } | null } };

export type AuditStatsQueryVariables = Exact<{
  filter?: AuditFilterInput | null | undefined;
}>;


export type AuditStatsQuery = { auditStats: { perDay: Array<{ day: string, outcome: AuditOutcome, count: number }>, denialsByAction: Array<{ action: string, count: number }> } };

export type VerifyAuditChainQueryVariables = Exact<{
  from?: number | null | undefined;
  to?: number | null | undefined;
}>;


export type VerifyAuditChainQuery = { verifyAuditChain: { valid: boolean, checked: number, firstSeq: number | null, lastSeq: number | null, checkpointsVerified: number, lastCheckpointSeq: number | null, ms: number, broken: { seq: number, reason: string, detail: string } | null } };

export type AuditCheckpointsQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type AuditCheckpointsQuery = { auditCheckpoints: Array<{ seq: number, hash: string, at: string, keyId: string, signature: string, signatureValid: boolean }>, auditPublicKey: { keyId: string, pem: string } };

export type ExportAuditMutationVariables = Exact<{
  format: AuditExportFormat;
  filter?: AuditFilterInput | null | undefined;
}>;


export type ExportAuditMutation = { exportAudit: { downloadPath: string, expiresAt: string, format: AuditExportFormat, fromSeq: number | null, toSeq: number | null, checkpoint: { seq: number } | null } };

export type CreateAuditCheckpointMutationVariables = Exact<{ [key: string]: never; }>;


export type CreateAuditCheckpointMutation = { createAuditCheckpoint: { seq: number, hash: string, at: string, keyId: string, signature: string, signatureValid: boolean } | null };

export type ChatMessageFragment = { id: string, parentId: string | null, role: MessageRole, content: string, status: MessageStatus, model: string | null, finishReason: string | null, errorCode: string | null, errorMessage: string | null, createdAt: string, safety: SafetyLevel | null, myRating: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } | null };

export type ChatConversationsQueryVariables = Exact<{
  after?: string | null | undefined;
  search?: string | null | undefined;
}>;


export type ChatConversationsQuery = { conversations: { edges: Array<{ node: { id: string, title: string, updatedAt: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ChatConversationQueryVariables = Exact<{
  id: string | number;
}>;


export type ChatConversationQuery = { conversation: { id: string, title: string, lockedAt: string | null, messages: Array<{ id: string, parentId: string | null, role: MessageRole, content: string, status: MessageStatus, model: string | null, finishReason: string | null, errorCode: string | null, errorMessage: string | null, createdAt: string, safety: SafetyLevel | null, myRating: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } | null }> } | null };

export type ChatModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ChatModelsQuery = { models: Array<{ id: string }> };

export type ChatSendMutationVariables = Exact<{
  input: SendMessageInput;
}>;


export type ChatSendMutation = { sendMessage: { conversation: { id: string, title: string }, userMessage: { id: string, parentId: string | null, role: MessageRole, content: string, status: MessageStatus, model: string | null, finishReason: string | null, errorCode: string | null, errorMessage: string | null, createdAt: string, safety: SafetyLevel | null, myRating: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } | null }, assistantMessage: { id: string, parentId: string | null, role: MessageRole, content: string, status: MessageStatus, model: string | null, finishReason: string | null, errorCode: string | null, errorMessage: string | null, createdAt: string, safety: SafetyLevel | null, myRating: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } | null } } };

export type ChatRegenerateMutationVariables = Exact<{
  messageId: string | number;
  input?: RegenerateInput | null | undefined;
}>;


export type ChatRegenerateMutation = { regenerate: { id: string, parentId: string | null, role: MessageRole, content: string, status: MessageStatus, model: string | null, finishReason: string | null, errorCode: string | null, errorMessage: string | null, createdAt: string, safety: SafetyLevel | null, myRating: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } | null } };

export type ChatContinueMutationVariables = Exact<{
  messageId: string | number;
  input?: RegenerateInput | null | undefined;
}>;


export type ChatContinueMutation = { continueGeneration: { id: string, parentId: string | null, role: MessageRole, content: string, status: MessageStatus, model: string | null, finishReason: string | null, errorCode: string | null, errorMessage: string | null, createdAt: string, safety: SafetyLevel | null, myRating: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } | null } };

export type ChatEditAndResendMutationVariables = Exact<{
  messageId: string | number;
  content: string;
  model?: string | null | undefined;
}>;


export type ChatEditAndResendMutation = { editAndResend: { userMessage: { id: string, parentId: string | null, role: MessageRole, content: string, status: MessageStatus, model: string | null, finishReason: string | null, errorCode: string | null, errorMessage: string | null, createdAt: string, safety: SafetyLevel | null, myRating: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } | null }, assistantMessage: { id: string, parentId: string | null, role: MessageRole, content: string, status: MessageStatus, model: string | null, finishReason: string | null, errorCode: string | null, errorMessage: string | null, createdAt: string, safety: SafetyLevel | null, myRating: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } | null } } };

export type ChatCancelMutationVariables = Exact<{
  messageId: string | number;
}>;


export type ChatCancelMutation = { cancelGeneration: { id: string, parentId: string | null, role: MessageRole, content: string, status: MessageStatus, model: string | null, finishReason: string | null, errorCode: string | null, errorMessage: string | null, createdAt: string, safety: SafetyLevel | null, myRating: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } | null } };

export type ChatRateMutationVariables = Exact<{
  messageId: string | number;
  input: RateMessageInput;
}>;


export type ChatRateMutation = { rateMessage: { id: string, thumb: Thumb | null, score: number | null, tags: Array<string>, comment: string | null } };

export type ChatRenameMutationVariables = Exact<{
  id: string | number;
  title: string;
}>;


export type ChatRenameMutation = { renameConversation: { id: string, title: string } };

export type ChatDeleteMutationVariables = Exact<{
  id: string | number;
}>;


export type ChatDeleteMutation = { deleteConversation: boolean };

export type ChatStreamSubscriptionVariables = Exact<{
  messageId: string | number;
  fromSeq?: number | null | undefined;
}>;


export type ChatStreamSubscription = { messageStream: { seq: number, delta: string | null, done: boolean, queuePosition: number | null, estimatedWaitMs: number | null, status: MessageStatus | null, finishReason: string | null, error: { code: string, message: string } | null } };

export type DatasetRowFieldsFragment = { id: string, number: number, name: string | null, status: DatasetStatus, progress: number, counts: Record<string, unknown> | null, createdAt: string, completedAt: string | null, createdBy: string | null };

export type DatasetVersionsQueryVariables = Exact<{
  first: number;
}>;


export type DatasetVersionsQuery = { datasetVersions: Array<{ id: string, number: number, name: string | null, status: DatasetStatus, progress: number, counts: Record<string, unknown> | null, createdAt: string, completedAt: string | null, createdBy: string | null }> };

export type DatasetVersionQueryVariables = Exact<{
  id: string | number;
}>;


export type DatasetVersionQuery = { datasetVersion: { error: string | null, filters: Record<string, unknown>, testShare: number, sha256: string | null, card: string | null, id: string, number: number, name: string | null, status: DatasetStatus, progress: number, counts: Record<string, unknown> | null, createdAt: string, completedAt: string | null, createdBy: string | null, files: Array<{ path: string, records: number, bytes: number, sha256: string }> | null } };

export type CreateDatasetVersionMutationVariables = Exact<{
  input?: CreateDatasetVersionInput | null | undefined;
}>;


export type CreateDatasetVersionMutation = { createDatasetVersion: { id: string, number: number, name: string | null, status: DatasetStatus, progress: number, counts: Record<string, unknown> | null, createdAt: string, completedAt: string | null, createdBy: string | null } };

export type DatasetDownloadMutationVariables = Exact<{
  id: string | number;
  path: string;
}>;


export type DatasetDownloadMutation = { datasetDownload: { url: string, expiresAt: string } };

export type ModelVersionFieldsFragment = { id: string, name: string, status: ModelVersionStatus, canaryShare: number, parentId: string | null, previousActiveId: string | null, datasetVersionId: string | null, trainingRunId: string | null, createdAt: string, activatedAt: string | null, createdBy: string | null, sha256: string };

export type ModelVersionsQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelVersionsQuery = { modelVersions: Array<{ id: string, name: string, status: ModelVersionStatus, canaryShare: number, parentId: string | null, previousActiveId: string | null, datasetVersionId: string | null, trainingRunId: string | null, createdAt: string, activatedAt: string | null, createdBy: string | null, sha256: string }> };

export type ModelVersionDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type ModelVersionDetailQuery = { modelVersion: { id: string, metrics: Record<string, unknown> | null, files: Array<{ path: string, bytes: number, sha256: string }> } };

export type ModelComparisonQueryVariables = Exact<{
  baselineId?: string | number | null | undefined;
  challengerId?: string | number | null | undefined;
}>;


export type ModelComparisonQuery = { modelComparison: { n: number, items: number, wins: number, losses: number, ties: number, winRate: number | null, low: number | null, high: number | null, confidence: number, baseline: { id: string, name: string }, challenger: { id: string, name: string } } };

export type ActivateModelVersionMutationVariables = Exact<{
  id: string | number;
}>;


export type ActivateModelVersionMutation = { activateModelVersion: { id: string, status: ModelVersionStatus } };

export type SetCanaryModelVersionMutationVariables = Exact<{
  id: string | number;
  share: number;
}>;


export type SetCanaryModelVersionMutation = { setCanaryModelVersion: { id: string, status: ModelVersionStatus, canaryShare: number } };

export type RollbackModelVersionMutationVariables = Exact<{ [key: string]: never; }>;


export type RollbackModelVersionMutation = { rollbackModelVersion: { id: string, status: ModelVersionStatus } };

export type CreateArenaItemsMutationVariables = Exact<{
  input?: CreateArenaItemsInput | null | undefined;
}>;


export type CreateArenaItemsMutation = { createArenaItems: { baseline: string, challenger: string, created: number } };

export type ReviewItemFieldsFragment = { id: string, kind: ReviewKind, source: ReviewItemSource, status: ReviewItemStatus, ownerPseudonym: string, requiredReviews: number, reviewCount: number, createdAt: string, prompt: Array<{ role: string, content: string }>, candidates: Array<{ id: string, label: string, content: string, model: string | null }>, rubric: Array<{ id: string, label: string, min: number, max: number }> };

export type ReviewFieldsFragment = { id: string, kind: ReviewKind, reviewerPseudonym: string, adjudication: boolean, choice: PairwiseChoice | null, strength: number | null, ranking: Array<string> | null, candidateId: string | null, text: string | null, tags: Array<string>, comment: string | null, createdAt: string, scores: Array<{ criterion: string, score: number }> | null };

export type ReviewQueueQueryVariables = Exact<{ [key: string]: never; }>;


export type ReviewQueueQuery = { reviewQueue: { open: number, pending: number, claimed: number, adjudication: number, done: number } };

export type ReviewMyClaimsQueryVariables = Exact<{ [key: string]: never; }>;


export type ReviewMyClaimsQuery = { myReviewClaims: Array<{ id: string, claimedAt: string, expiresAt: string, item: { id: string, kind: ReviewKind } }> };

export type ReviewClaimNextMutationVariables = Exact<{
  kind?: ReviewKind | null | undefined;
}>;


export type ReviewClaimNextMutation = { claimReviewItem: { id: string, status: ClaimStatus, expiresAt: string, item: { id: string, kind: ReviewKind, source: ReviewItemSource, status: ReviewItemStatus, ownerPseudonym: string, requiredReviews: number, reviewCount: number, createdAt: string, prompt: Array<{ role: string, content: string }>, candidates: Array<{ id: string, label: string, content: string, model: string | null }>, rubric: Array<{ id: string, label: string, min: number, max: number }> } } | null };

export type ReviewLabelItemQueryVariables = Exact<{
  id: string | number;
}>;


export type ReviewLabelItemQuery = { myReviewClaims: Array<{ id: string, status: ClaimStatus, expiresAt: string, item: { id: string } }>, reviewItem: { id: string, kind: ReviewKind, source: ReviewItemSource, status: ReviewItemStatus, ownerPseudonym: string, requiredReviews: number, reviewCount: number, createdAt: string, prompt: Array<{ role: string, content: string }>, candidates: Array<{ id: string, label: string, content: string, model: string | null }>, rubric: Array<{ id: string, label: string, min: number, max: number }> } };

export type ReviewSubmitAndNextMutationVariables = Exact<{
  itemId: string | number;
  input: ReviewInput;
  kind: ReviewKind;
}>;


export type ReviewSubmitAndNextMutation = { submitReview: { id: string, status: ClaimStatus, expiresAt: string }, next: { id: string, status: ClaimStatus, expiresAt: string, item: { id: string, kind: ReviewKind, source: ReviewItemSource, status: ReviewItemStatus, ownerPseudonym: string, requiredReviews: number, reviewCount: number, createdAt: string, prompt: Array<{ role: string, content: string }>, candidates: Array<{ id: string, label: string, content: string, model: string | null }>, rubric: Array<{ id: string, label: string, min: number, max: number }> } } | null };

export type ReviewReleaseMutationVariables = Exact<{
  itemId: string | number;
}>;


export type ReviewReleaseMutation = { releaseReviewClaim: { id: string, status: ClaimStatus } };

export type ReviewOutcomeQueryVariables = Exact<{
  id: string | number;
}>;


export type ReviewOutcomeQuery = { reviewItem: { id: string, status: ReviewItemStatus, agreement: number | null, reviewCount: number, requiredReviews: number, reviews: Array<{ id: string, kind: ReviewKind, reviewerPseudonym: string, adjudication: boolean, choice: PairwiseChoice | null, strength: number | null, ranking: Array<string> | null, candidateId: string | null, text: string | null, tags: Array<string>, comment: string | null, createdAt: string, scores: Array<{ criterion: string, score: number }> | null }> } };

export type ReviewAdjudicationListQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ReviewAdjudicationListQuery = { reviewItems: { hasNextPage: boolean, endCursor: string | null, nodes: Array<{ id: string, kind: ReviewKind, source: ReviewItemSource, createdAt: string, agreement: number | null, reviewCount: number }> } };

export type ReviewAdjudicationItemQueryVariables = Exact<{
  id: string | number;
}>;


export type ReviewAdjudicationItemQuery = { reviewItem: { agreement: number | null, id: string, kind: ReviewKind, source: ReviewItemSource, status: ReviewItemStatus, ownerPseudonym: string, requiredReviews: number, reviewCount: number, createdAt: string, reviews: Array<{ id: string, kind: ReviewKind, reviewerPseudonym: string, adjudication: boolean, choice: PairwiseChoice | null, strength: number | null, ranking: Array<string> | null, candidateId: string | null, text: string | null, tags: Array<string>, comment: string | null, createdAt: string, scores: Array<{ criterion: string, score: number }> | null }>, prompt: Array<{ role: string, content: string }>, candidates: Array<{ id: string, label: string, content: string, model: string | null }>, rubric: Array<{ id: string, label: string, min: number, max: number }> } };

export type ReviewAdjudicateMutationVariables = Exact<{
  itemId: string | number;
  input: ReviewInput;
}>;


export type ReviewAdjudicateMutation = { adjudicateReviewItem: { id: string, status: ReviewItemStatus, agreement: number | null } };

export type ReviewAgreementQueryVariables = Exact<{
  filter?: ReviewItemFilter | null | undefined;
}>;


export type ReviewAgreementQuery = { reviewAgreement: { items: number, reviews: number, choiceAlpha: number | null, scoreAlpha: number | null, kappa: Array<{ reviewerA: string, reviewerB: string, kappa: number | null, items: number }>, reviewers: Array<{ reviewer: string, reviews: number, pairs: number, meanKappa: number | null, alphaWithout: number | null }> } };

export type ReviewSettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type ReviewSettingsQuery = { reviewSettings: { reviewsPerItem: number, minAgreement: number, leaseSeconds: number, collectIntervalSeconds: number, arenaModels: Array<string>, rubric: Array<{ id: string, label: string, min: number, max: number }>, sources: Array<{ source: ReviewItemSource, enabled: boolean, collected: boolean, share: number | null, lowScore: number | null }>, lastCollection: { trigger: string, startedAt: string, finishedAt: string | null, error: string | null, report: { sample: number, lowRating: number, siblings: number, safety: number, generated: number } | null } | null } };

export type CollectReviewItemsMutationVariables = Exact<{ [key: string]: never; }>;


export type CollectReviewItemsMutation = { collectReviewItems: { sample: number, lowRating: number, siblings: number, safety: number, generated: number } };

export type SafetyTermFieldsFragment = { id: string, term: string, level: SafetyLevel, category: string, language: string | null, wholeWord: boolean, enabled: boolean, version: number, updatedAt: string };

export type SafetyTermsQueryVariables = Exact<{
  first: number;
  offset: number;
  search?: string | null | undefined;
  level?: SafetyLevel | null | undefined;
  category?: string | null | undefined;
}>;


export type SafetyTermsQuery = { safetyTerms: Array<{ id: string, term: string, level: SafetyLevel, category: string, language: string | null, wholeWord: boolean, enabled: boolean, version: number, updatedAt: string }>, safetyStatus: { enabled: boolean, version: number, latestVersion: number } };

export type SafetyCreateTermMutationVariables = Exact<{
  input: CreateSafetyTermInput;
}>;


export type SafetyCreateTermMutation = { createSafetyTerm: { id: string, term: string, level: SafetyLevel, category: string, language: string | null, wholeWord: boolean, enabled: boolean, version: number, updatedAt: string } };

export type SafetyUpdateTermMutationVariables = Exact<{
  id: string | number;
  input: UpdateSafetyTermInput;
}>;


export type SafetyUpdateTermMutation = { updateSafetyTerm: { id: string, term: string, level: SafetyLevel, category: string, language: string | null, wholeWord: boolean, enabled: boolean, version: number, updatedAt: string } };

export type SafetyDeleteTermMutationVariables = Exact<{
  id: string | number;
}>;


export type SafetyDeleteTermMutation = { deleteSafetyTerm: boolean };

export type SafetyImportTermsMutationVariables = Exact<{
  csv: string;
}>;


export type SafetyImportTermsMutation = { importSafetyTerms: { rows: number, created: number, updated: number, unchanged: number, duplicates: number, version: number } };

export type RewriteRuleFieldsFragment = { id: string, pattern: string, replacement: string, regex: boolean, caseSensitive: boolean, description: string | null, enabled: boolean, version: number };

export type SafetyRewriteRulesQueryVariables = Exact<{ [key: string]: never; }>;


export type SafetyRewriteRulesQuery = { rewriteRules: Array<{ id: string, pattern: string, replacement: string, regex: boolean, caseSensitive: boolean, description: string | null, enabled: boolean, version: number }> };

export type SafetyCreateRuleMutationVariables = Exact<{
  input: CreateRewriteRuleInput;
}>;


export type SafetyCreateRuleMutation = { createRewriteRule: { id: string, pattern: string, replacement: string, regex: boolean, caseSensitive: boolean, description: string | null, enabled: boolean, version: number } };

export type SafetyUpdateRuleMutationVariables = Exact<{
  id: string | number;
  input: UpdateRewriteRuleInput;
}>;


export type SafetyUpdateRuleMutation = { updateRewriteRule: { id: string, pattern: string, replacement: string, regex: boolean, caseSensitive: boolean, description: string | null, enabled: boolean, version: number } };

export type SafetyDeleteRuleMutationVariables = Exact<{
  id: string | number;
}>;


export type SafetyDeleteRuleMutation = { deleteRewriteRule: boolean };

export type SafetyEscalationsQueryVariables = Exact<{
  open?: boolean | null | undefined;
}>;


export type SafetyEscalationsQuery = { safetyEscalations: Array<{ id: string, at: string, step: EscalationStep, scope: string, count: number, windowSeconds: number, conversationId: string | null, personPseudonym: string | null, resolution: string | null, resolvedAt: string | null, resolvedBy: string | null }> };

export type SafetyResolveEscalationMutationVariables = Exact<{
  id: string | number;
  resolution: string;
}>;


export type SafetyResolveEscalationMutation = { resolveSafetyEscalation: { id: string, resolvedAt: string | null } };

export type SafetyUnlockConversationMutationVariables = Exact<{
  id: string | number;
}>;


export type SafetyUnlockConversationMutation = { unlockConversation: { id: string } };

export type SafetyPreviewQueryVariables = Exact<{
  text: string;
  direction: SafetyDirection;
}>;


export type SafetyPreviewQuery = { safetyPreview: { enabled: boolean, version: number, outcome: SafetyOutcome, level: SafetyLevel | null, text: string | null, scannedText: string, matches: Array<{ termId: string, term: string, termNormalized: string, category: string, level: SafetyLevel, action: string, matched: string, normalized: string, start: number, end: number, wholeWord: boolean, afterMasking: boolean }>, rewrites: Array<{ ruleId: string, pattern: string, replacement: string, regex: boolean, applications: number }> } };

export type SafetyStatsQueryVariables = Exact<{
  from?: string | null | undefined;
  to?: string | null | undefined;
}>;


export type SafetyStatsQuery = { safetyStats: { from: string, to: string, all: { block: number, mask: number, review: number, total: number }, input: { total: number }, output: { total: number }, days: Array<{ day: string, all: { block: number, mask: number, review: number } }> } };

export type SystemInferenceServersQueryVariables = Exact<{ [key: string]: never; }>;


export type SystemInferenceServersQuery = { inferenceServers: Array<{ url: string, reachable: boolean, ready: boolean, responseTimeMs: number | null, models: Array<string>, runningSequences: number | null, queuedSequences: number | null, tokensPerSecond: number | null, generatedTokensTotal: number | null, scrapedAt: string, error: string | null }> };

export type TrainingRunFieldsFragment = { id: string, number: number, method: TrainingMethod, status: TrainingStatus, step: number, totalSteps: number | null, loss: number | null, etaSeconds: number | null, attempt: number, error: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, createdBy: string | null, datasetVersionId: string, cancelRequestedAt: string | null, baseModelVersion: { id: string, name: string }, modelVersion: { id: string, name: string } | null };

export type TrainingRunsQueryVariables = Exact<{
  first: number;
}>;


export type TrainingRunsQuery = { trainingRuns: Array<{ id: string, number: number, method: TrainingMethod, status: TrainingStatus, step: number, totalSteps: number | null, loss: number | null, etaSeconds: number | null, attempt: number, error: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, createdBy: string | null, datasetVersionId: string, cancelRequestedAt: string | null, baseModelVersion: { id: string, name: string }, modelVersion: { id: string, name: string } | null }> };

export type TrainingRunQueryVariables = Exact<{
  id: string | number;
}>;


export type TrainingRunQuery = { trainingRun: { hyperparameters: Record<string, unknown>, metrics: Record<string, unknown> | null, id: string, number: number, method: TrainingMethod, status: TrainingStatus, step: number, totalSteps: number | null, loss: number | null, etaSeconds: number | null, attempt: number, error: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, createdBy: string | null, datasetVersionId: string, cancelRequestedAt: string | null, lossCurve: Array<{ step: number, loss: number }>, baseModelVersion: { id: string, name: string }, modelVersion: { id: string, name: string } | null } };

export type TrainingRunLogQueryVariables = Exact<{
  id: string | number;
}>;


export type TrainingRunLogQuery = { trainingRunLog: { text: string, size: number } };

export type TrainingRunProgressSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type TrainingRunProgressSubscription = { trainingRunProgress: { id: string, number: number, method: TrainingMethod, status: TrainingStatus, step: number, totalSteps: number | null, loss: number | null, etaSeconds: number | null, attempt: number, error: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, createdBy: string | null, datasetVersionId: string, cancelRequestedAt: string | null, baseModelVersion: { id: string, name: string }, modelVersion: { id: string, name: string } | null } };

export type TrainingChoicesQueryVariables = Exact<{ [key: string]: never; }>;


export type TrainingChoicesQuery = { datasetVersions: Array<{ id: string, number: number, name: string | null, status: DatasetStatus, files: Array<{ path: string }> | null }>, modelVersions: Array<{ id: string, name: string, status: ModelVersionStatus }> };

export type StartTrainingRunMutationVariables = Exact<{
  input: StartTrainingRunInput;
}>;


export type StartTrainingRunMutation = { startTrainingRun: { id: string, number: number, method: TrainingMethod, status: TrainingStatus, step: number, totalSteps: number | null, loss: number | null, etaSeconds: number | null, attempt: number, error: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, createdBy: string | null, datasetVersionId: string, cancelRequestedAt: string | null, baseModelVersion: { id: string, name: string }, modelVersion: { id: string, name: string } | null } };

export type CancelTrainingRunMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelTrainingRunMutation = { cancelTrainingRun: { id: string, number: number, method: TrainingMethod, status: TrainingStatus, step: number, totalSteps: number | null, loss: number | null, etaSeconds: number | null, attempt: number, error: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, createdBy: string | null, datasetVersionId: string, cancelRequestedAt: string | null, baseModelVersion: { id: string, name: string }, modelVersion: { id: string, name: string } | null } };

export type ResumeTrainingRunMutationVariables = Exact<{
  id: string | number;
}>;


export type ResumeTrainingRunMutation = { resumeTrainingRun: { id: string, number: number, method: TrainingMethod, status: TrainingStatus, step: number, totalSteps: number | null, loss: number | null, etaSeconds: number | null, attempt: number, error: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, createdBy: string | null, datasetVersionId: string, cancelRequestedAt: string | null, baseModelVersion: { id: string, name: string }, modelVersion: { id: string, name: string } | null } };

export type UserRowFieldsFragment = { id: string, email: string, name: string | null, pseudonym: string, role: Role, disabled: boolean, createdAt: string };

export type AdminUsersQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  search?: string | null | undefined;
}>;


export type AdminUsersQuery = { users: Array<{ id: string, email: string, name: string | null, pseudonym: string, role: Role, disabled: boolean, createdAt: string }> };

export type AdminCreateUserMutationVariables = Exact<{
  input: CreateUserInput;
}>;


export type AdminCreateUserMutation = { createUser: { id: string, email: string, name: string | null, pseudonym: string, role: Role, disabled: boolean, createdAt: string } };

export type AdminUpdateUserMutationVariables = Exact<{
  id: string | number;
  role?: Role | null | undefined;
  disabled?: boolean | null | undefined;
}>;


export type AdminUpdateUserMutation = { updateUser: { id: string, email: string, name: string | null, pseudonym: string, role: Role, disabled: boolean, createdAt: string } };

export type AdminEraseUserMutationVariables = Exact<{
  id: string | number;
}>;


export type AdminEraseUserMutation = { eraseUser: { pseudonym: string, conversations: number, messages: number, ratings: number, apiKeys: number } };

export type AdminApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type AdminApiKeysQuery = { apiKeys: Array<{ id: string, name: string, prefix: string, scopes: Array<ApiKeyScope>, createdAt: string, lastUsedAt: string | null, revokedAt: string | null }> };

export type AdminCreateApiKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type AdminCreateApiKeyMutation = { createApiKey: { secret: string, apiKey: { id: string, name: string, prefix: string } } };

export type AdminRevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type AdminRevokeApiKeyMutation = { revokeApiKey: { id: string, revokedAt: string | null } };

export type ConsoleServerMeQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleServerMeQuery = { me: { id: string, email: string, name: string | null, role: Role } };

export type SessionFieldsFragment = { accessToken: string, refreshToken: string, expiresIn: number, user: { id: string, email: string, name: string | null, role: Role } };

export type ConsoleLoginMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type ConsoleLoginMutation = { login: { accessToken: string, refreshToken: string, expiresIn: number, user: { id: string, email: string, name: string | null, role: Role } } };

export type ConsoleRefreshMutationVariables = Exact<{
  token: string;
}>;


export type ConsoleRefreshMutation = { refreshToken: { accessToken: string, refreshToken: string, expiresIn: number, user: { id: string, email: string, name: string | null, role: Role } } };

export type ConsoleLogoutMutationVariables = Exact<{
  refreshToken: string;
}>;


export type ConsoleLogoutMutation = { logout: boolean };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AuditRowFieldsFragmentDoc = new TypedDocumentString(`
    fragment AuditRowFields on AuditEntry {
  seq
  at
  action
  outcome
  actor {
    kind
    pseudonym
    role
    apiKeyId
  }
  subject {
    type
    id
    owner
  }
}
    `, {"fragmentName":"AuditRowFields"}) as unknown as TypedDocumentString<AuditRowFieldsFragment, unknown>;
export const AuditCheckpointFieldsFragmentDoc = new TypedDocumentString(`
    fragment AuditCheckpointFields on AuditCheckpoint {
  seq
  hash
  at
  keyId
  signature
  signatureValid
}
    `, {"fragmentName":"AuditCheckpointFields"}) as unknown as TypedDocumentString<AuditCheckpointFieldsFragment, unknown>;
export const ChatMessageFragmentDoc = new TypedDocumentString(`
    fragment ChatMessage on Message {
  id
  parentId
  role
  content
  status
  model
  finishReason
  errorCode
  errorMessage
  createdAt
  safety
  myRating {
    id
    thumb
    score
    tags
    comment
  }
}
    `, {"fragmentName":"ChatMessage"}) as unknown as TypedDocumentString<ChatMessageFragment, unknown>;
export const DatasetRowFieldsFragmentDoc = new TypedDocumentString(`
    fragment DatasetRowFields on DatasetVersion {
  id
  number
  name
  status
  progress
  counts
  createdAt
  completedAt
  createdBy
}
    `, {"fragmentName":"DatasetRowFields"}) as unknown as TypedDocumentString<DatasetRowFieldsFragment, unknown>;
export const ModelVersionFieldsFragmentDoc = new TypedDocumentString(`
    fragment ModelVersionFields on ModelVersion {
  id
  name
  status
  canaryShare
  parentId
  previousActiveId
  datasetVersionId
  trainingRunId
  createdAt
  activatedAt
  createdBy
  sha256
}
    `, {"fragmentName":"ModelVersionFields"}) as unknown as TypedDocumentString<ModelVersionFieldsFragment, unknown>;
export const ReviewItemFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"ReviewItemFields"}) as unknown as TypedDocumentString<ReviewItemFieldsFragment, unknown>;
export const ReviewFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"ReviewFields"}) as unknown as TypedDocumentString<ReviewFieldsFragment, unknown>;
export const SafetyTermFieldsFragmentDoc = new TypedDocumentString(`
    fragment SafetyTermFields on SafetyTerm {
  id
  term
  level
  category
  language
  wholeWord
  enabled
  version
  updatedAt
}
    `, {"fragmentName":"SafetyTermFields"}) as unknown as TypedDocumentString<SafetyTermFieldsFragment, unknown>;
export const RewriteRuleFieldsFragmentDoc = new TypedDocumentString(`
    fragment RewriteRuleFields on RewriteRule {
  id
  pattern
  replacement
  regex
  caseSensitive
  description
  enabled
  version
}
    `, {"fragmentName":"RewriteRuleFields"}) as unknown as TypedDocumentString<RewriteRuleFieldsFragment, unknown>;
export const TrainingRunFieldsFragmentDoc = new TypedDocumentString(`
    fragment TrainingRunFields on TrainingRun {
  id
  number
  method
  status
  step
  totalSteps
  loss
  etaSeconds
  attempt
  error
  createdAt
  startedAt
  finishedAt
  createdBy
  datasetVersionId
  cancelRequestedAt
  baseModelVersion {
    id
    name
  }
  modelVersion {
    id
    name
  }
}
    `, {"fragmentName":"TrainingRunFields"}) as unknown as TypedDocumentString<TrainingRunFieldsFragment, unknown>;
export const UserRowFieldsFragmentDoc = new TypedDocumentString(`
    fragment UserRowFields on User {
  id
  email
  name
  pseudonym
  role
  disabled
  createdAt
}
    `, {"fragmentName":"UserRowFields"}) as unknown as TypedDocumentString<UserRowFieldsFragment, unknown>;
export const SessionFieldsFragmentDoc = new TypedDocumentString(`
    fragment SessionFields on AuthPayload {
  accessToken
  refreshToken
  expiresIn
  user {
    id
    email
    name
    role
  }
}
    `, {"fragmentName":"SessionFields"}) as unknown as TypedDocumentString<SessionFieldsFragment, unknown>;
export const AuditEntriesDocument = new TypedDocumentString(`
    query AuditEntries($filter: AuditFilterInput, $first: Int, $after: String) {
  auditEntries(filter: $filter, first: $first, after: $after) {
    edges {
      cursor
      node {
        ...AuditRowFields
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment AuditRowFields on AuditEntry {
  seq
  at
  action
  outcome
  actor {
    kind
    pseudonym
    role
    apiKeyId
  }
  subject {
    type
    id
    owner
  }
}`) as unknown as TypedDocumentString<AuditEntriesQuery, AuditEntriesQueryVariables>;
export const AuditEntryDocument = new TypedDocumentString(`
    query AuditEntry($seq: SafeInt!) {
  auditEntry(seq: $seq) {
    entry {
      ...AuditRowFields
      requestId
      clientIp
      userAgent
      before
      after
      prevHash
      hash
    }
    checkpoint {
      ...AuditCheckpointFields
    }
  }
}
    fragment AuditRowFields on AuditEntry {
  seq
  at
  action
  outcome
  actor {
    kind
    pseudonym
    role
    apiKeyId
  }
  subject {
    type
    id
    owner
  }
}
fragment AuditCheckpointFields on AuditCheckpoint {
  seq
  hash
  at
  keyId
  signature
  signatureValid
}`) as unknown as TypedDocumentString<AuditEntryQuery, AuditEntryQueryVariables>;
export const AuditStatsDocument = new TypedDocumentString(`
    query AuditStats($filter: AuditFilterInput) {
  auditStats(filter: $filter) {
    perDay {
      day
      outcome
      count
    }
    denialsByAction {
      action
      count
    }
  }
}
    `) as unknown as TypedDocumentString<AuditStatsQuery, AuditStatsQueryVariables>;
export const VerifyAuditChainDocument = new TypedDocumentString(`
    query VerifyAuditChain($from: SafeInt, $to: SafeInt) {
  verifyAuditChain(from: $from, to: $to) {
    valid
    checked
    firstSeq
    lastSeq
    checkpointsVerified
    lastCheckpointSeq
    broken {
      seq
      reason
      detail
    }
    ms
  }
}
    `) as unknown as TypedDocumentString<VerifyAuditChainQuery, VerifyAuditChainQueryVariables>;
export const AuditCheckpointsDocument = new TypedDocumentString(`
    query AuditCheckpoints($first: Int) {
  auditCheckpoints(first: $first) {
    ...AuditCheckpointFields
  }
  auditPublicKey {
    keyId
    pem
  }
}
    fragment AuditCheckpointFields on AuditCheckpoint {
  seq
  hash
  at
  keyId
  signature
  signatureValid
}`) as unknown as TypedDocumentString<AuditCheckpointsQuery, AuditCheckpointsQueryVariables>;
export const ExportAuditDocument = new TypedDocumentString(`
    mutation ExportAudit($format: AuditExportFormat!, $filter: AuditFilterInput) {
  exportAudit(format: $format, filter: $filter) {
    downloadPath
    expiresAt
    format
    fromSeq
    toSeq
    checkpoint {
      seq
    }
  }
}
    `) as unknown as TypedDocumentString<ExportAuditMutation, ExportAuditMutationVariables>;
export const CreateAuditCheckpointDocument = new TypedDocumentString(`
    mutation CreateAuditCheckpoint {
  createAuditCheckpoint {
    ...AuditCheckpointFields
  }
}
    fragment AuditCheckpointFields on AuditCheckpoint {
  seq
  hash
  at
  keyId
  signature
  signatureValid
}`) as unknown as TypedDocumentString<CreateAuditCheckpointMutation, CreateAuditCheckpointMutationVariables>;
export const ChatConversationsDocument = new TypedDocumentString(`
    query ChatConversations($after: String, $search: String) {
  conversations(first: 50, after: $after, search: $search) {
    edges {
      node {
        id
        title
        updatedAt
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ChatConversationsQuery, ChatConversationsQueryVariables>;
export const ChatConversationDocument = new TypedDocumentString(`
    query ChatConversation($id: ID!) {
  conversation(id: $id) {
    id
    title
    lockedAt
    messages {
      ...ChatMessage
    }
  }
}
    fragment ChatMessage on Message {
  id
  parentId
  role
  content
  status
  model
  finishReason
  errorCode
  errorMessage
  createdAt
  safety
  myRating {
    id
    thumb
    score
    tags
    comment
  }
}`) as unknown as TypedDocumentString<ChatConversationQuery, ChatConversationQueryVariables>;
export const ChatModelsDocument = new TypedDocumentString(`
    query ChatModels {
  models {
    id
  }
}
    `) as unknown as TypedDocumentString<ChatModelsQuery, ChatModelsQueryVariables>;
export const ChatSendDocument = new TypedDocumentString(`
    mutation ChatSend($input: SendMessageInput!) {
  sendMessage(input: $input) {
    conversation {
      id
      title
    }
    userMessage {
      ...ChatMessage
    }
    assistantMessage {
      ...ChatMessage
    }
  }
}
    fragment ChatMessage on Message {
  id
  parentId
  role
  content
  status
  model
  finishReason
  errorCode
  errorMessage
  createdAt
  safety
  myRating {
    id
    thumb
    score
    tags
    comment
  }
}`) as unknown as TypedDocumentString<ChatSendMutation, ChatSendMutationVariables>;
export const ChatRegenerateDocument = new TypedDocumentString(`
    mutation ChatRegenerate($messageId: ID!, $input: RegenerateInput) {
  regenerate(messageId: $messageId, input: $input) {
    ...ChatMessage
  }
}
    fragment ChatMessage on Message {
  id
  parentId
  role
  content
  status
  model
  finishReason
  errorCode
  errorMessage
  createdAt
  safety
  myRating {
    id
    thumb
    score
    tags
    comment
  }
}`) as unknown as TypedDocumentString<ChatRegenerateMutation, ChatRegenerateMutationVariables>;
export const ChatContinueDocument = new TypedDocumentString(`
    mutation ChatContinue($messageId: ID!, $input: RegenerateInput) {
  continueGeneration(messageId: $messageId, input: $input) {
    ...ChatMessage
  }
}
    fragment ChatMessage on Message {
  id
  parentId
  role
  content
  status
  model
  finishReason
  errorCode
  errorMessage
  createdAt
  safety
  myRating {
    id
    thumb
    score
    tags
    comment
  }
}`) as unknown as TypedDocumentString<ChatContinueMutation, ChatContinueMutationVariables>;
export const ChatEditAndResendDocument = new TypedDocumentString(`
    mutation ChatEditAndResend($messageId: ID!, $content: String!, $model: String) {
  editAndResend(messageId: $messageId, content: $content, model: $model) {
    userMessage {
      ...ChatMessage
    }
    assistantMessage {
      ...ChatMessage
    }
  }
}
    fragment ChatMessage on Message {
  id
  parentId
  role
  content
  status
  model
  finishReason
  errorCode
  errorMessage
  createdAt
  safety
  myRating {
    id
    thumb
    score
    tags
    comment
  }
}`) as unknown as TypedDocumentString<ChatEditAndResendMutation, ChatEditAndResendMutationVariables>;
export const ChatCancelDocument = new TypedDocumentString(`
    mutation ChatCancel($messageId: ID!) {
  cancelGeneration(messageId: $messageId) {
    ...ChatMessage
  }
}
    fragment ChatMessage on Message {
  id
  parentId
  role
  content
  status
  model
  finishReason
  errorCode
  errorMessage
  createdAt
  safety
  myRating {
    id
    thumb
    score
    tags
    comment
  }
}`) as unknown as TypedDocumentString<ChatCancelMutation, ChatCancelMutationVariables>;
export const ChatRateDocument = new TypedDocumentString(`
    mutation ChatRate($messageId: ID!, $input: RateMessageInput!) {
  rateMessage(messageId: $messageId, input: $input) {
    id
    thumb
    score
    tags
    comment
  }
}
    `) as unknown as TypedDocumentString<ChatRateMutation, ChatRateMutationVariables>;
export const ChatRenameDocument = new TypedDocumentString(`
    mutation ChatRename($id: ID!, $title: String!) {
  renameConversation(id: $id, title: $title) {
    id
    title
  }
}
    `) as unknown as TypedDocumentString<ChatRenameMutation, ChatRenameMutationVariables>;
export const ChatDeleteDocument = new TypedDocumentString(`
    mutation ChatDelete($id: ID!) {
  deleteConversation(id: $id)
}
    `) as unknown as TypedDocumentString<ChatDeleteMutation, ChatDeleteMutationVariables>;
export const ChatStreamDocument = new TypedDocumentString(`
    subscription ChatStream($messageId: ID!, $fromSeq: Int) {
  messageStream(messageId: $messageId, fromSeq: $fromSeq) {
    seq
    delta
    done
    queuePosition
    estimatedWaitMs
    status
    finishReason
    error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ChatStreamSubscription, ChatStreamSubscriptionVariables>;
export const DatasetVersionsDocument = new TypedDocumentString(`
    query DatasetVersions($first: Int!) {
  datasetVersions(first: $first) {
    ...DatasetRowFields
  }
}
    fragment DatasetRowFields on DatasetVersion {
  id
  number
  name
  status
  progress
  counts
  createdAt
  completedAt
  createdBy
}`) as unknown as TypedDocumentString<DatasetVersionsQuery, DatasetVersionsQueryVariables>;
export const DatasetVersionDocument = new TypedDocumentString(`
    query DatasetVersion($id: ID!) {
  datasetVersion(id: $id) {
    ...DatasetRowFields
    error
    filters
    testShare
    sha256
    files {
      path
      records
      bytes
      sha256
    }
    card
  }
}
    fragment DatasetRowFields on DatasetVersion {
  id
  number
  name
  status
  progress
  counts
  createdAt
  completedAt
  createdBy
}`) as unknown as TypedDocumentString<DatasetVersionQuery, DatasetVersionQueryVariables>;
export const CreateDatasetVersionDocument = new TypedDocumentString(`
    mutation CreateDatasetVersion($input: CreateDatasetVersionInput) {
  createDatasetVersion(input: $input) {
    ...DatasetRowFields
  }
}
    fragment DatasetRowFields on DatasetVersion {
  id
  number
  name
  status
  progress
  counts
  createdAt
  completedAt
  createdBy
}`) as unknown as TypedDocumentString<CreateDatasetVersionMutation, CreateDatasetVersionMutationVariables>;
export const DatasetDownloadDocument = new TypedDocumentString(`
    mutation DatasetDownload($id: ID!, $path: String!) {
  datasetDownload(id: $id, path: $path) {
    url
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<DatasetDownloadMutation, DatasetDownloadMutationVariables>;
export const ModelVersionsDocument = new TypedDocumentString(`
    query ModelVersions {
  modelVersions(first: 100) {
    ...ModelVersionFields
  }
}
    fragment ModelVersionFields on ModelVersion {
  id
  name
  status
  canaryShare
  parentId
  previousActiveId
  datasetVersionId
  trainingRunId
  createdAt
  activatedAt
  createdBy
  sha256
}`) as unknown as TypedDocumentString<ModelVersionsQuery, ModelVersionsQueryVariables>;
export const ModelVersionDetailDocument = new TypedDocumentString(`
    query ModelVersionDetail($id: ID!) {
  modelVersion(id: $id) {
    id
    metrics
    files {
      path
      bytes
      sha256
    }
  }
}
    `) as unknown as TypedDocumentString<ModelVersionDetailQuery, ModelVersionDetailQueryVariables>;
export const ModelComparisonDocument = new TypedDocumentString(`
    query ModelComparison($baselineId: ID, $challengerId: ID) {
  modelComparison(baselineId: $baselineId, challengerId: $challengerId) {
    baseline {
      id
      name
    }
    challenger {
      id
      name
    }
    n
    items
    wins
    losses
    ties
    winRate
    low
    high
    confidence
  }
}
    `) as unknown as TypedDocumentString<ModelComparisonQuery, ModelComparisonQueryVariables>;
export const ActivateModelVersionDocument = new TypedDocumentString(`
    mutation ActivateModelVersion($id: ID!) {
  activateModelVersion(id: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<ActivateModelVersionMutation, ActivateModelVersionMutationVariables>;
export const SetCanaryModelVersionDocument = new TypedDocumentString(`
    mutation SetCanaryModelVersion($id: ID!, $share: Float!) {
  setCanaryModelVersion(id: $id, share: $share) {
    id
    status
    canaryShare
  }
}
    `) as unknown as TypedDocumentString<SetCanaryModelVersionMutation, SetCanaryModelVersionMutationVariables>;
export const RollbackModelVersionDocument = new TypedDocumentString(`
    mutation RollbackModelVersion {
  rollbackModelVersion {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<RollbackModelVersionMutation, RollbackModelVersionMutationVariables>;
export const CreateArenaItemsDocument = new TypedDocumentString(`
    mutation CreateArenaItems($input: CreateArenaItemsInput) {
  createArenaItems(input: $input) {
    baseline
    challenger
    created
  }
}
    `) as unknown as TypedDocumentString<CreateArenaItemsMutation, CreateArenaItemsMutationVariables>;
export const ReviewQueueDocument = new TypedDocumentString(`
    query ReviewQueue {
  reviewQueue {
    open
    pending
    claimed
    adjudication
    done
  }
}
    `) as unknown as TypedDocumentString<ReviewQueueQuery, ReviewQueueQueryVariables>;
export const ReviewMyClaimsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<ReviewMyClaimsQuery, ReviewMyClaimsQueryVariables>;
export const ReviewClaimNextDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<ReviewClaimNextMutation, ReviewClaimNextMutationVariables>;
export const ReviewLabelItemDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<ReviewLabelItemQuery, ReviewLabelItemQueryVariables>;
export const ReviewSubmitAndNextDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<ReviewSubmitAndNextMutation, ReviewSubmitAndNextMutationVariables>;
export const ReviewReleaseDocument = new TypedDocumentString(`
    mutation ReviewRelease($itemId: ID!) {
  releaseReviewClaim(itemId: $itemId) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<ReviewReleaseMutation, ReviewReleaseMutationVariables>;
export const ReviewOutcomeDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<ReviewOutcomeQuery, ReviewOutcomeQueryVariables>;
export const ReviewAdjudicationListDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<ReviewAdjudicationListQuery, ReviewAdjudicationListQueryVariables>;
export const ReviewAdjudicationItemDocument = new TypedDocumentString(`
    query ReviewAdjudicationItem($id: ID!) {
  reviewItem(id: $id) {
    ...ReviewItemFields
    agreement
    reviews {
      ...ReviewFields
    }
  }
}
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
}`) as unknown as TypedDocumentString<ReviewAdjudicationItemQuery, ReviewAdjudicationItemQueryVariables>;
export const ReviewAdjudicateDocument = new TypedDocumentString(`
    mutation ReviewAdjudicate($itemId: ID!, $input: ReviewInput!) {
  adjudicateReviewItem(itemId: $itemId, input: $input) {
    id
    status
    agreement
  }
}
    `) as unknown as TypedDocumentString<ReviewAdjudicateMutation, ReviewAdjudicateMutationVariables>;
export const ReviewAgreementDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<ReviewAgreementQuery, ReviewAgreementQueryVariables>;
export const ReviewSettingsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<ReviewSettingsQuery, ReviewSettingsQueryVariables>;
export const CollectReviewItemsDocument = new TypedDocumentString(`
    mutation CollectReviewItems {
  collectReviewItems {
    sample
    lowRating
    siblings
    safety
    generated
  }
}
    `) as unknown as TypedDocumentString<CollectReviewItemsMutation, CollectReviewItemsMutationVariables>;
export const SafetyTermsDocument = new TypedDocumentString(`
    query SafetyTerms($first: Int!, $offset: Int!, $search: String, $level: SafetyLevel, $category: String) {
  safetyTerms(
    first: $first
    offset: $offset
    search: $search
    level: $level
    category: $category
  ) {
    ...SafetyTermFields
  }
  safetyStatus {
    enabled
    version
    latestVersion
  }
}
    fragment SafetyTermFields on SafetyTerm {
  id
  term
  level
  category
  language
  wholeWord
  enabled
  version
  updatedAt
}`) as unknown as TypedDocumentString<SafetyTermsQuery, SafetyTermsQueryVariables>;
export const SafetyCreateTermDocument = new TypedDocumentString(`
    mutation SafetyCreateTerm($input: CreateSafetyTermInput!) {
  createSafetyTerm(input: $input) {
    ...SafetyTermFields
  }
}
    fragment SafetyTermFields on SafetyTerm {
  id
  term
  level
  category
  language
  wholeWord
  enabled
  version
  updatedAt
}`) as unknown as TypedDocumentString<SafetyCreateTermMutation, SafetyCreateTermMutationVariables>;
export const SafetyUpdateTermDocument = new TypedDocumentString(`
    mutation SafetyUpdateTerm($id: ID!, $input: UpdateSafetyTermInput!) {
  updateSafetyTerm(id: $id, input: $input) {
    ...SafetyTermFields
  }
}
    fragment SafetyTermFields on SafetyTerm {
  id
  term
  level
  category
  language
  wholeWord
  enabled
  version
  updatedAt
}`) as unknown as TypedDocumentString<SafetyUpdateTermMutation, SafetyUpdateTermMutationVariables>;
export const SafetyDeleteTermDocument = new TypedDocumentString(`
    mutation SafetyDeleteTerm($id: ID!) {
  deleteSafetyTerm(id: $id)
}
    `) as unknown as TypedDocumentString<SafetyDeleteTermMutation, SafetyDeleteTermMutationVariables>;
export const SafetyImportTermsDocument = new TypedDocumentString(`
    mutation SafetyImportTerms($csv: String!) {
  importSafetyTerms(csv: $csv) {
    rows
    created
    updated
    unchanged
    duplicates
    version
  }
}
    `) as unknown as TypedDocumentString<SafetyImportTermsMutation, SafetyImportTermsMutationVariables>;
export const SafetyRewriteRulesDocument = new TypedDocumentString(`
    query SafetyRewriteRules {
  rewriteRules {
    ...RewriteRuleFields
  }
}
    fragment RewriteRuleFields on RewriteRule {
  id
  pattern
  replacement
  regex
  caseSensitive
  description
  enabled
  version
}`) as unknown as TypedDocumentString<SafetyRewriteRulesQuery, SafetyRewriteRulesQueryVariables>;
export const SafetyCreateRuleDocument = new TypedDocumentString(`
    mutation SafetyCreateRule($input: CreateRewriteRuleInput!) {
  createRewriteRule(input: $input) {
    ...RewriteRuleFields
  }
}
    fragment RewriteRuleFields on RewriteRule {
  id
  pattern
  replacement
  regex
  caseSensitive
  description
  enabled
  version
}`) as unknown as TypedDocumentString<SafetyCreateRuleMutation, SafetyCreateRuleMutationVariables>;
export const SafetyUpdateRuleDocument = new TypedDocumentString(`
    mutation SafetyUpdateRule($id: ID!, $input: UpdateRewriteRuleInput!) {
  updateRewriteRule(id: $id, input: $input) {
    ...RewriteRuleFields
  }
}
    fragment RewriteRuleFields on RewriteRule {
  id
  pattern
  replacement
  regex
  caseSensitive
  description
  enabled
  version
}`) as unknown as TypedDocumentString<SafetyUpdateRuleMutation, SafetyUpdateRuleMutationVariables>;
export const SafetyDeleteRuleDocument = new TypedDocumentString(`
    mutation SafetyDeleteRule($id: ID!) {
  deleteRewriteRule(id: $id)
}
    `) as unknown as TypedDocumentString<SafetyDeleteRuleMutation, SafetyDeleteRuleMutationVariables>;
export const SafetyEscalationsDocument = new TypedDocumentString(`
    query SafetyEscalations($open: Boolean) {
  safetyEscalations(open: $open, first: 100) {
    id
    at
    step
    scope
    count
    windowSeconds
    conversationId
    personPseudonym
    resolution
    resolvedAt
    resolvedBy
  }
}
    `) as unknown as TypedDocumentString<SafetyEscalationsQuery, SafetyEscalationsQueryVariables>;
export const SafetyResolveEscalationDocument = new TypedDocumentString(`
    mutation SafetyResolveEscalation($id: ID!, $resolution: String!) {
  resolveSafetyEscalation(id: $id, resolution: $resolution) {
    id
    resolvedAt
  }
}
    `) as unknown as TypedDocumentString<SafetyResolveEscalationMutation, SafetyResolveEscalationMutationVariables>;
export const SafetyUnlockConversationDocument = new TypedDocumentString(`
    mutation SafetyUnlockConversation($id: ID!) {
  unlockConversation(id: $id) {
    id
  }
}
    `) as unknown as TypedDocumentString<SafetyUnlockConversationMutation, SafetyUnlockConversationMutationVariables>;
export const SafetyPreviewDocument = new TypedDocumentString(`
    query SafetyPreview($text: String!, $direction: SafetyDirection!) {
  safetyPreview(text: $text, direction: $direction) {
    enabled
    version
    outcome
    level
    text
    scannedText
    matches {
      termId
      term
      termNormalized
      category
      level
      action
      matched
      normalized
      start
      end
      wholeWord
      afterMasking
    }
    rewrites {
      ruleId
      pattern
      replacement
      regex
      applications
    }
  }
}
    `) as unknown as TypedDocumentString<SafetyPreviewQuery, SafetyPreviewQueryVariables>;
export const SafetyStatsDocument = new TypedDocumentString(`
    query SafetyStats($from: DateTimeISO, $to: DateTimeISO) {
  safetyStats(from: $from, to: $to) {
    from
    to
    all {
      block
      mask
      review
      total
    }
    input {
      total
    }
    output {
      total
    }
    days {
      day
      all {
        block
        mask
        review
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SafetyStatsQuery, SafetyStatsQueryVariables>;
export const SystemInferenceServersDocument = new TypedDocumentString(`
    query SystemInferenceServers {
  inferenceServers {
    url
    reachable
    ready
    responseTimeMs
    models
    runningSequences
    queuedSequences
    tokensPerSecond
    generatedTokensTotal
    scrapedAt
    error
  }
}
    `) as unknown as TypedDocumentString<SystemInferenceServersQuery, SystemInferenceServersQueryVariables>;
export const TrainingRunsDocument = new TypedDocumentString(`
    query TrainingRuns($first: Int!) {
  trainingRuns(first: $first) {
    ...TrainingRunFields
  }
}
    fragment TrainingRunFields on TrainingRun {
  id
  number
  method
  status
  step
  totalSteps
  loss
  etaSeconds
  attempt
  error
  createdAt
  startedAt
  finishedAt
  createdBy
  datasetVersionId
  cancelRequestedAt
  baseModelVersion {
    id
    name
  }
  modelVersion {
    id
    name
  }
}`) as unknown as TypedDocumentString<TrainingRunsQuery, TrainingRunsQueryVariables>;
export const TrainingRunDocument = new TypedDocumentString(`
    query TrainingRun($id: ID!) {
  trainingRun(id: $id) {
    ...TrainingRunFields
    hyperparameters
    metrics
    lossCurve(points: 500) {
      step
      loss
    }
  }
}
    fragment TrainingRunFields on TrainingRun {
  id
  number
  method
  status
  step
  totalSteps
  loss
  etaSeconds
  attempt
  error
  createdAt
  startedAt
  finishedAt
  createdBy
  datasetVersionId
  cancelRequestedAt
  baseModelVersion {
    id
    name
  }
  modelVersion {
    id
    name
  }
}`) as unknown as TypedDocumentString<TrainingRunQuery, TrainingRunQueryVariables>;
export const TrainingRunLogDocument = new TypedDocumentString(`
    query TrainingRunLog($id: ID!) {
  trainingRunLog(id: $id, bytes: 16384) {
    text
    size
  }
}
    `) as unknown as TypedDocumentString<TrainingRunLogQuery, TrainingRunLogQueryVariables>;
export const TrainingRunProgressDocument = new TypedDocumentString(`
    subscription TrainingRunProgress($id: ID!) {
  trainingRunProgress(id: $id) {
    ...TrainingRunFields
  }
}
    fragment TrainingRunFields on TrainingRun {
  id
  number
  method
  status
  step
  totalSteps
  loss
  etaSeconds
  attempt
  error
  createdAt
  startedAt
  finishedAt
  createdBy
  datasetVersionId
  cancelRequestedAt
  baseModelVersion {
    id
    name
  }
  modelVersion {
    id
    name
  }
}`) as unknown as TypedDocumentString<TrainingRunProgressSubscription, TrainingRunProgressSubscriptionVariables>;
export const TrainingChoicesDocument = new TypedDocumentString(`
    query TrainingChoices {
  datasetVersions(first: 50) {
    id
    number
    name
    status
    files {
      path
    }
  }
  modelVersions(first: 50) {
    id
    name
    status
  }
}
    `) as unknown as TypedDocumentString<TrainingChoicesQuery, TrainingChoicesQueryVariables>;
export const StartTrainingRunDocument = new TypedDocumentString(`
    mutation StartTrainingRun($input: StartTrainingRunInput!) {
  startTrainingRun(input: $input) {
    ...TrainingRunFields
  }
}
    fragment TrainingRunFields on TrainingRun {
  id
  number
  method
  status
  step
  totalSteps
  loss
  etaSeconds
  attempt
  error
  createdAt
  startedAt
  finishedAt
  createdBy
  datasetVersionId
  cancelRequestedAt
  baseModelVersion {
    id
    name
  }
  modelVersion {
    id
    name
  }
}`) as unknown as TypedDocumentString<StartTrainingRunMutation, StartTrainingRunMutationVariables>;
export const CancelTrainingRunDocument = new TypedDocumentString(`
    mutation CancelTrainingRun($id: ID!) {
  cancelTrainingRun(id: $id) {
    ...TrainingRunFields
  }
}
    fragment TrainingRunFields on TrainingRun {
  id
  number
  method
  status
  step
  totalSteps
  loss
  etaSeconds
  attempt
  error
  createdAt
  startedAt
  finishedAt
  createdBy
  datasetVersionId
  cancelRequestedAt
  baseModelVersion {
    id
    name
  }
  modelVersion {
    id
    name
  }
}`) as unknown as TypedDocumentString<CancelTrainingRunMutation, CancelTrainingRunMutationVariables>;
export const ResumeTrainingRunDocument = new TypedDocumentString(`
    mutation ResumeTrainingRun($id: ID!) {
  resumeTrainingRun(id: $id) {
    ...TrainingRunFields
  }
}
    fragment TrainingRunFields on TrainingRun {
  id
  number
  method
  status
  step
  totalSteps
  loss
  etaSeconds
  attempt
  error
  createdAt
  startedAt
  finishedAt
  createdBy
  datasetVersionId
  cancelRequestedAt
  baseModelVersion {
    id
    name
  }
  modelVersion {
    id
    name
  }
}`) as unknown as TypedDocumentString<ResumeTrainingRunMutation, ResumeTrainingRunMutationVariables>;
export const AdminUsersDocument = new TypedDocumentString(`
    query AdminUsers($first: Int, $after: String, $search: String) {
  users(first: $first, after: $after, search: $search) {
    ...UserRowFields
  }
}
    fragment UserRowFields on User {
  id
  email
  name
  pseudonym
  role
  disabled
  createdAt
}`) as unknown as TypedDocumentString<AdminUsersQuery, AdminUsersQueryVariables>;
export const AdminCreateUserDocument = new TypedDocumentString(`
    mutation AdminCreateUser($input: CreateUserInput!) {
  createUser(input: $input) {
    ...UserRowFields
  }
}
    fragment UserRowFields on User {
  id
  email
  name
  pseudonym
  role
  disabled
  createdAt
}`) as unknown as TypedDocumentString<AdminCreateUserMutation, AdminCreateUserMutationVariables>;
export const AdminUpdateUserDocument = new TypedDocumentString(`
    mutation AdminUpdateUser($id: ID!, $role: Role, $disabled: Boolean) {
  updateUser(id: $id, role: $role, disabled: $disabled) {
    ...UserRowFields
  }
}
    fragment UserRowFields on User {
  id
  email
  name
  pseudonym
  role
  disabled
  createdAt
}`) as unknown as TypedDocumentString<AdminUpdateUserMutation, AdminUpdateUserMutationVariables>;
export const AdminEraseUserDocument = new TypedDocumentString(`
    mutation AdminEraseUser($id: ID!) {
  eraseUser(id: $id) {
    pseudonym
    conversations
    messages
    ratings
    apiKeys
  }
}
    `) as unknown as TypedDocumentString<AdminEraseUserMutation, AdminEraseUserMutationVariables>;
export const AdminApiKeysDocument = new TypedDocumentString(`
    query AdminApiKeys {
  apiKeys {
    id
    name
    prefix
    scopes
    createdAt
    lastUsedAt
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<AdminApiKeysQuery, AdminApiKeysQueryVariables>;
export const AdminCreateApiKeyDocument = new TypedDocumentString(`
    mutation AdminCreateApiKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    secret
    apiKey {
      id
      name
      prefix
    }
  }
}
    `) as unknown as TypedDocumentString<AdminCreateApiKeyMutation, AdminCreateApiKeyMutationVariables>;
export const AdminRevokeApiKeyDocument = new TypedDocumentString(`
    mutation AdminRevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    id
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<AdminRevokeApiKeyMutation, AdminRevokeApiKeyMutationVariables>;
export const ConsoleServerMeDocument = new TypedDocumentString(`
    query ConsoleServerMe {
  me {
    id
    email
    name
    role
  }
}
    `) as unknown as TypedDocumentString<ConsoleServerMeQuery, ConsoleServerMeQueryVariables>;
export const ConsoleLoginDocument = new TypedDocumentString(`
    mutation ConsoleLogin($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    ...SessionFields
  }
}
    fragment SessionFields on AuthPayload {
  accessToken
  refreshToken
  expiresIn
  user {
    id
    email
    name
    role
  }
}`) as unknown as TypedDocumentString<ConsoleLoginMutation, ConsoleLoginMutationVariables>;
export const ConsoleRefreshDocument = new TypedDocumentString(`
    mutation ConsoleRefresh($token: String!) {
  refreshToken(token: $token) {
    ...SessionFields
  }
}
    fragment SessionFields on AuthPayload {
  accessToken
  refreshToken
  expiresIn
  user {
    id
    email
    name
    role
  }
}`) as unknown as TypedDocumentString<ConsoleRefreshMutation, ConsoleRefreshMutationVariables>;
export const ConsoleLogoutDocument = new TypedDocumentString(`
    mutation ConsoleLogout($refreshToken: String!) {
  logout(refreshToken: $refreshToken)
}
    `) as unknown as TypedDocumentString<ConsoleLogoutMutation, ConsoleLogoutMutationVariables>;