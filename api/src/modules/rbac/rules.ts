/**
 * Who may do what, as data. The api builds a CASL ability from these rules for every request
 * (ability.ts); the console imports this same file (`@dialoop/api/rbac`) to hide what a person
 * cannot do. No server code here.
 *
 * A rule's `conditions` may name `${user.id}`, replaced by the caller's id when the ability is
 * built. Whatever no rule allows is denied.
 */
export const ROLES = ['USER', 'REVIEWER', 'COMPLIANCE', 'ADMIN', 'ML_ENGINEER', 'SENIOR_REVIEWER'] as const;
export type RoleName = (typeof ROLES)[number];

export const ACTIONS = ['manage', 'create', 'read', 'update', 'delete', 'cancel', 'export'] as const;
export type Action = (typeof ACTIONS)[number];

export const SUBJECTS = [
  'User',
  'ApiKey',
  'Conversation',
  'Message',
  'Rating',
  'Model',
  'AuditEntry',
  'AuditCheckpoint',
  'SafetyTerm',
  'RewriteRule',
  'SafetyEvent',
  'SafetyEscalation',
  'ReviewItem',
  'Review',
  'PreferencePair',
  'DatasetVersion',
  'DialogueImport',
  'ModelVersion',
  'TrainingRun',
  'InferenceServer',
  'all',
] as const;
export type SubjectName = (typeof SUBJECTS)[number];

export interface RuleData {
  action: Action | Action[];
  subject: SubjectName | SubjectName[];
  conditions?: Record<string, unknown>;
  fields?: string[];
  inverted?: boolean;
  reason?: string;
}

const SELF = '${user.id}';

/**
 * Fields of another person's account that non-admins may read: a person is known by a keyed
 * pseudonym, never by id, email or name (field-level rules, enforced on `User.id`, `email` and
 * `name` by `@ReadField`).
 */
export const PUBLIC_USER_FIELDS = ['pseudonym', 'role'];

/** Everything a person does with their own chats. */
const ownChat: RuleData[] = [
  { action: ['read', 'delete'], subject: 'User', conditions: { id: SELF } },
  { action: 'read', subject: 'Model' },
  { action: ['create', 'read', 'update', 'delete'], subject: 'Conversation', conditions: { userId: SELF } },
  { action: ['create', 'read', 'cancel'], subject: 'Message', conditions: { userId: SELF } },
  { action: ['create', 'read', 'update'], subject: 'Rating', conditions: { userId: SELF } },
  { action: ['create', 'read', 'delete'], subject: 'ApiKey', conditions: { userId: SELF } },
];

const reviewer: RuleData[] = [
  ...ownChat,
  { action: 'read', subject: ['Conversation', 'Message', 'Rating'] },
  { action: 'read', subject: 'User', fields: PUBLIC_USER_FIELDS },
  // What the content filter caught, and monitoring's items for them to resolve.
  { action: 'read', subject: 'SafetyEvent' },
  { action: ['read', 'update'], subject: 'SafetyEscalation' },
  // The review queue: items to claim and review. Others' reviews of an item are shown to a
  // reviewer only once their own is in (the service checks their claim).
  { action: 'read', subject: 'ReviewItem' },
  { action: 'create', subject: 'Review' },
];

export const ROLE_RULES: Record<RoleName, RuleData[]> = {
  USER: ownChat,
  // Reviewers chat like anyone and read others' conversations to review them (reads of
  // another person's data are audited); the people behind them only by pseudonym.
  REVIEWER: reviewer,
  // Compliance officers read and export the audit trail and nothing else; nobody writes it.
  COMPLIANCE: [
    { action: 'read', subject: 'User', conditions: { id: SELF } },
    { action: ['read', 'export'], subject: 'AuditEntry' },
  ],
  ADMIN: [
    ...ownChat,
    { action: 'manage', subject: ['User', 'ApiKey'] },
    { action: 'read', subject: ['Conversation', 'Message', 'Rating'] },
    // Admins read the trail (and sign a checkpoint now); exporting it stays with compliance officers.
    { action: 'read', subject: 'AuditEntry' },
    { action: 'create', subject: 'AuditCheckpoint' },
    // Term lists, rewrite rules and monitoring.
    { action: 'manage', subject: ['SafetyTerm', 'RewriteRule', 'SafetyEscalation'] },
    { action: 'read', subject: 'SafetyEvent' },
    // Review items by hand, adjudication, every review; preference data and dataset versions.
    { action: 'manage', subject: ['ReviewItem', 'Review'] },
    { action: 'read', subject: 'PreferencePair' },
    { action: ['create', 'read', 'export'], subject: 'DatasetVersion' },
    { action: 'create', subject: 'DialogueImport' },
    // The rollout (activate, canary, rollback) and registering versions; following and stopping training runs.
    { action: 'manage', subject: 'ModelVersion' },
    { action: ['read', 'cancel'], subject: 'TrainingRun' },
    // The model servers' health and load (inferenceServers).
    { action: 'read', subject: 'InferenceServer' },
  ],
  // Senior reviewers review like reviewers, read every review, and decide items whose reviews
  // disagree (adjudication), as admins do.
  SENIOR_REVIEWER: [...reviewer, { action: 'read', subject: 'Review' }, { action: 'update', subject: 'ReviewItem' }],
  // ML engineers build and download dataset versions, read preference pairs and agreement
  // (never reviewers' individual labels), import dialogue data, run the training job, register
  // and compare model versions (admins decide which get traffic), watch the model servers, and chat like anyone.
  ML_ENGINEER: [
    ...ownChat,
    { action: 'read', subject: 'PreferencePair' },
    { action: ['create', 'read', 'export'], subject: 'DatasetVersion' },
    { action: 'create', subject: 'DialogueImport' },
    { action: ['create', 'read', 'cancel'], subject: 'TrainingRun' },
    { action: ['create', 'read'], subject: 'ModelVersion' },
    // The model servers their versions run on (the console's system page).
    { action: 'read', subject: 'InferenceServer' },
  ],
};

/**
 * API key scopes: a key acts as its owner, narrowed to the rules its scopes name.
 * `chat` covers conversations and messages, `ratings` rating replies, `profile` reading one's own account,
 * `datasets` building, downloading and importing data (the CLI's scope; the owner's role must allow it too),
 * `training` starting and following training runs and registering model versions.
 */
export const API_KEY_SCOPES = {
  chat: [{ action: ['create', 'read', 'update', 'delete', 'cancel'], subject: ['Conversation', 'Message', 'Model'] }],
  ratings: [{ action: ['create', 'read', 'update'], subject: ['Rating'] }],
  profile: [{ action: ['read'], subject: ['User'] }],
  datasets: [{ action: ['create', 'read', 'export'], subject: ['DatasetVersion', 'PreferencePair', 'DialogueImport'] }],
  training: [
    { action: ['create', 'read', 'cancel'], subject: ['TrainingRun'] },
    { action: ['create', 'read'], subject: ['ModelVersion'] },
  ],
} as const satisfies Record<string, { action: Action[]; subject: SubjectName[] }[]>;
export type ApiKeyScope = keyof typeof API_KEY_SCOPES;
export const SCOPE_NAMES = Object.keys(API_KEY_SCOPES) as ApiKeyScope[];
