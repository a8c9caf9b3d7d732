export { TrainingService, checkHyperparameters, jobArgs, type Hyperparameters } from './training.service.js';
export { TrainingResolver } from './training.resolver.js';
export { LocalExecutor } from './local.js';
export type { TrainingExecutor } from './executor.js';
export { KubernetesExecutor } from './kubernetes.js';
