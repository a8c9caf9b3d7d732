export { DatasetService } from './datasets.service.js';
export { DatasetsResolver } from './datasets.resolver.js';
export { LocalDatasetStore, type DatasetStore } from './store.js';
export { buildDataset, ALL_FORMATS, type BuildOptions, type BuildCounts, type FormatId } from './builder.js';
