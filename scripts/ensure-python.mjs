#!/usr/bin/env node
// Makes sure Debian's PyTorch stack is present for the training job and its tests:
// python3-torch, python3-onnx, python3-pytest and libopenblas0-pthread (without the
// last one torch falls back to the reference BLAS, ~16x slower). Installs them with
// apt-get when missing and we are root; otherwise says exactly what to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const PACKAGES = ['python3-torch', 'python3-onnx', 'python3-pytest', 'libopenblas0-pthread'];
/**
 * The console's browser tests run in Debian's Chromium (never a browser a test tool downloads),
 * with a font for Chinese (the console's second language; without one its screenshots show boxes).
 */
export const BROWSER_PACKAGES = ['chromium', 'fonts-wqy-zenhei'];
/** Operations tools the tests run: promtool checks and unit-tests the alert rules in infra/prometheus. */
export const OPS_PACKAGES = ['prometheus'];

function missingPackages(packages = PACKAGES) {
  return packages.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

/**
 * `required`: exit when the packages are missing and cannot be installed (the tests need them);
 * otherwise say so and go on (`npm start`: everything but training runs works without them).
 */
export function ensurePython({ required = true, packages = PACKAGES, what = 'PyTorch for the training job' } = {}) {
  if (!required && process.env.DIALOOP_SKIP_APT) {
    console.log(`[dialoop] ${what}: not checked (DIALOOP_SKIP_APT is set)`);
    return;
  }
  const missing = missingPackages(packages);
  if (missing.length === 0) {
    console.log(`[dialoop] ${what}: present (${packages.join(', ')})`);
    return;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`[dialoop] missing Debian packages: ${missing.join(' ')}${required ? '' : ' (training runs need them)'}\n  run: sudo apt-get install -y ${missing.join(' ')}`);
    if (required) process.exit(1);
    return;
  }
  console.log(`[dialoop] installing ${missing.join(' ')} with apt-get (a few minutes the first time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  } catch (err) {
    // apt's lock held by another process, no network, a broken mirror: the tests need the
    // packages (they stop here, saying why); `npm start` goes on without them.
    console.error(`[dialoop] apt-get could not install ${missing.join(' ')}: ${err.message}\n  run: apt-get install -y ${missing.join(' ')}`);
    if (required) process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) ensurePython();
