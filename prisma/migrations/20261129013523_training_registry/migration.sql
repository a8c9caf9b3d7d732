-- CreateEnum
CREATE TYPE "TrainingMethod" AS ENUM ('DPO', 'KTO', 'SFT');

-- CreateEnum
CREATE TYPE "TrainingStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "TrainingExecutor" AS ENUM ('LOCAL', 'KUBERNETES');

-- CreateEnum
CREATE TYPE "ModelVersionStatus" AS ENUM ('REGISTERED', 'ACTIVE', 'CANARY', 'RETIRED');

-- AlterEnum
ALTER TYPE "ReviewItemSource" ADD VALUE 'ARENA';

-- CreateTable
CREATE TABLE "TrainingRun" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,
    "method" "TrainingMethod" NOT NULL,
    "hyperparameters" JSONB NOT NULL,
    "datasetVersionId" UUID NOT NULL,
    "baseModelVersionId" UUID NOT NULL,
    "executor" "TrainingExecutor" NOT NULL,
    "status" "TrainingStatus" NOT NULL DEFAULT 'QUEUED',
    "step" INTEGER NOT NULL DEFAULT 0,
    "totalSteps" INTEGER,
    "loss" DOUBLE PRECISION,
    "etaSeconds" DOUBLE PRECISION,
    "metrics" JSONB,
    "outputDir" TEXT NOT NULL,
    "runDir" TEXT NOT NULL,
    "runnerId" TEXT,
    "heartbeatAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelRequestedAt" TIMESTAMPTZ(3),
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "TrainingRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,
    "path" TEXT NOT NULL,
    "parentId" UUID,
    "datasetVersionId" UUID,
    "trainingRunId" UUID,
    "files" JSONB NOT NULL,
    "sha256" TEXT NOT NULL,
    "metrics" JSONB,
    "status" "ModelVersionStatus" NOT NULL DEFAULT 'REGISTERED',
    "canaryShare" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "activatedAt" TIMESTAMPTZ(3),
    "previousActiveId" UUID,
    "retiredAt" TIMESTAMPTZ(3),

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TrainingRun_number_key" ON "TrainingRun"("number");

-- CreateIndex
CREATE INDEX "TrainingRun_status_idx" ON "TrainingRun"("status");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_name_key" ON "ModelVersion"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_trainingRunId_key" ON "ModelVersion"("trainingRunId");

-- CreateIndex
CREATE INDEX "ModelVersion_status_idx" ON "ModelVersion"("status");

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_baseModelVersionId_fkey" FOREIGN KEY ("baseModelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_trainingRunId_fkey" FOREIGN KEY ("trainingRunId") REFERENCES "TrainingRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- At most one ACTIVE and one CANARY version at a time.
CREATE UNIQUE INDEX "ModelVersion_one_per_rollout_status" ON "ModelVersion"("status") WHERE "status" IN ('ACTIVE', 'CANARY');
