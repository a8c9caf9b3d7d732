/**
 * The runbook's backup and restore (infra/README.md, "## Runbook"), run as written: the shell
 * blocks marked `<!-- runbook-test: NAME -->` there are read from the README and run with bash.
 * An api on a fresh database, with its keys generated into its data folder, writes audit entries
 * (sign-ins, a failed one, a chat message, a signed checkpoint, entries after it); while it runs,
 * the database and the keys are backed up, restored into a new database and a new data folder, and
 * a second api started there must show the same trail (entry count, head hash, checkpoints, public
 * key), accept the first api's tokens, and read the conversation back. An export of the restored
 * trail must verify offline with the runbook's command.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, startApiServer, type ApiServer } from '../src/index.js';
import { SEND, collect, gql, gqlOk, login, newUser, textOf, wsClient } from './client.js';
import { SCRIPTED_MODEL, script, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The runbook's shell blocks marked `<!-- runbook-test: NAME -->`, by name. */
async function runbookBlocks(): Promise<Map<string, string>> {
  const text = await readFile(join(ROOT, 'infra/README.md'), 'utf8');
  const start = text.indexOf('\n## Runbook\n');
  if (start < 0) throw new Error('infra/README.md has no "## Runbook" section');
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const blocks = new Map<string, string>();
  for (const m of section.matchAll(/<!-- runbook-test: ([a-z-]+) -->\s*```sh\n([\s\S]*?)\n\s*```/g)) {
    // Blocks inside a list item are indented: take the indentation off.
    const lines = m[2]!.split('\n');
    const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
    blocks.set(m[1]!, lines.map((l) => l.slice(indent)).join('\n'));
  }
  return blocks;
}

/** Runs shell text with bash (stop at the first failing command, in pipelines too) and `env` added. */
function sh(script: string, env: Record<string, string>, cwd = ROOT): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

async function shOk(script: string, env: Record<string, string>, cwd = ROOT): Promise<string> {
  const r = await sh(script, env, cwd);
  if (r.code !== 0) throw new Error(`exit ${r.code}:\n${script}\n---\n${r.out}`);
  return r.out;
}

/** The trail as the database holds it: entry count, last sequence number, head hash. */
async function trailOf(url: string): Promise<{ count: number; last: number; head: string }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ count: string; last: string; head: string | null }>(
      'SELECT count(*) AS count, coalesce(max("seq"), 0) AS last, (SELECT "hash" FROM "AuditEntry" ORDER BY "seq" DESC LIMIT 1) AS head FROM "AuditEntry"',
    );
    return { count: Number(rows[0]!.count), last: Number(rows[0]!.last), head: rows[0]!.head ?? '' };
  } finally {
    await c.end();
  }
}

/** Drops a database the test restored into (the original's `drop` does the same for its own). */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/**
 * An api on `databaseUrl` with no key variables: outside production it generates JWT_SECRET,
 * PSEUDONYM_KEY and AUDIT_SIGNING_KEY into `dataDir` on first start and reads them from there
 * after (a single machine, the dev overlay), so only the runbook's key backup carries them over.
 */
function startApiOn(databaseUrl: string, dataDir: string, upstreamUrl: string): Promise<ApiServer> {
  return startApiServer(
    parseEnv({
      API_PORT: '0',
      DATABASE_URL: databaseUrl,
      DIALOOP_DATA_DIR: dataDir,
      INFERENCE_URL: upstreamUrl,
      DEFAULT_MODEL: SCRIPTED_MODEL,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MESSAGES_PER_MINUTE: '1000',
      MODEL_SYNC_INTERVAL_S: '0',
      REVIEW_COLLECT_INTERVAL_S: '0',
      // Checkpoints when the test asks for them, not on a timer.
      AUDIT_CHECKPOINT_INTERVAL_S: '3600',
    }),
  );
}

const VERIFY = '{ verifyAuditChain { valid checked firstSeq lastSeq checkpointsVerified lastCheckpointSeq broken { seq reason detail } } }';
const ENTRY = 'query($seq: SafeInt!) { auditEntry(seq: $seq) { entry { seq hash } checkpoint { seq keyId signatureValid } } }';
const PUBLIC_KEY = '{ auditPublicKey { keyId pem } }';
const CHECKPOINTS = '{ auditCheckpoints { seq hash keyId signatureValid } }';
const ME = '{ me { id email pseudonym } }';
const HISTORY = '{ conversations(first: 10) { edges { node { id messages { role content status } } } } }';

