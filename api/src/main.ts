import { DEFAULT_DEMO_PASSWORD, parseEnv, type ApiEnv } from './env.js';
import { createLogger } from './logger.js';
import { startApiServer } from './server.js';

let env: ApiEnv;
try {
  env = parseEnv();
} catch (err) {
  // A configuration mistake is the operator's to fix: say which variable, without a stack trace.
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
const log = createLogger(env);
const server = await startApiServer(env, log);

if (server.demoAccounts.length > 0) {
  const pw = env.DEMO_PASSWORD === DEFAULT_DEMO_PASSWORD ? DEFAULT_DEMO_PASSWORD : '(the DEMO_PASSWORD you set)';
  const roleWidth = Math.max(4, ...server.demoAccounts.map((a) => a.role.length));
  const emailWidth = Math.max(5, ...server.demoAccounts.map((a) => a.email.length));
  const lines = server.demoAccounts.map((a) => `  ${a.role.padEnd(roleWidth)}  ${a.email.padEnd(emailWidth)}  ${pw}`);
  process.stdout.write(`\nDemo accounts (created on this first start):\n  ${'ROLE'.padEnd(roleWidth)}  ${'EMAIL'.padEnd(emailWidth)}  PASSWORD\n${lines.join('\n')}\n\n`);
}
process.stdout.write(`GraphQL: ${server.url}/graphql (HTTP and WebSocket)\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down: letting replies in flight finish');
    server.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
