/** Dialoop's Grafana dashboards by file name (../dashboards/<name>.json); see ./build.ts. */
import type { Dashboard } from '@grafana/schema';
import { api } from './api.js';
import { inference } from './inference.js';
import { review } from './review.js';
import { rollout } from './rollout.js';
import { safety } from './safety.js';

export const dashboards: Record<string, Dashboard> = {
  'dialoop-inference': inference,
  'dialoop-api': api,
  'dialoop-safety': safety,
  'dialoop-review': review,
  'dialoop-rollout': rollout,
};

/** A dashboard as its provisioned file holds it. */
export const dashboardJson = (d: Dashboard): string => JSON.stringify(d, null, 2) + '\n';
