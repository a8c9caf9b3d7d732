export { AuditLog, type AuditScope, type AuditEvent, type AuditFilter, type VerifyResult } from './audit.service.js';
export { AuditResolver, AuditCheckpointResolver } from './audit.resolver.js';
export { AuditReader } from './audit.reader.js';
export { ExportTokens, exportHandler } from './audit.export.js';
export { Pseudonyms, CheckpointSigner, parseSigningKey, newSigningKeyPem } from './keys.js';
export { parsePublicKeys } from './chain.js';
export { auditOperationErrors, auditRouteError } from './audit.errors.js';
