/**
 * A throw-away platform with demo review items, for working on the console:
 *   node --import tsx e2e/dev-platform.ts [--no-console] [--origin http://127.0.0.1:3101]
 * prints the URLs and runs until Ctrl-C (its database is dropped then).
 */
import { seedReviewItems } from './seed';
import { startPlatform } from './platform';

const args = process.argv.slice(2);
const origins = args.flatMap((a, i) => (a === '--origin' && args[i + 1] ? [args[i + 1]!] : []));
const platform = await startPlatform({ console: !args.includes('--no-console'), extraOrigins: origins });
console.log(`console ${platform.consoleUrl}\napi ${platform.apiUrl}\ninference ${platform.inferenceUrl}\nseeding…`);
const items = await seedReviewItems(platform.apiUrl, { PAIRWISE: 4, RANKING: 2, RUBRIC: 2, CORRECTION: 2 });
console.log('review items', JSON.stringify(items));
console.log('ready: demo accounts user@, reviewer@, senior@, admin@, ml@, compliance@demo.local, password dialoop-demo');
const stop = async () => {
  await platform.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
