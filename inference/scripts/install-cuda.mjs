#!/usr/bin/env node
// On a Linux x64 host with an NVIDIA GPU, CUDA 12 and cuDNN 9, and internet access:
// fetches onnxruntime-node's CUDA execution provider, which the workspace install skips
// (ONNXRUNTIME_NODE_INSTALL=skip, see scripts/bootstrap.mjs). Then start the server
// with INFERENCE_DEVICE=cuda.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('onnxruntime-node/package.json'));
const r = spawnSync(process.execPath, [join(pkgDir, 'script', 'install.js')], {
  stdio: 'inherit',
  env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' },
});
process.exit(r.status ?? 1);
