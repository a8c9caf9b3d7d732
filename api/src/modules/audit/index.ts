export { AuditLog, type AuditScope, type AuditEvent, type AuditFilter, type VerifyResult } from './audit.service.js';
export { AuditResolver } from './audit.resolver.js';
export { ExportTokens, exportHandler } from './audit.export.js';
export { Pseudonyms, CheckpointSigner, parseSigningKey, newSigningKeyPem } from './keys.js';
export { auditOperationErrors } from './audit.errors.js';
