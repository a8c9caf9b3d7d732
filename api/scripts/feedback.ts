/**
 * `pnpm feedback`: preference datasets from a terminal, for ML engineers. It talks to a running
 * api over GraphQL HTTP, like any client (never to the database: the embedded one lives inside
 * the api process), with an ML_ENGINEER's or an admin's credentials:
 *
 *   pnpm feedback export [--name N] [--from ISO] [--to ISO] [--model M]… [--source S]… [--min-agreement X]
 *                        [--language L]… [--include-flagged] [--test-share X] [--format F]… [--out DIR] [--version ID]
 *   pnpm feedback import FILE [--format json|jsonl]
 *
 * export builds a dataset version (createDatasetVersion; or takes an existing one with --version),
 * follows its build with a progress bar, downloads every file into DIR/<version number>/, checks
 * each file's SHA-256 against manifest.json and manifest.json's own against the version's, and
 * prints what it wrote. import reads OpenAI {messages} or ShareGPT {conversations} records (JSON or
 * JSONL), sends them in chunks well under the api's body limit (importDialogues), and prints the
 * summed report.
 *
 * Credentials: --api URL (env DIALOOP_API_URL, default http://127.0.0.1:4000), and --token (env
 * DIALOOP_TOKEN: an access token, or an API key with the `datasets` scope) or --email and
 * --password (env DIALOOP_EMAIL, DIALOOP_PASSWORD), which sign in with `login`.
 * Exit status 0 done, 1 failed (a GraphQL error is printed as `CODE: message`), 2 usage.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { parseDialogues, type DialogueFormat, type ParseError } from '@dialoop/feedback';

// ---------------------------------------------------------------------------------------------
// Errors and output
// ---------------------------------------------------------------------------------------------

/** Ends the command with `message` on stderr and `exitCode` (1 failed, 2 usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

const out = (text: string) => void process.stdout.write(text);
const err = (text: string) => void process.stderr.write(text);
/** Paths are taken from where the command was typed (pnpm runs scripts from the package's folder). */
const CWD = process.env.INIT_CWD ?? process.cwd();
const fromCwd = (p: string) => resolve(CWD, p);
/** A path as the user would type it: relative to where they are when it is below it, else absolute. */
const shown = (p: string) => {
  const r = relative(CWD, p);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? p : r;
};

const USAGE = `usage: pnpm feedback <command> [options]

commands:
  export    build a dataset version (or take one) and download its files
  import    import multi-turn dialogues (OpenAI messages or ShareGPT, JSON or JSONL)

credentials (every command):
  --api URL          the api (env DIALOOP_API_URL; default http://127.0.0.1:4000)
  --token T          an access token or an API key with the datasets scope (env DIALOOP_TOKEN)
  --email E          sign in instead (env DIALOOP_EMAIL) ...
  --password P       ... with this password (env DIALOOP_PASSWORD)

pnpm feedback <command> --help tells more.
`;

const EXPORT_USAGE = `usage: pnpm feedback export [options] [credentials]

Builds a dataset version from the preference data, follows the build, downloads every file into
DIR/<version number>/ and checks each file's SHA-256 against manifest.json (and manifest.json's own
against the version). Exit status 0 when every file is there and verified, 1 otherwise.

filters (each optional; repeat the options marked …):
  --from ISO             preferences derived at or after (e.g. 2026-01-01 or 2026-01-01T00:00:00Z)
  --to ISO               preferences derived before
  --model M …            only pairs whose replies came from these model versions
  --source S …           COMPARISON, RANKING, CORRECTION or RATING
  --min-agreement X      leave out pairs whose reviewers agreed less (0-1)
  --language L …         language tags (en, zh)
  --include-flagged      keep what the content filter flagged (left out by default)
  --no-imported          leave imported dialogues out of the SFT set
version:
  --name N               a name for the version
  --test-share X         share of prompts held out as the test split (0-0.9; default 0.1)
  --format F …           DPO, KTO, OPENAI_PREFERENCE, HH or SFT (default: all)
  --version ID           download an existing version (its ID, or its number) instead of building one
output:
  --out DIR              where to write (default ./datasets); files go to DIR/<version number>/
  --poll-ms MS           how often to ask about the build (default 500)

credentials: --api URL, --token T or --email E --password P (see pnpm feedback --help)
`;

