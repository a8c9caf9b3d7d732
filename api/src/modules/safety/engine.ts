/** The safety engine without the service: matching, masking and stream filtering (pure, no I/O). */
export { Matcher, MAX_TERM_UNITS, mask, normalizeTerm, strongest, type Hit, type SafetyLevelName, type TermSpec } from './matcher.js';
export { LOOKAHEAD_UNITS, ReplyFilter, RewriteStream, TermStream, compileRewrite, type Release, type RewriteSpec } from './stream.js';
