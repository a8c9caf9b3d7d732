export { PrivacyService, type ErasureReport } from './privacy.service.js';
export { PrivacyResolver } from './privacy.resolver.js';