const IMPORT_USAGE = `usage: pnpm feedback import FILE [--format json|jsonl] [credentials]

Imports existing multi-turn dialogues as conversations of yours, which can then be reviewed or
exported as SFT data. FILE holds OpenAI records ({"messages": [{role, content}]}) or ShareGPT
records ({"conversations": [{from, value}]}): a JSON array, one JSON object, or JSONL (detected
unless --format says). The api cleans them (control characters, white space, length limits, exact
duplicates, also of earlier imports); records that cannot be read are reported with their line.
Exit status 0 when the file was read and sent (the report says what was kept), 1 otherwise.

  --format F     json or jsonl (default: detected)
  --chunk-kb KB  the most JSON per request (default 256; the api takes at most its BODY_LIMIT, 1 MB)

credentials: --api URL, --token T or --email E --password P (see pnpm feedback --help)
`;

const COMMON_OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

// ---------------------------------------------------------------------------------------------
// The api
// ---------------------------------------------------------------------------------------------

interface GqlError {
  message: string;
  extensions?: { code?: string; issues?: { path?: string; message?: string }[] };
}

/** A GraphQL-over-HTTP client for one api, signed in or not. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  /** `fetch` on a path of the api; a network failure becomes a {@link CliError}. */
  private async fetch(path: string, init?: RequestInit): Promise<Response> {
    try {
      return await fetch(new URL(path, this.baseUrl), init);
    } catch (e) {
      throw new CliError(`cannot reach the api at ${this.baseUrl}: ${causeOf(e)}`);
    }
  }

  /** Runs one operation; throws a {@link CliError} `CODE: message` on any error the api answers with. */
  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await this.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let parsed: { data?: T | null; errors?: GqlError[] };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new CliError(`the api answered HTTP ${res.status} with no GraphQL response${res.status === 413 ? ' (the request was too large)' : ''}: ${text.slice(0, 200)}`);
    }
    const first = parsed.errors?.[0];
    if (first) {
      const issues = (first.extensions?.issues ?? []).map((i) => `\n  ${i.path ?? ''}: ${i.message ?? ''}`).join('');
      throw new CliError(`${first.extensions?.code ?? `HTTP_${res.status}`}: ${first.message}${issues}`);
    }
    if (!parsed.data) throw new CliError(`the api answered HTTP ${res.status} without data`);
    return parsed.data;
  }

  /** GETs a path on the api (a download link); the body streamed. */
  async get(path: string): Promise<Response> {
    const res = await this.fetch(path);
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      throw new CliError(`GET ${path} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    return res;
  }
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
}

interface Credentials {
  api?: string | undefined;
  token?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
}

/** A client for `--api`, signed in with `--token`, or with `--email`/`--password` through `login`. */
export async function connect(values: Credentials, usage: string): Promise<ApiClient> {
  const api = values.api ?? process.env.DIALOOP_API_URL ?? 'http://127.0.0.1:4000';
  try {
    const url = new URL(api);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CliError(`--api must be an http(s) URL, got ${JSON.stringify(api)}\n\n${usage}`, 2);
  }
  const token = values.token ?? (values.email ? undefined : process.env.DIALOOP_TOKEN);
  if (token) return new ApiClient(api, token);
  const email = values.email ?? process.env.DIALOOP_EMAIL;
  const password = values.password ?? process.env.DIALOOP_PASSWORD;
  if (!email || !password) {
    throw new CliError(`credentials needed: --token (or DIALOOP_TOKEN), or --email and --password (or DIALOOP_EMAIL and DIALOOP_PASSWORD)\n\n${usage}`, 2);
  }
  const d = await new ApiClient(api).request<{ login: { accessToken: string } }>('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', {
    e: email,
    p: password,
  });
  return new ApiClient(api, d.login.accessToken);
}

// ---------------------------------------------------------------------------------------------
// Progress: a bar on a terminal, plain lines otherwise
// ---------------------------------------------------------------------------------------------

interface Progress {
  update(value: number, payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A progress display on stderr. On a terminal a cli-progress bar (`format` with `{bar}` when the
 * total is known); elsewhere a plain line from `line` whenever the value changes, at most about
 * once a second (and always the last one).
 */
function progress(opts: {
  total: number;
  format: string;
  payload: Record<string, unknown>;
  line: (value: number, total: number, payload: Record<string, unknown>) => string;
}): Progress {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: opts.format, stream: process.stderr, hideCursor: true, clearOnComplete: false, fps: 10 }, Presets.shades_classic);
    bar.start(opts.total, 0, opts.payload);
    return { update: (v, p) => bar.update(v, p ?? {}), setTotal: (t) => bar.setTotal(t), stop: () => bar.stop() };
  }
  let total = opts.total;
  let printed = -1;
  let pending: { value: number; payload: Record<string, unknown> } | null = null;
  let lastAt = 0;
  const print = (value: number, payload: Record<string, unknown>) => {
    err(opts.line(value, total, payload) + '\n');
    printed = value;
    lastAt = Date.now();
    pending = null;
  };
  return {
    update(value, payload = {}) {
      if (value === printed) return;
      if (Date.now() - lastAt >= 1000) print(value, payload);
      else pending = { value, payload };
    },
    setTotal: (t) => void (total = t),
    stop() {
      if (pending) print(pending.value, pending.payload);
    },
  };
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v >= 10 ? 0 : 1)} ${units[u]}`;
}

/** A plain text table, numbers right-aligned. */
function table(head: string[], rows: (string | number)[][], numeric: boolean[]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// export
// ---------------------------------------------------------------------------------------------

const SOURCES = ['COMPARISON', 'RANKING', 'CORRECTION', 'RATING'] as const;
const FORMATS = ['DPO', 'KTO', 'OPENAI_PREFERENCE', 'HH', 'SFT'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface DatasetFile {
  path: string;
  sha256: string;
  bytes: number;
  records: number;
}

interface Version {
  id: string;
  number: number;
  name: string | null;
  status: 'BUILDING' | 'READY' | 'FAILED';
  progress: number;
  error: string | null;
  sha256: string | null;
}

/** What the CLI reads of a version (its files are taken from manifest.json, checked against `sha256`). */
const VERSION_FIELDS = 'id number name status progress error sha256';

const getVersion = async (api: ApiClient, id: string): Promise<Version> =>
  (await api.request<{ datasetVersion: Version }>(`query($id: ID!) { datasetVersion(id: $id) { ${VERSION_FIELDS} } }`, { id })).datasetVersion;

/** A repeatable option's values, each of which may also be a comma-separated list; undefined when none. */
function listOf(values: string[] | undefined): string[] | undefined {
  const list = values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
  return list?.length ? list : undefined;
}

/** Like {@link listOf}, each value upper-cased (`-` as `_`) and one of `allowed`. */
function upperList<T extends string>(values: string[] | undefined, allowed: readonly T[], option: string): T[] | undefined {
  return listOf(values)?.map((v) => {
    const up = v.toUpperCase().replace(/-/g, '_') as T;
    if (!allowed.includes(up)) throw new CliError(`--${option} must be one of ${allowed.join(', ')}; got ${JSON.stringify(v)}\n\n${EXPORT_USAGE}`, 2);
    return up;
  });
}

function numberIn(value: string | undefined, option: string, min: number, max: number, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new CliError(`--${option} must be a number from ${min} to ${max}; got ${JSON.stringify(value)}\n\n${usage}`, 2);
  }
  return n;
}

function isoDate(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new CliError(`--${option} must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z); got ${JSON.stringify(value)}\n\n${EXPORT_USAGE}`, 2);
  return new Date(t).toISOString();
}

const EXPORT_OPTIONS = {
  ...COMMON_OPTIONS,
  name: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  model: { type: 'string', multiple: true },
  source: { type: 'string', multiple: true },
  'min-agreement': { type: 'string' },
  language: { type: 'string', multiple: true },
  'include-flagged': { type: 'boolean' },
  'no-imported': { type: 'boolean' },
  'test-share': { type: 'string' },
  format: { type: 'string', multiple: true },
  out: { type: 'string' },
  version: { type: 'string' },
  'poll-ms': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** The options that say how to build a version (not for --version, which takes one as it was built). */
const BUILD_OPTIONS = ['name', 'from', 'to', 'model', 'source', 'min-agreement', 'language', 'include-flagged', 'no-imported', 'test-share', 'format'] as const;

async function exportCommand(args: string[]): Promise<void> {
  const { values } = parseCommand(args, EXPORT_OPTIONS, false, EXPORT_USAGE);
  if (values.help) return out(EXPORT_USAGE);

  const filters = {
    from: isoDate(values.from, 'from'),
    to: isoDate(values.to, 'to'),
    modelVersions: listOf(values.model),
    sources: upperList(values.source, SOURCES, 'source'),
    minAgreement: numberIn(values['min-agreement'], 'min-agreement', 0, 1, EXPORT_USAGE),
    languages: listOf(values.language),
    excludeFlagged: values['include-flagged'] ? false : undefined,
    includeImported: values['no-imported'] ? false : undefined,
  };
  const build = {
    name: values.name,
    testShare: numberIn(values['test-share'], 'test-share', 0, 0.9, EXPORT_USAGE),
    formats: upperList(values.format, FORMATS, 'format'),
  };
  const pollMs = numberIn(values['poll-ms'], 'poll-ms', 50, 60_000, EXPORT_USAGE) ?? 500;
  const given = BUILD_OPTIONS.filter((o) => values[o] !== undefined);
  if (values.version !== undefined && given.length > 0) {
    throw new CliError(`--version takes an existing version as it was built; it cannot be combined with --${given.join(', --')}\n\n${EXPORT_USAGE}`, 2);
  }
  const ref = values.version === undefined ? undefined : versionRef(values.version);
  const outDir = fromCwd(values.out ?? 'datasets');

  const api = await connect(values, EXPORT_USAGE);
  let version: Version;
  if (ref) {
    version = await findVersion(api, ref);
    err(`dataset version #${version.number} (${version.id}): ${version.status}\n`);
  } else {
    // Options not given are undefined, which the request's JSON leaves out.
    version = (
      await api.request<{ createDatasetVersion: Version }>(`mutation($i: CreateDatasetVersionInput) { createDatasetVersion(input: $i) { ${VERSION_FIELDS} } }`, {
        i: { ...build, filters },
      })
    ).createDatasetVersion;
    err(`building dataset version #${version.number} (${version.id})\n`);
  }

  version = await waitForBuild(api, version, pollMs);
  if (version.status === 'FAILED') throw new CliError(`dataset version #${version.number} (${version.id}) FAILED: ${version.error ?? 'no reason given'}`);
  const dir = resolve(outDir, String(version.number));
  const files = await download(api, version, dir);

  out(`dataset version #${version.number}${version.name ? ` "${version.name}"` : ''} (${version.id}), manifest sha256 ${version.sha256}\n`);
  out(`written to ${shown(dir)}\n\n`);
  const rows = files.map((f) => [f.path, f.records, f.bytes, formatBytes(f.bytes), f.sha256.slice(0, 12)]);
  const totals = files.reduce((t, f) => ({ records: t.records + f.records, bytes: t.bytes + f.bytes }), { records: 0, bytes: 0 });
  rows.push([`total (${files.length} files)`, totals.records, totals.bytes, formatBytes(totals.bytes), '']);
  out(table(['file', 'records', 'bytes', 'size', 'sha256'], rows, [false, true, true, true, false]));
  out(`\nall ${files.length} files match manifest.json; the dataset card is ${shown(resolve(dir, 'README.md'))}\n`);
}

/** `--version`: a version's ID (a UUID) or its number (`7` or `#7`); checked before signing in. */
function versionRef(value: string): { id: string } | { number: number } {
  if (UUID.test(value)) return { id: value };
  if (/^#?\d+$/.test(value)) return { number: Number(value.replace('#', '')) };
  throw new CliError(`--version takes a version's ID (a UUID) or its number; got ${JSON.stringify(value)}\n\n${EXPORT_USAGE}`, 2);
}

async function findVersion(api: ApiClient, ref: { id: string } | { number: number }): Promise<Version> {
  if ('id' in ref) return getVersion(api, ref.id);
  const list = (await api.request<{ datasetVersions: Version[] }>(`query { datasetVersions(first: 100) { ${VERSION_FIELDS} } }`)).datasetVersions;
  const found = list.find((v) => v.number === ref.number);
  if (found) return found;
  throw new CliError(`no dataset version #${ref.number} among the 100 newest; give its ID`);
}

/** Polls the version until it is READY or FAILED, showing the rows read so far. */
async function waitForBuild(api: ApiClient, first: Version, pollMs: number): Promise<Version> {
  let version = first;
  if (version.status !== 'BUILDING') return version;
  const spinner = ['|', '/', '-', '\\'];
  const bar = progress({
    total: 0,
    format: `building #${first.number} {spinner} {value} rows read | {duration_formatted}`,
    payload: { spinner: spinner[0] },
    line: (value) => `building #${first.number}: ${value} rows read`,
  });
  let tick = 0;
  try {
    bar.update(version.progress);
    while (version.status === 'BUILDING') {
      await sleep(pollMs);
      version = await getVersion(api, version.id);
      bar.update(version.progress, { spinner: spinner[++tick % spinner.length] });
    }
  } finally {
    bar.stop();
  }
  err(`dataset version #${version.number}: ${version.status}${version.status === 'READY' ? `, ${version.progress} rows read` : ''}\n`);
  return version;
}

/** A file path from the manifest, as a path under `dir` (never outside it). */
function target(dir: string, path: string): string {
  const p = resolve(dir, path);
  if (!p.startsWith(dir + sep) || path.includes('\0')) throw new CliError(`the manifest names a file outside the version's folder: ${JSON.stringify(path)}`);
  return p;
}

/** GETs one file of the version through a download link (recorded as an export by the api). */
async function getFile(api: ApiClient, versionId: string, path: string): Promise<Response> {
  const link = (await api.request<{ datasetDownload: { url: string } }>('mutation($id: ID!, $p: String!) { datasetDownload(id: $id, path: $p) { url expiresAt } }', { id: versionId, p: path }))
    .datasetDownload;
  return api.get(link.url);
}

/** GETs one file of the version to `dest` (streamed, hashed on the way); returns its SHA-256 and size. */
async function fetchFile(api: ApiClient, versionId: string, path: string, dest: string, onBytes: (n: number) => void): Promise<{ sha256: string; bytes: number }> {
  const res = await getFile(api, versionId, path);
  await mkdir(dirname(dest), { recursive: true });
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), tap, createWriteStream(dest));
  return { sha256: hash.digest('hex'), bytes };
}

/** Downloads manifest.json and every file it lists into `dir`, checking every hash. */
async function download(api: ApiClient, version: Version, dir: string): Promise<DatasetFile[]> {
  if (!version.sha256) throw new CliError(`dataset version #${version.number} is READY but has no manifest hash`);
  // manifest.json is small: checked and read in memory, written only once it matches.
  const text = Buffer.from(await (await getFile(api, version.id, 'manifest.json')).arrayBuffer());
  const m = { sha256: createHash('sha256').update(text).digest('hex'), bytes: text.length };
  if (m.sha256 !== version.sha256) throw new CliError(`manifest.json does not match the version: its SHA-256 is ${m.sha256}, the api states ${version.sha256}`);
  let listed: DatasetFile[];
  try {
    listed = (JSON.parse(text.toString('utf8')) as { files?: unknown }).files as DatasetFile[];
    if (!Array.isArray(listed)) throw new Error('no files list');
    const odd = listed.find((f) => typeof f?.path !== 'string' || typeof f.sha256 !== 'string' || typeof f.bytes !== 'number');
    if (odd) throw new Error(`a file without path, sha256 and bytes: ${JSON.stringify(odd)}`);
  } catch (e) {
    throw new CliError(`manifest.json cannot be read: ${(e as Error).message}`);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(target(dir, 'manifest.json'), text);
  const files = listed.filter((f) => f.path !== 'manifest.json');
  const total = files.reduce((t, f) => t + f.bytes, 0);
  const bar = progress({
    total,
    format: 'downloading [{bar}] {percentage}% | {file} | {value}/{total} bytes',
    payload: { file: files[0]?.path ?? '' },
    line: (value, t, p) => `downloaded ${String(p.file)} (${value}/${t} bytes)`,
  });
  const bad: string[] = [];
  let done = 0;
  try {
    for (const f of files) {
      const dest = target(dir, f.path);
      const got = await fetchFile(api, version.id, f.path, dest, (n) => bar.update((done += n), { file: f.path }));
      bar.update(done, { file: f.path });
      if (got.sha256 !== f.sha256 || got.bytes !== f.bytes) {
        // Nothing unverified is left behind.
        await rm(dest, { force: true });
        bad.push(`${f.path}: SHA-256 ${got.sha256} (${got.bytes} bytes), manifest.json states ${f.sha256} (${f.bytes} bytes)`);
      }
    }
  } finally {
    bar.stop();
  }
  if (bad.length) throw new CliError(`${bad.length} file(s) do not match manifest.json:\n  ${bad.join('\n  ')}`);
  return [...files, { path: 'manifest.json', sha256: m.sha256, bytes: m.bytes, records: 0 }];
}

// ---------------------------------------------------------------------------------------------
// import
// ---------------------------------------------------------------------------------------------

const IMPORT_OPTIONS = {
  ...COMMON_OPTIONS,
  format: { type: 'string' },
  'chunk-kb': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

interface ImportReport {
  records: number;
  imported: number;
  duplicates: number;
  dropped: number;
  droppedBy: Record<string, number>;
  errors: string[];
  conversationIds: string[];
}

/** One request's worth of records, as JSONL. */
interface Chunk {
  content: string;
  records: number;
}

/** A parse error as the report shows it: `line N: message` (JSON input: the message names the index). */
const errorText = (e: ParseError) => (e.line === null ? e.message : `line ${e.line}: ${e.message}`);

/**
 * Splits the readable records into chunks of JSONL (each record re-written as OpenAI `messages`,
 * its text as it was: the api does the cleaning) of at most `maxBytes` once escaped into a GraphQL
 * request. A record too large for one request alone is reported and left out.
 */
export function chunkDialogues(text: string, format: DialogueFormat | undefined, maxBytes: number): { chunks: Chunk[]; records: number; errors: string[] } {
  const parsed = parseDialogues(text, format);
  const errors = parsed.errors.map(errorText);
  const chunks: Chunk[] = [];
  let cur: Chunk = { content: '', records: 0 };
  let size = 0;
  for (const d of parsed.dialogues) {
    const line = JSON.stringify({ messages: d.turns.map((t) => ({ role: t.role, content: t.content })) });
    // Its cost inside the request's JSON: escaped again, its newline ("\n") in place of the quotes.
    const cost = Buffer.byteLength(JSON.stringify(line));
    if (cost > maxBytes) {
      errors.push(`${d.line === null ? `record at index ${d.index}` : `line ${d.line}`}: too large to send (${cost} bytes; at most ${maxBytes} per request)`);
      continue;
    }
    if (size + cost > maxBytes && cur.records) {
      chunks.push(cur);
      cur = { content: '', records: 0 };
      size = 0;
    }
    cur.content += line + '\n';
    cur.records++;
    size += cost;
  }
  if (cur.records) chunks.push(cur);
  return { chunks, records: parsed.dialogues.length, errors };
}

async function importCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, IMPORT_OPTIONS, true, IMPORT_USAGE);
  if (values.help) return out(IMPORT_USAGE);
  if (positionals.length !== 1) throw new CliError(`import takes one FILE${positionals.length ? `, got ${positionals.length}` : ''}\n\n${IMPORT_USAGE}`, 2);
  const format = values.format?.toLowerCase();
  if (format !== undefined && format !== 'json' && format !== 'jsonl') throw new CliError(`--format must be json or jsonl; got ${JSON.stringify(values.format)}\n\n${IMPORT_USAGE}`, 2);
  const chunkKb = numberIn(values['chunk-kb'], 'chunk-kb', 1, 900, IMPORT_USAGE) ?? 256;

  const file = fromCwd(positionals[0]!);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { chunks, records, errors } = chunkDialogues(text, format as DialogueFormat | undefined, Math.floor(chunkKb * 1024));
  const api = await connect(values, IMPORT_USAGE);

  // Records that never reach the api (unreadable, too large) are counted here: the api reads only
  // what was read here already, so it finds none itself.
  const total: ImportReport = { records, imported: 0, duplicates: 0, dropped: 0, droppedBy: {}, errors, conversationIds: [] };
  const bar = progress({
    total: records,
    format: 'importing [{bar}] {value}/{total} records | {duration_formatted}',
    payload: {},
    line: (value, t) => `imported ${value}/${t} records`,
  });
  let sent = 0;
  try {
    for (const [i, chunk] of chunks.entries()) {
      const r = (
        await api.request<{ importDialogues: Omit<ImportReport, 'records'> }>(
          'mutation($i: ImportDialoguesInput!) { importDialogues(input: $i) { imported duplicates dropped droppedBy errors conversationIds } }',
          { i: { content: chunk.content, format: 'jsonl' } },
        )
      ).importDialogues;
      total.imported += r.imported;
      total.duplicates += r.duplicates;
      total.dropped += r.dropped;
      for (const [k, n] of Object.entries(r.droppedBy)) total.droppedBy[k] = (total.droppedBy[k] ?? 0) + n;
      total.errors.push(...r.errors.map((e) => `request ${i + 1}: ${e}`));
      total.conversationIds.push(...r.conversationIds);
      bar.update((sent += chunk.records));
    }
  } finally {
    bar.stop();
  }
  printImportReport(file, total, chunks.length);
}

function printImportReport(file: string, r: ImportReport, requests: number): void {
  const reasons = Object.entries(r.droppedBy)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
  out(`imported ${shown(file)} in ${requests} request(s)\n\n`);
  out(
    table(
      ['', 'records'],
      [
        ['records read', r.records],
        ['imported', r.imported],
        ['duplicates', r.duplicates],
        [`dropped${reasons ? ` (${reasons})` : ''}`, r.dropped],
        ['errors', r.errors.length],
      ],
      [false, true],
    ),
  );
  if (r.errors.length) out(`\nerrors:\n${r.errors.map((e) => `  ${e}`).join('\n')}\n`);
  if (r.conversationIds.length) {
    const ids = r.conversationIds.slice(0, 5);
    out(`\nconversations: ${ids.join(', ')}${r.conversationIds.length > ids.length ? `, … (${r.conversationIds.length - ids.length} more)` : ''}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, allowPositionals: boolean, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${usage}`, 2);
  }
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'export':
        await exportCommand(rest);
        return 0;
      case 'import':
        await importCommand(rest);
        return 0;
      case undefined:
        err(USAGE);
        return 2;
      case '--help':
      case '-h':
      case 'help':
        out(USAGE);
        return 0;
      default:
        throw new CliError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`, 2);
    }
  } catch (e) {
    if (e instanceof CliError) {
      err(`${e.message}\n`);
      return e.exitCode;
    }
    // The system refused (--out a file, no permission, disk full): its message names the path.
    if ((e as NodeJS.ErrnoException).syscall) {
      err(`${(e as Error).message}\n`);
      return 1;
    }
    err(`${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
