-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('ALLOWED', 'DENIED', 'FAILED');

-- CreateEnum
CREATE TYPE "AuditActorKind" AS ENUM ('USER', 'API_KEY', 'SERVICE', 'ANONYMOUS');

-- CreateTable
CREATE TABLE "AuditEntry" (
    "seq" BIGINT NOT NULL DEFAULT 0,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorKind" "AuditActorKind" NOT NULL,
    "actorPseudonym" TEXT,
    "actorRole" TEXT,
    "apiKeyId" TEXT,
    "action" TEXT NOT NULL,
    "subjectType" TEXT,
    "subjectId" TEXT,
    "subjectOwner" TEXT,
    "outcome" "AuditOutcome" NOT NULL,
    "requestId" TEXT,
    "clientIp" TEXT,
    "userAgent" TEXT,
    "before" JSONB,
    "after" JSONB,
    "bodyHash" TEXT NOT NULL,
    "prevHash" TEXT NOT NULL DEFAULT '',
    "hash" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "ErasedSubject" (
    "pseudonym" TEXT NOT NULL,
    "erasedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ErasedSubject_pkey" PRIMARY KEY ("pseudonym")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditEntry_prevHash_key" ON "AuditEntry"("prevHash");

-- CreateIndex
CREATE INDEX "AuditEntry_actorPseudonym_seq_idx" ON "AuditEntry"("actorPseudonym", "seq" DESC);

-- CreateIndex
CREATE INDEX "AuditEntry_action_seq_idx" ON "AuditEntry"("action", "seq" DESC);

-- CreateIndex
CREATE INDEX "AuditEntry_subjectType_subjectId_seq_idx" ON "AuditEntry"("subjectType", "subjectId", "seq" DESC);

-- CreateIndex
CREATE INDEX "AuditEntry_subjectOwner_seq_idx" ON "AuditEntry"("subjectOwner", "seq" DESC);

-- CreateIndex
CREATE INDEX "AuditEntry_outcome_seq_idx" ON "AuditEntry"("outcome", "seq" DESC);

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- The chain. The api writes an entry's fields and `bodyHash`; this trigger gives it the next
-- sequence number, the time and its place in the chain, under a transaction-scoped advisory lock,
-- so entries from any number of processes form one line, in commit order:
--   hash = SHA-256(prevHash ":" seq ":" at-in-epoch-milliseconds ":" bodyHash)
-- (api/src/modules/audit/chain.ts computes the same to verify). Later entries of the same
-- transaction continue from the head it remembers in `dialoop.audit_head`.
CREATE FUNCTION "dialoop_audit_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head text := current_setting('dialoop.audit_head', true);
  prev_seq bigint;
  prev_hash text;
BEGIN
  IF NEW."bodyHash" IS NULL OR NEW."bodyHash" !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'AuditEntry.bodyHash must be a SHA-256 in lowercase hex' USING ERRCODE = 'check_violation';
  END IF;
  IF head IS NULL OR head = '' THEN
    PERFORM pg_advisory_xact_lock(7411202604);
    -- A statement of its own, after the lock: it sees every entry committed before.
    SELECT "seq", "hash" INTO prev_seq, prev_hash FROM "AuditEntry" ORDER BY "seq" DESC LIMIT 1;
    IF prev_seq IS NULL THEN
      prev_seq := 0;
      prev_hash := repeat('0', 64);
    END IF;
  ELSE
    prev_seq := split_part(head, ':', 1)::bigint;
    prev_hash := split_part(head, ':', 2);
  END IF;
  NEW."seq" := prev_seq + 1;
  NEW."at" := date_trunc('milliseconds', clock_timestamp());
  NEW."prevHash" := prev_hash;
  NEW."hash" := encode(sha256(convert_to(
    prev_hash || ':' || NEW."seq"::text || ':' || ((extract(epoch FROM NEW."at") * 1000)::bigint)::text || ':' || NEW."bodyHash", 'UTF8')), 'hex');
  PERFORM set_config('dialoop.audit_head', NEW."seq"::text || ':' || NEW."hash", true);
  RETURN NEW;
END
$$;

CREATE TRIGGER "AuditEntry_chain" BEFORE INSERT ON "AuditEntry"
  FOR EACH ROW EXECUTE FUNCTION "dialoop_audit_chain"();

-- The trail is append-only: UPDATE, DELETE and TRUNCATE are refused to every role, the table's
-- owner included. (The owner and a superuser can still disable the triggers: run the api as a role
-- that is only granted privileges; the hash chain and the signed checkpoints show any such edit.)
-- One exception, the retention job: with `SET LOCAL dialoop.audit_prune = 'on'` it may delete
-- entries below the newest signed checkpoint; it records where it stopped, and verification
-- reports entries missing below that point.
CREATE FUNCTION "dialoop_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'AuditEntry'
     AND current_setting('dialoop.audit_prune', true) = 'on'
     AND OLD."seq" < (SELECT coalesce(max("seq"), 0) FROM "AuditCheckpoint") THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only: % on "%" refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER "AuditEntry_append_only" BEFORE UPDATE OR DELETE ON "AuditEntry"
  FOR EACH ROW EXECUTE FUNCTION "dialoop_audit_append_only"();
CREATE TRIGGER "AuditEntry_no_truncate" BEFORE TRUNCATE ON "AuditEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION "dialoop_audit_append_only"();
CREATE TRIGGER "AuditCheckpoint_append_only" BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
  FOR EACH ROW EXECUTE FUNCTION "dialoop_audit_append_only"();
CREATE TRIGGER "AuditCheckpoint_no_truncate" BEFORE TRUNCATE ON "AuditCheckpoint"
  FOR EACH STATEMENT EXECUTE FUNCTION "dialoop_audit_append_only"();
