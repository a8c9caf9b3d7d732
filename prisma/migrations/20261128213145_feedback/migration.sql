/*
  Warnings:

  - A unique constraint covering the columns `[importHash]` on the table `Conversation` will be added. If there are existing duplicate values, this will fail.

*/
-- CreateEnum
CREATE TYPE "ReviewKind" AS ENUM ('PAIRWISE', 'RANKING', 'RUBRIC', 'CORRECTION');

-- CreateEnum
CREATE TYPE "ReviewItemSource" AS ENUM ('SIBLINGS', 'LOW_RATING', 'SAFETY', 'SAMPLE', 'MANUAL');

-- CreateEnum
CREATE TYPE "ReviewItemStatus" AS ENUM ('PENDING', 'OPEN', 'ADJUDICATION', 'DONE');

-- CreateEnum
CREATE TYPE "ClaimStatus" AS ENUM ('CLAIMED', 'SUBMITTED', 'SKIPPED', 'RELEASED');

-- CreateEnum
CREATE TYPE "PreferenceSource" AS ENUM ('COMPARISON', 'RANKING', 'CORRECTION', 'RATING');

-- CreateEnum
CREATE TYPE "DatasetStatus" AS ENUM ('BUILDING', 'READY', 'FAILED');

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'ML_ENGINEER';
ALTER TYPE "Role" ADD VALUE 'SENIOR_REVIEWER';

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "importHash" TEXT,
ADD COLUMN     "importedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "ReviewItem" (
    "id" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "source" "ReviewItemSource" NOT NULL,
    "kind" "ReviewKind" NOT NULL,
    "status" "ReviewItemStatus" NOT NULL DEFAULT 'OPEN',
    "conversationId" UUID NOT NULL,
    "promptMessageId" UUID NOT NULL,
    "requiredReviews" INTEGER NOT NULL,
    "reviewCount" INTEGER NOT NULL DEFAULT 0,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "arenaModels" TEXT[],
    "rubric" JSONB NOT NULL,
    "createdBy" TEXT,
    "agreement" DOUBLE PRECISION,
    "adjudicatedAt" TIMESTAMPTZ(3),
    "adjudicatedBy" TEXT,
    "origin" JSONB,

    CONSTRAINT "ReviewItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewCandidate" (
    "id" UUID NOT NULL,
    "itemId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "messageId" UUID,
    "content" TEXT NOT NULL,
    "model" TEXT,

    CONSTRAINT "ReviewCandidate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewClaim" (
    "id" UUID NOT NULL,
    "itemId" UUID NOT NULL,
    "reviewerId" UUID NOT NULL,
    "status" "ClaimStatus" NOT NULL DEFAULT 'CLAIMED',
    "claimedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "skipReason" TEXT,

    CONSTRAINT "ReviewClaim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Review" (
    "id" UUID NOT NULL,
    "itemId" UUID NOT NULL,
    "reviewerPseudonym" TEXT NOT NULL,
    "kind" "ReviewKind" NOT NULL,
    "answer" JSONB NOT NULL,
    "tags" TEXT[],
    "comment" TEXT,
    "adjudication" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PreferencePair" (
    "id" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" "PreferenceSource" NOT NULL,
    "itemId" UUID,
    "conversationId" UUID NOT NULL,
    "promptMessageId" UUID NOT NULL,
    "ownerPseudonym" TEXT NOT NULL,
    "authors" TEXT[],
    "prompt" JSONB NOT NULL,
    "chosen" TEXT NOT NULL,
    "rejected" TEXT NOT NULL,
    "margin" DOUBLE PRECISION NOT NULL,
    "agreement" DOUBLE PRECISION,
    "chosenModel" TEXT,
    "rejectedModel" TEXT,
    "language" TEXT NOT NULL,
    "flagged" BOOLEAN NOT NULL DEFAULT false,
    "promptKey" TEXT NOT NULL,
    "pairKey" TEXT NOT NULL,

    CONSTRAINT "PreferencePair_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LabelledReply" (
    "id" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,
    "messageId" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "ownerPseudonym" TEXT NOT NULL,
    "authors" TEXT[],
    "prompt" JSONB NOT NULL,
    "completion" TEXT NOT NULL,
    "label" BOOLEAN NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "model" TEXT,
    "language" TEXT NOT NULL,
    "flagged" BOOLEAN NOT NULL DEFAULT false,
    "promptKey" TEXT NOT NULL,

    CONSTRAINT "LabelledReply_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetVersion" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "name" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,
    "status" "DatasetStatus" NOT NULL DEFAULT 'BUILDING',
    "filters" JSONB NOT NULL,
    "testShare" DOUBLE PRECISION NOT NULL,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "heartbeatAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),
    "error" TEXT,
    "counts" JSONB,
    "files" JSONB,
    "sha256" TEXT,
    "location" TEXT,

    CONSTRAINT "DatasetVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReviewItem_promptMessageId_source_idx" ON "ReviewItem"("promptMessageId", "source");

-- CreateIndex
CREATE INDEX "ReviewItem_status_priority_createdAt_idx" ON "ReviewItem"("status", "priority" DESC, "createdAt");

-- CreateIndex
CREATE INDEX "ReviewItem_conversationId_idx" ON "ReviewItem"("conversationId");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewCandidate_itemId_position_key" ON "ReviewCandidate"("itemId", "position");

-- CreateIndex
CREATE INDEX "ReviewClaim_reviewerId_status_idx" ON "ReviewClaim"("reviewerId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewClaim_itemId_reviewerId_key" ON "ReviewClaim"("itemId", "reviewerId");

-- CreateIndex
CREATE INDEX "Review_itemId_idx" ON "Review"("itemId");

-- CreateIndex
CREATE INDEX "Review_reviewerPseudonym_idx" ON "Review"("reviewerPseudonym");

-- CreateIndex
CREATE INDEX "PreferencePair_promptKey_id_idx" ON "PreferencePair"("promptKey", "id");

-- CreateIndex
CREATE INDEX "PreferencePair_createdAt_idx" ON "PreferencePair"("createdAt");

-- CreateIndex
CREATE INDEX "PreferencePair_itemId_idx" ON "PreferencePair"("itemId");

-- CreateIndex
CREATE INDEX "PreferencePair_promptMessageId_source_idx" ON "PreferencePair"("promptMessageId", "source");

-- CreateIndex
CREATE INDEX "PreferencePair_conversationId_idx" ON "PreferencePair"("conversationId");

-- CreateIndex
CREATE INDEX "LabelledReply_promptKey_id_idx" ON "LabelledReply"("promptKey", "id");

-- CreateIndex
CREATE INDEX "LabelledReply_conversationId_idx" ON "LabelledReply"("conversationId");

-- CreateIndex
CREATE UNIQUE INDEX "LabelledReply_messageId_source_key" ON "LabelledReply"("messageId", "source");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersion_number_key" ON "DatasetVersion"("number");

-- CreateIndex
CREATE INDEX "DatasetVersion_status_idx" ON "DatasetVersion"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_importHash_key" ON "Conversation"("importHash");

-- AddForeignKey
ALTER TABLE "ReviewItem" ADD CONSTRAINT "ReviewItem_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewCandidate" ADD CONSTRAINT "ReviewCandidate_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "ReviewItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewClaim" ADD CONSTRAINT "ReviewClaim_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "ReviewItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewClaim" ADD CONSTRAINT "ReviewClaim_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "ReviewItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PreferencePair" ADD CONSTRAINT "PreferencePair_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "ReviewItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PreferencePair" ADD CONSTRAINT "PreferencePair_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabelledReply" ADD CONSTRAINT "LabelledReply_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A dataset version is immutable once built: its row can no longer change (nor be deleted while
-- its files are the record of what a model was trained on).
CREATE FUNCTION dialoop_dataset_version_immutable() RETURNS trigger AS $$
BEGIN
  IF OLD.status <> 'BUILDING' THEN
    RAISE EXCEPTION 'dataset version % is immutable', OLD.number USING ERRCODE = 'check_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "DatasetVersion_immutable" BEFORE UPDATE OR DELETE ON "DatasetVersion"
  FOR EACH ROW EXECUTE FUNCTION dialoop_dataset_version_immutable();

-- The sources make one item per prompt each, even when several api processes sweep at once.
CREATE UNIQUE INDEX "ReviewItem_prompt_source_auto" ON "ReviewItem"("promptMessageId", source) WHERE source <> 'MANUAL';
