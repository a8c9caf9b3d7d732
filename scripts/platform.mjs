#!/usr/bin/env node
// Starts the whole platform on embedded defaults: the inference server and the api (which runs
// PGlite in ./data unless DATABASE_URL is set). Ctrl-C stops both, letting streams finish.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const services = [
  { name: 'inference', dir: 'inference' },
  { name: 'api', dir: 'api' },
];

// The api's model registry loads new model versions into the inference server through its admin
// endpoint: both get the same key (a fresh one per start unless INFERENCE_ADMIN_KEY is set).
const adminKey = process.env.INFERENCE_ADMIN_KEY ?? randomBytes(24).toString('base64url');

const children = services.map(({ name, dir }) => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, dir, 'src', 'main.ts')], {
    cwd: root,
    // tsx reads compiler settings (the api's decorators) from the tsconfig of the working
    // directory unless told which one; relative paths in the configuration stay relative to
    // where `npm start` ran (INIT_CWD).
    env: { ...process.env, INFERENCE_ADMIN_KEY: adminKey, INIT_CWD: process.env.INIT_CWD ?? process.cwd(), TSX_TSCONFIG_PATH: join(root, dir, 'tsconfig.json') },
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
