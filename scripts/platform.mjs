#!/usr/bin/env node
// Starts the whole platform on embedded defaults: the web console, the inference server and the
// api (which runs PGlite in ./data unless DATABASE_URL is set). Ctrl-C stops all three, letting
// streams finish.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const consolePort = process.env.CONSOLE_PORT ?? '3000';
const consoleHost = process.env.CONSOLE_HOST ?? '127.0.0.1';
const apiPort = process.env.API_PORT ?? '4000';
const apiHost = process.env.API_HOST ?? '127.0.0.1';
const consoleUrl = `http://${consoleHost}:${consolePort}`;
const apiUrl = `http://${apiHost}:${apiPort}/graphql`;
const services = [
  { name: 'inference', args: ['--import', 'tsx', join(root, 'inference', 'src', 'main.ts')], tsconfig: join(root, 'inference', 'tsconfig.json') },
  { name: 'api', args: ['--import', 'tsx', join(root, 'api', 'src', 'main.ts')], tsconfig: join(root, 'api', 'tsconfig.json') },
  // The console's production build (made on the first start, again only when its sources change).
  { name: 'console', args: [join(root, 'console', 'scripts', 'serve.mjs')] },
];

console.log(`\n  Dialoop console: ${consoleUrl}   (api ${apiUrl})\n`);

// The api's model registry loads new model versions into the inference server through its admin
// endpoint: both get the same key (a fresh one per start unless INFERENCE_ADMIN_KEY is set).
const adminKey = process.env.INFERENCE_ADMIN_KEY ?? randomBytes(24).toString('base64url');

const children = services.map(({ name, args, tsconfig }) => {
  const child = spawn(process.execPath, args, {
    cwd: root,
    // tsx reads compiler settings (the api's decorators) from the tsconfig of the working
    // directory unless told which one; relative paths in the configuration stay relative to
    // where `npm start` ran (INIT_CWD). The api admits the console's origin, and the console
    // reaches the api at its address.
    env: {
      ...process.env,
      INFERENCE_ADMIN_KEY: adminKey,
      INIT_CWD: process.env.INIT_CWD ?? process.cwd(),
      ...(tsconfig ? { TSX_TSCONFIG_PATH: tsconfig } : {}),
      CONSOLE_ORIGINS: process.env.CONSOLE_ORIGINS ?? `${consoleUrl},http://localhost:${consolePort}`,
      CONSOLE_API_URL: process.env.CONSOLE_API_URL ?? apiUrl,
      CONSOLE_PORT: consolePort,
      CONSOLE_HOST: consoleHost,
      // The api finds the inference server where this start put it (INFERENCE_PORT alone moves both).
      INFERENCE_URL: process.env.INFERENCE_URL ?? `http://127.0.0.1:${process.env.INFERENCE_PORT ?? '8000'}`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[platform] ${name} exited (${signal ?? code}); stopping the rest`);
      stop(code || 1);
    } else if (code) {
      console.error(`[platform] ${name} exited with code ${code} while stopping`);
      exitCode ||= code;
    }
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
  return child;
});

let stopping = false;
let exitCode = 0;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}
// Ctrl-C reaches the children directly (same process group): just wait for them to finish
// their streams and exit. A SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => {
  stopping = true;
});
process.on('SIGTERM', () => stop(0));
