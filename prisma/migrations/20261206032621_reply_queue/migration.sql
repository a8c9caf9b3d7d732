-- AlterEnum
ALTER TYPE "MessageStatus" ADD VALUE 'QUEUED';
