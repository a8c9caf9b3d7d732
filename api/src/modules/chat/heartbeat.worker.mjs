// Worker entry: the api runs TypeScript through tsx, which a worker thread registers for itself.
import { register } from 'tsx/esm/api';

register();
await import('./heartbeat.worker.ts');
