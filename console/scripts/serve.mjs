#!/usr/bin/env node
// Serves the production build (never the dev server), building it first when the sources changed.
// CONSOLE_PORT (default 3000) and CONSOLE_HOST (default 127.0.0.1) say where.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
build();
const port = process.env.CONSOLE_PORT ?? '3000';
const host = process.env.CONSOLE_HOST ?? '127.0.0.1';
const child = spawn(process.execPath, [join(dir, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', port, '-H', host], {
  cwd: dir,
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
