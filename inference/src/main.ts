#!/usr/bin/env -S npx tsx
import { parseEnv } from './env.js';
import { startInferenceServer } from './server.js';

const env = parseEnv();
const server = await startInferenceServer(env);
const ids = [...server.models.keys()].join(', ');
// Printed plainly as well as logged, so `npm start` shows where to point a client.
console.log(`\nDialoop inference server ready at ${server.url}/v1 (models: ${ids})\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void server.close().then(() => process.exit(0));
  });
}
