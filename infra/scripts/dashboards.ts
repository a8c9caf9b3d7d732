/**
 * Writes the Grafana dashboards built in grafana/src (typed by @grafana/schema) to
 * grafana/dashboards/<name>.json, the files Grafana provisions: `npx tsx scripts/dashboards.ts`
 * from infra/ after changing a dashboard. infra/test/monitoring.test.ts fails while they differ.
 */
import { readdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dashboardJson, dashboards } from '../grafana/src/index.js';

const DIR = fileURLToPath(new URL('../grafana/dashboards/', import.meta.url));

for (const file of await readdir(DIR)) {
  if (file.endsWith('.json') && !(file.slice(0, -'.json'.length) in dashboards)) await rm(DIR + file);
}
for (const [name, d] of Object.entries(dashboards)) {
  await writeFile(`${DIR}${name}.json`, dashboardJson(d));
  console.log(`grafana/dashboards/${name}.json: ${d.panels?.length ?? 0} panels`);
}
