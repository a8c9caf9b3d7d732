/** @dialoop/feedback: the pure core of reviews, agreement and preference data (no database, no I/O). */
export * from './agreement.js';
export * from './consensus.js';
export * from './redact.js';
export * from './types.js';
export * from './pairs.js';
export * from './dataset.js';
export * from './formats.js';
export * from './dialogue-import.js';
export * from './reviews.js';
export * from './winrate.js';
export * from './candidate-check.js';
export * from './loop-guards.js';
