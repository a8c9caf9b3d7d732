export { ReviewService } from './review.service.js';
export type { ReviewServiceOptions, ReviewSettings } from './options.js';
export { ReviewClaimResolver, ReviewItemResolver, ReviewResolver } from './review.resolver.js';
// GraphQL types other modules' schemas use (datasets: preference pairs).
export { PreferencePairConnection, PreferenceSourceEnum } from './review.types.js';
