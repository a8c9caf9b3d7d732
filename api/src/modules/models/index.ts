export { ModelRegistry, bucket, hashFolder, readMetrics, type FileEntry } from './registry.js';
export { ModelsResolver } from './models.resolver.js';
export { ModelVersion } from './models.types.js';
