export { InferenceMonitor, type InferenceMonitorOptions, type InferenceServerStatus } from './inference.service.js';
export { InferenceResolver } from './inference.resolver.js';
