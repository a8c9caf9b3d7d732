/**
 * Offline verification of an audit export, with only the public key:
 *
 *   pnpm audit:verify --public-key audit-public.pem audit-export.jsonl   (or .csv)
 *   pnpm audit:keygen                                                      (a new signing key pair)
 *
 * Checks the header's signature (the export's range and the hashes where the chain enters and
 * leaves it), recomputes every entry's hash from its fields (RFC 8785 canonical JSON, SHA-256),
 * follows the chain across the entries the export left out (their `bodyHash`), and checks every
 * checkpoint's Ed25519 signature. Valid means: every entry is unaltered, none is missing or cut
 * off, and the last is covered by a signed checkpoint. Give `--public-key` again for each earlier
 * key after a rotation. Exit status 0 valid, 1 not, 2 usage.
 * Needs nothing but Node and this file's two imports (no database, no server).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import {
  ChainWalker,
  exportMessage,
  keyringOf,
  parsePublicKeys,
  signatureValid,
  type Checkpoint,
  type EntryRecord,
  type ExportManifest,
  type Json,
} from '../src/modules/audit/chain.js';
import { CheckpointSigner, newSigningKeyPem, parseSigningKey } from '../src/modules/audit/keys.js';

type Line =
  | ({ type: 'entry' } & EntryRecord)
  | { type: 'link'; seq: number; at: string; prevHash: string; hash: string; bodyHash: string }
  | ({ type: 'checkpoint' } & Checkpoint)
  | { type: 'header'; [k: string]: unknown };

const nul = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

function fromCsv(text: string): Line[] {
  const rows = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: false }) as Record<string, string>[];
  return rows.map((r): Line => {
    switch (r.record) {
      case 'header':
        return { type: 'header', ...(JSON.parse(r.after ?? '{}') as object) } as Line;
      case 'link':
        return { type: 'link', seq: Number(r.seq), at: r.at!, prevHash: r.prev_hash!, hash: r.hash!, bodyHash: r.body_hash! };
      case 'checkpoint':
        return { type: 'checkpoint', seq: Number(r.seq), hash: r.hash!, at: r.at!, keyId: r.key_id!, signature: r.signature! };
      case 'entry':
        return {
          type: 'entry',
          seq: Number(r.seq),
          at: r.at!,
          actorKind: r.actor_kind as EntryRecord['actorKind'],
          actorPseudonym: nul(r.actor_pseudonym),
          actorRole: nul(r.actor_role),
          apiKeyId: nul(r.api_key_id),
          action: r.action!,
          subjectType: nul(r.subject_type),
          subjectId: nul(r.subject_id),
          subjectOwner: nul(r.subject_owner),
          outcome: r.outcome as EntryRecord['outcome'],
          requestId: nul(r.request_id),
          clientIp: nul(r.client_ip),
          userAgent: nul(r.user_agent),
          before: r.before ? (JSON.parse(r.before) as Json) : null,
          after: r.after ? (JSON.parse(r.after) as Json) : null,
          bodyHash: r.body_hash!,
          prevHash: r.prev_hash!,
          hash: r.hash!,
        };
      default:
        throw new Error(`unknown record type ${JSON.stringify(r.record)}`);
    }
  });
}

const fromJsonl = (text: string): Line[] =>
  text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Line);

export interface OfflineResult {
  valid: boolean;
  entries: number;
  links: number;
  checkpoints: number;
  firstSeq: number | null;
  lastSeq: number | null;
  problem: string | null;
}

/**
 * Verifies an export's text (JSONL or CSV) against the public keys given (the current signing
 * key, and earlier ones after a rotation).
 */
