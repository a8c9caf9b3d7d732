#!/usr/bin/env node
// `npm start` and `npm test` land here on a machine that has only Node 20 and npm:
// fetch the pinned pnpm, install the workspace (its postinstall generates the Prisma client),
// then hand over to pnpm.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSER_PACKAGES, OPS_PACKAGES, ensurePython } from './ensure-python.mjs';

const PNPM_VERSION = '10.34.8';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
if (mode !== 'start' && mode !== 'test') {
  console.error('usage: node scripts/bootstrap.mjs start|test');
  process.exit(2);
}

// onnxruntime-node's install step would download GPU providers from the internet.
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', NEXT_TELEMETRY_DISABLED: '1' };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const localPnpm = join(root, 'node_modules', '.bin', 'pnpm');
const frozen = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
if (existsSync(localPnpm)) run(localPnpm, ['install', ...frozen, '--reporter=append-only']);
else run('npx', ['--yes', `pnpm@${PNPM_VERSION}`, 'install', ...frozen, '--reporter=append-only']);

if (mode === 'test') {
  ensurePython();
  ensurePython({ packages: BROWSER_PACKAGES, what: "Chromium for the console's browser tests" });
  ensurePython({ packages: OPS_PACKAGES, what: 'promtool for the alert rules' });
  run(localPnpm, ['run', 'check']);
} else {
  // Training runs (startTrainingRun) need PyTorch; the rest of the platform starts without it.
  ensurePython({ required: false });
  // Ctrl-C reaches the platform's processes directly (they finish the replies in flight); a
  // SIGTERM sent to this process alone (npm passes it on) is handed to the platform.
  const platform = spawn(process.execPath, [join(root, 'scripts', 'platform.mjs')], { cwd: root, stdio: 'inherit', env });
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => platform.kill('SIGTERM'));
  platform.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
