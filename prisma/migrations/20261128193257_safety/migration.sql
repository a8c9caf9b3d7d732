-- CreateEnum
CREATE TYPE "SafetyLevel" AS ENUM ('BLOCK', 'MASK', 'REVIEW');

-- CreateEnum
CREATE TYPE "SafetyDirection" AS ENUM ('INPUT', 'OUTPUT');

-- CreateEnum
CREATE TYPE "EscalationStep" AS ENUM ('WARN', 'SLOW', 'LOCK', 'REVIEW');

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "lockedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "safety" "SafetyLevel";

-- CreateTable
CREATE TABLE "SafetyTerm" (
    "id" UUID NOT NULL,
    "term" TEXT NOT NULL,
    "normalized" TEXT NOT NULL,
    "level" "SafetyLevel" NOT NULL,
    "language" TEXT,
    "category" TEXT NOT NULL DEFAULT 'general',
    "wholeWord" BOOLEAN NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SafetyTerm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RewriteRule" (
    "id" UUID NOT NULL,
    "pattern" TEXT NOT NULL,
    "regex" BOOLEAN NOT NULL DEFAULT false,
    "caseSensitive" BOOLEAN NOT NULL DEFAULT false,
    "replacement" TEXT NOT NULL,
    "description" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RewriteRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SafetyRevision" (
    "version" SERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorPseudonym" TEXT,
    "kind" TEXT NOT NULL,
    "op" TEXT NOT NULL,
    "entityId" UUID,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "SafetyRevision_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "SafetyEvent" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" UUID,
    "conversationId" UUID,
    "messageId" UUID,
    "direction" "SafetyDirection" NOT NULL,
    "level" "SafetyLevel" NOT NULL,
    "category" TEXT NOT NULL,
    "termId" UUID,
    "action" TEXT NOT NULL,
    "start" INTEGER NOT NULL,
    "end" INTEGER NOT NULL,

    CONSTRAINT "SafetyEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SafetyEscalation" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "step" "EscalationStep" NOT NULL,
    "scope" TEXT NOT NULL,
    "userId" UUID,
    "conversationId" UUID,
    "count" INTEGER NOT NULL,
    "windowSeconds" INTEGER NOT NULL,
    "resolvedAt" TIMESTAMPTZ(3),
    "resolvedBy" TEXT,
    "resolution" TEXT,

    CONSTRAINT "SafetyEscalation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SafetyTerm_normalized_key" ON "SafetyTerm"("normalized");

-- CreateIndex
CREATE INDEX "SafetyTerm_category_idx" ON "SafetyTerm"("category");

-- CreateIndex
CREATE INDEX "SafetyEvent_userId_at_idx" ON "SafetyEvent"("userId", "at");

-- CreateIndex
CREATE INDEX "SafetyEvent_conversationId_at_idx" ON "SafetyEvent"("conversationId", "at");

-- CreateIndex
CREATE INDEX "SafetyEvent_at_idx" ON "SafetyEvent"("at");

-- CreateIndex
CREATE INDEX "SafetyEscalation_userId_step_at_idx" ON "SafetyEscalation"("userId", "step", "at");

-- CreateIndex
CREATE INDEX "SafetyEscalation_conversationId_step_at_idx" ON "SafetyEscalation"("conversationId", "step", "at");

-- CreateIndex
CREATE INDEX "SafetyEscalation_step_resolvedAt_idx" ON "SafetyEscalation"("step", "resolvedAt");

-- AddForeignKey
ALTER TABLE "SafetyEvent" ADD CONSTRAINT "SafetyEvent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SafetyEvent" ADD CONSTRAINT "SafetyEvent_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SafetyEscalation" ADD CONSTRAINT "SafetyEscalation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SafetyEscalation" ADD CONSTRAINT "SafetyEscalation_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