export function verifyExport(text: string, publicKeyTexts: string | string[]): OfflineResult {
  const keys = keyringOf((Array.isArray(publicKeyTexts) ? publicKeyTexts : [publicKeyTexts]).flatMap(parsePublicKeys));
  const lines = text.trimStart().startsWith('record,') ? fromCsv(text) : fromJsonl(text);
  const walker = new ChainWalker(keys);
  const checkpoints = lines.filter((l): l is { type: 'checkpoint' } & Checkpoint => l.type === 'checkpoint');
  for (const c of checkpoints) walker.addCheckpoint(c);
  let entries = 0;
  let links = 0;
  let first: { seq: number; prevHash: string } | undefined;
  const result = (problem: string | null): OfflineResult => ({
    valid: problem === null,
    entries,
    links,
    checkpoints: walker.verifiedCheckpoints.length,
    firstSeq: first?.seq ?? null,
    lastSeq: walker.head?.seq ?? null,
    problem,
  });

  // The header: a manifest signed with one of the keys, stating the range and where the chain enters and leaves it.
  const headers = lines.filter((l) => l.type === 'header') as unknown as (ExportManifest & { signature?: string })[];
  if (headers.length !== 1) return result(`an export has exactly one header; this file has ${headers.length}`);
  const { signature, type: _type, ...manifest } = headers[0] as ExportManifest & { signature?: string; type?: string };
  const key = keys.get(manifest.keyId);
  if (!key || typeof signature !== 'string' || !signatureValid(exportMessage(manifest), signature, key)) {
    return result(`the header's signature does not verify with the keys given (it names key ${manifest.keyId})`);
  }

  for (const l of lines) {
    let broken;
    if (l.type === 'entry') {
      first ??= l;
      broken = walker.entry(l);
      entries++;
    } else if (l.type === 'link') {
      first ??= l;
      broken = walker.step(l.seq, l.at, l.prevHash, l.hash, l.bodyHash);
      links++;
    } else continue;
    if (broken) return result(`entry ${broken.seq}: ${broken.reason}: ${broken.detail}`);
  }
  const head = walker.head;
  if (!head || !first) return result(manifest.fromSeq === null ? null : `the header states entries ${manifest.fromSeq}…${manifest.toSeq}, the file holds none`);
  if (first.seq !== manifest.fromSeq || first.prevHash !== manifest.firstPrevHash || head.seq !== manifest.toSeq || head.hash !== manifest.lastHash) {
    return result(`the file holds entries ${first.seq}…${head.seq}, which is not the signed range ${manifest.fromSeq}…${manifest.toSeq}: entries were cut off or replaced`);
  }
  if (!walker.verifiedCheckpoints.some((c) => c.seq === head.seq)) {
    return result(`the last entry (${head.seq}) is not covered by a signed checkpoint: the chain did not verify when it was exported`);
  }
  return result(null);
}

function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'public-key': { type: 'string', multiple: true }, help: { type: 'boolean' } } });
  if (positionals[0] === 'keygen') {
    const pem = newSigningKeyPem();
    const signer = new CheckpointSigner(parseSigningKey(pem));
    process.stdout.write(
      `# AUDIT_SIGNING_KEY (secret: give it to the api, e.g. as a Kubernetes Secret)\n${pem}\n` +
        `# Public key ${signer.keyId} (give it to whoever verifies exports: pnpm audit:verify --public-key FILE)\n${signer.publicKeyPem}`,
    );
    return;
  }
  const file = positionals[0];
  if (values.help || !file || !values['public-key']) {
    process.stderr.write('usage: pnpm audit:verify --public-key PUBLIC_KEY_FILE EXPORT_FILE   (JSONL or CSV from exportAudit)\n       pnpm audit:keygen\n');
    process.exit(2);
  }
  // npm and pnpm run scripts from the package's folder: paths are taken from where the command was typed.
  const from = (p: string) => resolve(process.env.INIT_CWD ?? process.cwd(), p);
  const r = verifyExport(readFileSync(from(file), 'utf8'), values['public-key'].map((k) => readFileSync(from(k), 'utf8')));
  const range = r.firstSeq === null ? 'no entries' : `entries ${r.firstSeq}…${r.lastSeq}`;
  if (r.valid) {
    process.stdout.write(`VALID: ${range}: ${r.entries} shown, ${r.links} left out by the filter (hash only), ${r.checkpoints} signed checkpoint(s) verified\n`);
  } else {
    process.stdout.write(`INVALID: ${r.problem}\n(${range}; ${r.entries} entries and ${r.links} links read before it)\n`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
