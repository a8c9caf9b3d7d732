export { DatasetService } from './datasets.service.js';
export { DatasetsResolver } from './datasets.resolver.js';
export { LocalDatasetStore, type DatasetStore } from './store.js';
export { buildDataset, prismaRows, ALL_FORMATS, type BuildOptions, type BuildCounts, type FormatId, type Rows } from './builder.js';
export { buildInWorkers, hashRanges } from './runner.js';
