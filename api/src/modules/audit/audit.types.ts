import { GraphQLJSON, GraphQLSafeInt } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ACTOR_KINDS, OUTCOMES } from './chain.js';

export const AuditOutcomeEnum = Object.fromEntries(OUTCOMES.map((o) => [o, o])) as { [K in (typeof OUTCOMES)[number]]: K };
registerEnumType(AuditOutcomeEnum, { name: 'AuditOutcome', description: 'ALLOWED: done; DENIED: refused by authentication or authorization; FAILED: attempted and failed' });
export const AuditActorKindEnum = Object.fromEntries(ACTOR_KINDS.map((o) => [o, o])) as { [K in (typeof ACTOR_KINDS)[number]]: K };
registerEnumType(AuditActorKindEnum, { name: 'AuditActorKind' });
export const AuditExportFormatEnum = { CSV: 'CSV', JSONL: 'JSONL' } as const;
registerEnumType(AuditExportFormatEnum, { name: 'AuditExportFormat' });

@ObjectType({ simpleResolvers: true })
export class AuditActor {
  @Field(() => AuditActorKindEnum) kind!: string;
  @Field(() => String, { nullable: true, description: 'The person, as a keyed pseudonym (u_…); service:<job> for jobs' }) pseudonym!: string | null;
  @Field(() => String, { nullable: true }) role!: string | null;
  @Field(() => ID, { nullable: true, description: 'The API key acting, when one did' }) apiKeyId!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class AuditSubject {
  @Field(() => String, { nullable: true }) type!: string | null;
  @Field(() => String, { nullable: true, description: 'The record; a person appears as their pseudonym' }) id!: string | null;
  @Field(() => String, { nullable: true, description: "Pseudonym of the person whose data it is" }) owner!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One entry of the tamper-evident audit trail' })
export class AuditEntry {
  @Field(() => GraphQLSafeInt) seq!: number;
  @Field(() => Date) at!: Date;
  @Field(() => AuditActor) actor!: AuditActor;
  @Field(() => String, { description: 'The operation (sendMessage, login, …) or job (retention.purgeConversations, …)' }) action!: string;
  @Field(() => AuditSubject) subject!: AuditSubject;
  @Field(() => AuditOutcomeEnum) outcome!: string;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field(() => String, { nullable: true }) clientIp!: string | null;
  @Field(() => String, { nullable: true }) userAgent!: string | null;
  @Field(() => GraphQLJSON, { nullable: true }) before!: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) after!: unknown;
  @Field(() => String) prevHash!: string;
  @Field(() => String) hash!: string;
}

@ObjectType({ simpleResolvers: true })
export class AuditEntryEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AuditEntry) node!: AuditEntry;
}

@ObjectType({ simpleResolvers: true })
export class AuditPageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class AuditEntryConnection {
  @Field(() => [AuditEntryEdge]) edges!: AuditEntryEdge[];
  @Field(() => AuditPageInfo) pageInfo!: AuditPageInfo;
}

@ObjectType({ simpleResolvers: true, description: 'A signed statement: entry `seq` has hash `hash` (Ed25519)' })
export class AuditCheckpoint {
  @Field(() => GraphQLSafeInt) seq!: number;
  @Field(() => String) hash!: string;
  @Field(() => String, { description: 'When it was signed (ISO 8601), part of the signed message' }) at!: string;
  @Field(() => String) keyId!: string;
  @Field(() => String, { description: 'Base64 Ed25519 signature over "dialoop-audit-checkpoint/v1\\n{seq}\\n{hash}\\n{at}"' }) signature!: string;
}

@ObjectType({ simpleResolvers: true })
export class AuditChainBreak {
  @Field(() => GraphQLSafeInt, { description: 'The first sequence number at which the chain does not hold' }) seq!: number;
  @Field(() => String, { description: 'HASH_MISMATCH, BROKEN_LINK, GAP, CHECKPOINT_MISMATCH, BAD_SIGNATURE or UNANCHORED' }) reason!: string;
  @Field(() => String) detail!: string;
}

@ObjectType({ simpleResolvers: true })
export class AuditVerification {
  @Field(() => Boolean) valid!: boolean;
  @Field(() => Int) checked!: number;
  @Field(() => GraphQLSafeInt, { nullable: true }) firstSeq!: number | null;
  @Field(() => GraphQLSafeInt, { nullable: true }) lastSeq!: number | null;
  @Field(() => Int) checkpointsVerified!: number;
  @Field(() => GraphQLSafeInt, { nullable: true, description: 'Entries after this one are protected by the chain, not yet by a signature' }) lastCheckpointSeq!: number | null;
  @Field(() => AuditChainBreak, { nullable: true }) broken!: AuditChainBreak | null;
  @Field(() => Int) ms!: number;
}

@ObjectType({ simpleResolvers: true })
export class AuditPublicKey {
  @Field(() => String) keyId!: string;
  @Field(() => String, { description: 'SPKI PEM: give it to `pnpm audit:verify --public-key`' }) pem!: string;
}

@ObjectType({ simpleResolvers: true })
export class AuditExport {
  @Field(() => String, { description: 'GET this path on the api (no header needed) within the expiry to stream the file' }) downloadPath!: string;
  @Field(() => Date) expiresAt!: Date;
  @Field(() => AuditExportFormatEnum) format!: string;
  @Field(() => GraphQLSafeInt, { nullable: true, description: 'First and last entry the file covers' }) fromSeq!: number | null;
  @Field(() => GraphQLSafeInt, { nullable: true }) toSeq!: number | null;
  @Field(() => AuditCheckpoint, { nullable: true, description: 'The signature covering the last entry' }) checkpoint!: AuditCheckpoint | null;
}

@InputType()
export class AuditFilterInput {
  @Field(() => String, { nullable: true, description: 'A pseudonym (u_…, service:…) or an account id' }) actor?: string;
  @Field(() => String, { nullable: true }) action?: string;
  @Field(() => String, { nullable: true }) subjectType?: string;
  @Field(() => String, { nullable: true }) subjectId?: string;
  @Field(() => AuditOutcomeEnum, { nullable: true }) outcome?: 'ALLOWED' | 'DENIED' | 'FAILED';
  @Field(() => Date, { nullable: true }) from?: Date;
  @Field(() => Date, { nullable: true }) to?: Date;
}

@ObjectType({ description: 'One entry with the signed checkpoint that covers it' })
export class AuditEntryDetail {
  @Field(() => AuditEntry) entry!: AuditEntry;
  @Field(() => AuditCheckpoint, { nullable: true, description: 'The first checkpoint at or after the entry; null while the chain alone protects it' }) checkpoint!: AuditCheckpoint | null;
}

@ObjectType()
export class AuditDayCount {
  @Field(() => String, { description: 'The day (UTC), YYYY-MM-DD' }) day!: string;
  @Field(() => AuditOutcomeEnum) outcome!: string;
  @Field(() => Int) count!: number;
}

@ObjectType()
export class AuditActionCount {
  @Field(() => String) action!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'What the filter matches, counted' })
export class AuditStats {
  @Field(() => [AuditDayCount], { description: 'Entries per day by outcome' }) perDay!: AuditDayCount[];
  @Field(() => [AuditActionCount], { description: 'Denied entries by action, most first (at most 20)' }) denialsByAction!: AuditActionCount[];
}
