export { ReviewService, type ReviewSettings } from './review.service.js';
export { ReviewClaimResolver, ReviewItemResolver, ReviewResolver } from './review.resolver.js';
