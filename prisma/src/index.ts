// @dialoop/db: the Prisma client for Dialoop's schema, on PostgreSQL or embedded PGlite, and the
// migrations that create it. Test helpers live in the `@dialoop/db/testing` entry.
export { PrismaClient, Prisma } from './generated/client.js';
export { Role, MessageRole, MessageStatus, Thumb, SafetyLevel, SafetyDirection, EscalationStep, ReviewKind, ReviewItemSource } from './generated/client.js';
export type { User, RefreshToken, ApiKey, Conversation, Message, Rating, SafetyTerm, RewriteRule, SafetyEvent, SafetyEscalation, ReviewItem, ReviewCandidate, ReviewClaim, Review, PreferencePair, LabelledReply, DatasetVersion, TrainingRun, ModelVersion } from './generated/client.js';
export { LISTENER_APPLICATION_NAME, openDatabase, type Database, type DatabaseOptions, type NotificationHandlers, type TextRows } from './database.js';
export { applyMigrations } from './migrations.js';
export { postgresTarget } from './postgres-url.js';
