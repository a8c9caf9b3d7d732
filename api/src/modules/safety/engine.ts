/** The safety engine without the service: matching, masking and stream filtering (pure, no I/O). */
export { LOOKAHEAD_UNITS, Matcher, MAX_TERM_UNITS, mask, normalizeTerm, strongest, type Hit, type SafetyLevelName, type TermSpec } from './matcher.js';
export { ReplyFilter, RewriteStream, TermStream, compileRewrite, type Release, type RewriteSpec } from './stream.js';