describe('the runbook’s backup and restore', () => {
  let blocks: Map<string, string>;
  let upstream: ScriptedUpstream;
  let db: TestDatabase;
  let original: ApiServer | undefined;
  let restored: ApiServer | undefined;
  const tmp: string[] = [];
  const restoredDbs: string[] = [];
  let dataDir: string;
  let backupDir: string;

  // What the first api left, for the comparisons.
  let person: { token: string; id: string; email: string };
  let refreshToken: string;
  let officerToken: string;
  let pseudonym: string;
  let reply: string;
  let conversationId: string;
  let checkpoint: { seq: number; hash: string; keyId: string };
  let publicKey: { keyId: string; pem: string };
  let before: { count: number; last: number; head: string };
  let dump: string;
  let keysArchive: string;

  const tempDir = async (name: string) => {
    const dir = await mkdtemp(join(tmpdir(), `dialoop-${name}-`));
    tmp.push(dir);
    return dir;
  };
  const restoreUrl = (name: string) => Object.assign(new URL(db.url), { pathname: `/${name}` }).toString();

  beforeAll(async () => {
    blocks = await runbookBlocks();
    [upstream, db] = await Promise.all([startScriptedUpstream(), createTestDatabase()]);
    dataDir = await tempDir('data');
    backupDir = await tempDir('backup');
    original = await startApiOn(db.url, dataDir, upstream.url);
    const url = original.url;

    // Audited activity: an account created, sign-ins (one refused), a chat turn, a checkpoint, and entries after it.
    person = await newUser(url, 'USER');
    const signIn = await gqlOk(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { refreshToken } }', { e: person.email, p: 'password-123' });
    refreshToken = signIn.login.refreshToken;
    const refused = await gql(url, 'mutation($e: String!) { login(email: $e, password: "not-the-password") { accessToken } }', { e: person.email });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    reply = 'Restored, word for word.';
    const sent = await gqlOk(url, SEND, { input: { content: script(reply.split(/(?= )/)), model: SCRIPTED_MODEL } }, person.token);
    conversationId = sent.sendMessage.conversation.id;
    const ws = wsClient(url, person.token);
    try {
      expect(textOf(await collect(ws, sent.sendMessage.assistantMessage.id))).toBe(reply);
    } finally {
      await ws.dispose();
    }
    const admin = await login(url, 'admin@demo.local');
    checkpoint = (await gqlOk(url, 'mutation { createAuditCheckpoint { seq hash keyId } }', {}, admin)).createAuditCheckpoint;
    await gqlOk(url, 'mutation($id: ID!) { renameConversation(id: $id, title: "after the checkpoint") { id } }', { id: conversationId }, person.token);
    officerToken = await login(url, 'compliance@demo.local');
    pseudonym = (await gqlOk(url, ME, {}, person.token)).me.pseudonym;
    publicKey = (await gqlOk(url, PUBLIC_KEY, {}, officerToken)).auditPublicKey;
    const verified = (await gqlOk(url, VERIFY, {}, officerToken)).verifyAuditChain;
    expect(verified).toMatchObject({ valid: true, checkpointsVerified: 1, lastCheckpointSeq: checkpoint.seq });
    before = await trailOf(db.url);
    // The last read above was recorded too: the trail goes on past the checkpoint.
    expect(before.last).toBeGreaterThan(checkpoint.seq);
    expect(before.count).toBe(before.last);
  });

  afterAll(async () => {
    await restored?.close();
    await original?.close();
    await upstream?.close();
    for (const name of restoredDbs) await dropDatabase(db.url, name).catch(() => {});
    await db?.drop();
    for (const dir of tmp) await rm(dir, { recursive: true, force: true });
  });

  it('the runbook has the blocks this test runs', () => {
    expect([...blocks.keys()].sort()).toEqual(['backup', 'backup-keys', 'restore', 'restore-keys', 'verify-export']);
  });

  it('backs up the database and the keys while the api runs; the dump’s .audit-head is the trail as it was', async () => {
    await shOk(`${blocks.get('backup')}\n${blocks.get('backup-keys')}`, { BACKUP_DIR: backupDir, DATABASE_URL: db.url, DIALOOP_DATA_DIR: dataDir });
    const files = (await readdir(backupDir)).sort();
    const stamp = /^dialoop-(\d{8}T\d{6}Z)\.dump$/.exec(files.find((f) => f.endsWith('.dump')) ?? '')?.[1];
    expect(stamp).toBeDefined();
    expect(files).toEqual([`dialoop-${stamp}.audit-head`, `dialoop-${stamp}.dump`, `dialoop-keys-${stamp}.tgz`]);
    dump = join(backupDir, `dialoop-${stamp}.dump`);
    keysArchive = join(backupDir, `dialoop-keys-${stamp}.tgz`);
    // Nothing was written while it ran (the api was idle), so the dump holds the trail exactly.
    expect(await trailOf(db.url)).toEqual(before);
    expect(await readFile(join(backupDir, `dialoop-${stamp}.audit-head`), 'utf8')).toBe(`${before.count} ${before.last} ${before.head}\n`);
  });

  it('restores into a fresh database and data folder as written: the restored trail is the original', async () => {
    const name = `${new URL(db.url).pathname.slice(1)}_restored`;
    restoredDbs.push(name);
    const newDataDir = await tempDir('restored-data');
    await shOk(blocks.get('restore')!, { DUMP: dump, ADMIN_URL: db.url, RESTORE_DB: name, RESTORE_URL: restoreUrl(name) });
    await shOk(blocks.get('restore-keys')!, { KEYS: keysArchive, DIALOOP_DATA_DIR: newDataDir });
    expect((await readdir(newDataDir)).sort()).toEqual(['audit-signing-key.pem', 'jwt-secret', 'pseudonym-key']);
    expect(await trailOf(restoreUrl(name))).toEqual(before);

    // The first api goes away (a lost database); the second runs on the restored one.
    await original!.close();
    original = undefined;
    restored = await startApiOn(restoreUrl(name), newDataDir, upstream.url);
  });

  it('the restore’s check fails when the database restored holds fewer entries than the backup', async () => {
    // A dump that lost the trail's newest entry, against the .audit-head of the full one.
    const lossy = join(await tempDir('lossy'), 'lossy.dump');
    await writeFile(lossy.replace(/\.dump$/, '.audit-head'), `${before.count + 1} ${before.last + 1} ${'f'.repeat(64)}\n`);
    await shOk(`cp "$SRC" "$DST"`, { SRC: dump, DST: lossy });
    const name = `${new URL(db.url).pathname.slice(1)}_lossy`;
    restoredDbs.push(name);
    const r = await sh(blocks.get('restore')!, { DUMP: lossy, ADMIN_URL: db.url, RESTORE_DB: name, RESTORE_URL: restoreUrl(name) });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(`${before.count} ${before.last} ${before.head}`);
  });

  it('the api on the restored database verifies the chain: same entries, same head, the checkpoint signed by the same key', async () => {
    const url = restored!.url;
    const officer = await login(url, 'compliance@demo.local');
    const v = (await gqlOk(url, VERIFY, {}, officer)).verifyAuditChain;
    expect(v).toMatchObject({ valid: true, broken: null, firstSeq: 1, checkpointsVerified: 1, lastCheckpointSeq: checkpoint.seq });
    expect(v.lastSeq).toBeGreaterThanOrEqual(before.last);
    expect((await gqlOk(url, VERIFY.replace('verifyAuditChain', `verifyAuditChain(from: 1, to: ${before.last})`), {}, officer)).verifyAuditChain).toMatchObject({
      valid: true,
      checked: before.count,
      lastSeq: before.last,
    });
    const head = (await gqlOk(url, ENTRY, { seq: before.last }, officer)).auditEntry;
    expect(head.entry).toEqual({ seq: before.last, hash: before.head });
    expect((await gqlOk(url, ENTRY, { seq: checkpoint.seq }, officer)).auditEntry.checkpoint).toEqual({ seq: checkpoint.seq, keyId: checkpoint.keyId, signatureValid: true });
    expect((await gqlOk(url, CHECKPOINTS, {}, officer)).auditCheckpoints).toContainEqual({ ...checkpoint, signatureValid: true });
    expect((await gqlOk(url, PUBLIC_KEY, {}, officer)).auditPublicKey).toEqual(publicKey);
  });

  it('sign-in and history survive: the first api’s tokens work, the pseudonym is the same, the conversation reads back', async () => {
    const url = restored!.url;
    // Same JWT_SECRET: an access token the first api issued; refresh tokens are in the database.
    expect((await gqlOk(url, ME, {}, person.token)).me).toEqual({ id: person.id, email: person.email, pseudonym });
    const refreshed = await gqlOk(url, 'mutation($t: String!) { refreshToken(token: $t) { accessToken } }', { t: refreshToken });
    expect((await gqlOk(url, ME, {}, refreshed.refreshToken.accessToken)).me.id).toBe(person.id);
    const token = await login(url, person.email, 'password-123');
    const conversations = (await gqlOk(url, HISTORY, {}, token)).conversations.edges.map((e: { node: unknown }) => e.node);
    expect(conversations).toEqual([
      {
        id: conversationId,
        messages: [
          { role: 'USER', content: script(reply.split(/(?= )/)), status: 'COMPLETE' },
          { role: 'ASSISTANT', content: reply, status: 'COMPLETE' },
        ],
      },
    ]);
  });

  it('the restored trail, exported, verifies offline with the runbook’s command and the public key', async () => {
    const url = restored!.url;
    const officer = await login(url, 'compliance@demo.local');
    const d = (await gqlOk(url, 'mutation { exportAudit(format: JSONL) { downloadPath fromSeq toSeq } }', {}, officer)).exportAudit;
    expect(d.fromSeq).toBe(1);
    expect(d.toSeq).toBeGreaterThanOrEqual(before.last);
    const res = await fetch(url + d.downloadPath);
    expect(res.status).toBe(200);
    const dir = await tempDir('export');
    const exportFile = join(dir, 'audit-export.jsonl');
    const keyFile = join(dir, 'audit-public.pem');
    await writeFile(exportFile, await res.text());
    await writeFile(keyFile, publicKey.pem);
    const out = await shOk(blocks.get('verify-export')!, { PUBLIC_KEY: keyFile, EXPORT: exportFile });
    expect(out).toMatch(new RegExp(`^VALID: entries 1…${d.toSeq}: `, 'm'));
  });
});
