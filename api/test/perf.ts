import 'reflect-metadata';
import { createTestDatabase } from '@dialoop/db/testing';
import { openDatabase } from '@dialoop/db';
import pino from 'pino';
import { AuditLog } from '../src/modules/audit/audit.service.js';
import { bodyHash } from '../src/modules/audit/chain.js';
import { CheckpointSigner, Pseudonyms, parseSigningKey } from '../src/modules/audit/keys.js';
const N = Number(process.argv[2] ?? 200000);
const t = await createTestDatabase();
const d = await openDatabase({ databaseUrl: t.url, migrate: true });
const audit = new AuditLog({ db: d.prisma, textRows: d.textRows, pseudonyms: new Pseudonyms('x'.repeat(40)), signer: new CheckpointSigner(parseSigningKey('5a'.repeat(32))), previousKeys: [], enabled: true, log: pino({ level: 'silent' }) });
let t0 = performance.now();
for (let i = 0; i < N; i += 10000) {
  const rows = Array.from({ length: 10000 }, (_, k) => {
    const f = { actorKind: 'USER' as const, actorPseudonym: `u_${(i + k) % 300}`, actorRole: 'USER', apiKeyId: null, action: 'sendMessage', subjectType: 'Message', subjectId: crypto.randomUUID(), subjectOwner: `u_${(i + k) % 300}`, outcome: 'ALLOWED' as const, requestId: crypto.randomUUID(), clientIp: '10.0.0.1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', before: null, after: { conversationId: crypto.randomUUID(), model: 'dialoop-tiny', contentLength: k, newConversation: false } };
    return { ...f, bodyHash: bodyHash(f) };
  });
  await d.prisma.auditEntry.createMany({ data: rows.map((r) => ({ ...r, before: undefined })) });
}
console.log('seeded', N, Math.round(performance.now() - t0), 'ms');
for (let k = 0; k < 2; k++) {
  t0 = performance.now();
  const r = await audit.verify();
  console.log('verify', r.valid, r.checked, Math.round(r.checked / ((performance.now() - t0) / 1000)), 'entries/s');
}
await d.close(); await t.drop();
