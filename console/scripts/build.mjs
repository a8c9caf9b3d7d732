#!/usr/bin/env node
// Builds the console for production (`next build`) only when its sources changed since the last
// build: a hash of every input is kept beside the build in .next/. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
const INPUTS = ['src', 'public', 'next.config.ts', 'package.json', 'tsconfig.json', '../api/src/modules/rbac/rules.ts', '../pnpm-lock.yaml'];
const STAMP = join(dir, '.next', 'dialoop-source-hash');

function* files(path) {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) if (!name.endsWith('.test.ts')) yield* files(join(path, name));
  } else yield path;
}

export function sourceHash() {
  const h = createHash('sha256');
  for (const input of INPUTS) {
    for (const f of files(join(dir, input))) h.update(relative(dir, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

export function build({ force = false, quiet = false } = {}) {
  const hash = sourceHash();
  if (!force && existsSync(join(dir, '.next', 'BUILD_ID')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
    if (!quiet) console.log('[console] production build is up to date');
    return;
  }
  console.log('[console] building for production (next build)…');
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(dir, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  });
  if (r.status !== 0) {
    console.error('[console] next build failed');
    process.exit(r.status ?? 1);
  }
  writeFileSync(STAMP, hash);
  console.log(`[console] built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) build({ force: process.argv.includes('--force') });
