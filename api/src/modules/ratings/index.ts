export { RatingService } from './ratings.service.js';
export { RatingsResolver } from './ratings.resolver.js';
