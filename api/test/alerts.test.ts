/**
 * The Prometheus alert rules in infra/prometheus: valid (promtool check rules), behaving as their
 * unit tests say (promtool test rules), and naming only metrics the api exports.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.js';

const DIR = fileURLToPath(new URL('../../infra/prometheus/', import.meta.url));
const promtool = (...args: string[]) => execFileSync('promtool', args, { cwd: DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('alert rules (infra/prometheus/alerts.yml)', () => {
  it('are valid and pass their unit tests', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: \d+ rules found/);
    expect(promtool('test', 'rules', 'alerts.test.yml')).toMatch(/SUCCESS/);
  });

  it('name only metrics the api exports', async () => {
    const used = new Set([...readFileSync(`${DIR}alerts.yml`, 'utf8').matchAll(/\bdialoop_api_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')));
    const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(exported, name).toContain(name);
  });
});
