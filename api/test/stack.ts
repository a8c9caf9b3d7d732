/**
 * The api's test harness: `./client.ts` (`@dialoop/api/testing`, shared with the benchmarks: free
 * ports, `gql`, sign-in, graphql-ws, and the inference server and the api as child processes via
 * `startInference()` and `spawnApi()`), and `startApi()`, the api in this process on a fresh
 * PostgreSQL database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import { parseEnv, startApiServer, type ApiServer } from '../src/index.js';
import { TEST_KEYS } from './client.js';

export * from './client.js';

export interface TestApi {
  server: ApiServer;
  url: string;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The api in this process, on a fresh database, talking to `inferenceUrl`. */
export async function startApi(inferenceUrl: string, env: Record<string, string> = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  // Dataset versions' files go to a folder of this api's own, removed with it.
  const store = await mkdtemp(join(tmpdir(), 'dialoop-datasets-'));
  // And trained model versions to another.
  const models = await mkdtemp(join(tmpdir(), 'dialoop-models-'));
  const server = await startApiServer(
    parseEnv({
      API_PORT: '0',
      DATABASE_URL: db.url,
      INFERENCE_URL: inferenceUrl,
      ...TEST_KEYS,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MESSAGES_PER_MINUTE: '1000',
      MAX_CONCURRENT_GENERATIONS: '20',
      DATASET_STORE: store,
      MODEL_STORE: models,
      // Tests make the registry load versions when they change the rollout, not on a timer.
      MODEL_SYNC_INTERVAL_S: '0',
      // Tests sweep the review sources when they mean to (collectReviewItems), not on a timer.
      REVIEW_COLLECT_INTERVAL_S: '0',
      ...env,
    }),
  );
  return {
    server,
    url: server.url,
    db,
    close: async () => {
      await server.close();
      await db.drop();
      await rm(store, { recursive: true, force: true });
      await rm(models, { recursive: true, force: true });
    },
  };
}
