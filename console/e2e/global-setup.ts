import { startPlatform } from './platform';

/** One platform for the whole run; its URLs reach the tests through the environment. */
export default async function globalSetup() {
  const platform = await startPlatform({ apiEnv: { ACCESS_TOKEN_TTL_S: '60', REVIEW_LEASE_S: '300', SAFETY_RELOAD_INTERVAL_S: '1' } });
  process.env.E2E_CONSOLE_URL = platform.consoleUrl;
  process.env.E2E_API_URL = platform.apiUrl;
  process.env.E2E_INFERENCE_URL = platform.inferenceUrl;
  process.env.E2E_DATABASE_URL = platform.databaseUrl;
  return () => platform.stop();
}
