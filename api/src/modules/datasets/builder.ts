/**
 * Builds a dataset version's files by streaming rows from the database, page by page in
 * (promptKey, id) order, so memory stays flat whatever the size: rows with the same prompt come
 * together, which is all exact deduplication (by pair hash) and the SFT choice of best replies
 * need to see at once. Each record is redacted, split by its prompt's hash and written to every
 * format asked for; the card and manifest come last.
 */
import type { PrismaClient } from '@dialoop/db';
import { join, sql, type Sql } from '@dialoop/db/sql';
import {
  guessLanguage,
  normalizeText,
  promptKey as promptKeyOf,
  redactPii,
  splitOfKey,
  toAnthropicHh,
  toOpenAiPreference,
  toSft,
  toTrlDpo,
  toTrlKto,
  type LabelledReply,
  type PiiKind,
  type PreferencePair,
  type Turn,
} from '@dialoop/feedback';
import type { DatasetStore, StoreFile } from './store.js';

export type FormatId = 'dpo' | 'kto' | 'openai-preference' | 'hh' | 'sft';
export const ALL_FORMATS: FormatId[] = ['dpo', 'kto', 'openai-preference', 'hh', 'sft'];
type Split = 'train' | 'test';
type Source = 'COMPARISON' | 'RANKING' | 'CORRECTION' | 'RATING';

export interface DatasetFilterSpec {
  from?: string | null | undefined;
  to?: string | null | undefined;
  modelVersions?: string[] | null | undefined;
  sources?: Source[] | null | undefined;
  minAgreement?: number | null | undefined;
  languages?: string[] | null | undefined;
  excludeFlagged?: boolean | null | undefined;
  includeImported?: boolean | null | undefined;
}

/** Runs one query and returns its rows: Prisma's `$queryRaw`, or a pg pool of the builder's own (worker). */
export type Rows = <T>(query: Sql) => Promise<T[]>;
export const prismaRows =
  (db: PrismaClient): Rows =>
  <T>(query: Sql) =>
    db.$queryRaw<T[]>(query);

export interface BuildOptions {
  filters: DatasetFilterSpec;
  testShare: number;
  formats: FormatId[];
  /** Pseudonyms of erased people: nothing they own or labelled goes in. */
  erased: string[];
  /** Rows per page (default 1000: a small page keeps the heap small; the index scan costs the same). */
  batch?: number;
  onProgress?: (rows: number) => void | Promise<void>;
  /**
   * Only prompts whose hash is in [from, to) (hex; null: unbounded), and whether to add the
   * imported dialogues: how a build is split between workers (`buildInWorkers`). Default: all.
   */
  range?: { from: string | null; to: string | null; imports: boolean } | undefined;
}

export interface BuiltFile {
  path: string;
  sha256: string;
  bytes: number;
  records: number;
}

export interface BuildCounts {
  records: Record<string, Record<Split, number>>;
  pairs: { total: number; bySource: Record<string, number>; byLanguage: Record<string, number>; bySplit: Record<Split, number> };
  labelled: { total: number; desirable: number; undesirable: number };
  sft: { total: number; fromPairs: number; imported: number };
  duplicates: { pairs: number; labelled: number };
  /** Records a format's consumer could not take (e.g. HH text containing its turn markers). */
  invalid: Record<string, number>;
  redactions: Record<PiiKind, number>;
  rowsRead: number;
}

const PAIR_FORMATS: { id: FormatId; write: (p: PreferencePair) => string }[] = [
  { id: 'dpo', write: toTrlDpo },
  { id: 'openai-preference', write: toOpenAiPreference },
  { id: 'hh', write: toAnthropicHh },
];

/** Writes JSONL lines to `<format>/<split>.jsonl`, a file's lines buffered up to about 1 MB. */
class Outputs {
  private readonly files = new Map<string, { file: StoreFile; buf: string[]; chars: number; records: number }>();
  private full = false;
  constructor(
    private readonly store: DatasetStore,
    private readonly location: string,
  ) {}

  async open(format: FormatId) {
    for (const split of ['train', 'test'] as const) {
      this.files.set(`${format}/${split}`, { file: await this.store.create(this.location, `${format}/${split}.jsonl`), buf: [], chars: 0, records: 0 });
    }
  }

  add(format: FormatId, split: Split, line: string) {
    const f = this.files.get(`${format}/${split}`)!;
    f.buf.push(line);
    f.chars += line.length + 1;
    f.records++;
    if (f.chars >= FLUSH_CHARS) this.full = true;
  }

  /** Writes the buffers that are full (all of them with `all`). */
  async flush(all = false) {
    if (!all && !this.full) return;
    this.full = false;
    for (const f of this.files.values()) {
      if (f.buf.length === 0 || (!all && f.chars < FLUSH_CHARS)) continue;
      const text = f.buf.join('\n') + '\n';
      f.buf = [];
      f.chars = 0;
      await f.file.write(text);
    }
  }

  async close(): Promise<BuiltFile[]> {
    await this.flush(true);
    const out: BuiltFile[] = [];
    for (const [key, f] of this.files) out.push({ path: `${key}.jsonl`, records: f.records, ...(await f.file.close()) });
    return out;
  }
}

const FLUSH_CHARS = 1 << 20;

interface PairRow {
  id: string;
  promptKey: string;
  pairKey: string;
  source: Source;
  prompt: Turn[];
  chosen: string;
  rejected: string;
  margin: number;
  agreement: number | null;
  chosenModel: string | null;
  rejectedModel: string | null;
  language: string;
}

interface LabelRow {
  id: string;
  promptKey: string;
  prompt: Turn[];
  completion: string;
  label: boolean;
  language: string;
}

const bump = (m: Record<string, number>, k: string, n = 1) => void (m[k] = (m[k] ?? 0) + n);

export function emptyCounts(): BuildCounts {
  return {
    records: {},
    pairs: { total: 0, bySource: {}, byLanguage: {}, bySplit: { train: 0, test: 0 } },
    labelled: { total: 0, desirable: 0, undesirable: 0 },
    sft: { total: 0, fromPairs: 0, imported: 0 },
    duplicates: { pairs: 0, labelled: 0 },
    invalid: {},
    redactions: { email: 0, phone: 0, idCard: 0, bankCard: 0 },
    rowsRead: 0,
  };
}

/** The counts of a build done in parts: every figure summed. */
export function mergeCounts(parts: BuildCounts[]): BuildCounts {
  const all = emptyCounts();
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, n] of Object.entries(from)) bump(into, k, n);
  };
  for (const c of parts) {
    for (const [format, bySplit] of Object.entries(c.records)) add((all.records[format] ??= { train: 0, test: 0 }), bySplit);
    all.pairs.total += c.pairs.total;
    add(all.pairs.bySource, c.pairs.bySource);
    add(all.pairs.byLanguage, c.pairs.byLanguage);
    add(all.pairs.bySplit, c.pairs.bySplit);
    add(all.labelled, c.labelled);
    add(all.sft, c.sft);
    add(all.duplicates, c.duplicates);
    add(all.invalid, c.invalid);
    add(all.redactions, c.redactions);
    all.rowsRead += c.rowsRead;
  }
  return all;
}

/** The WHERE of a filter, shared by pairs and labelled replies (and the preferencePairs listing). */
export function conditions(f: DatasetFilterSpec, erased: string[], kind: 'pairs' | 'labels', range: BuildOptions['range']): Sql[] {
  const c: Sql[] = [];
  if (range?.from) c.push(sql`"promptKey" >= ${range.from}`);
  if (range?.to) c.push(sql`"promptKey" < ${range.to}`);
  if (f.from) c.push(sql`"createdAt" >= ${new Date(f.from)}`);
  if (f.to) c.push(sql`"createdAt" < ${new Date(f.to)}`);
  if (f.languages?.length) c.push(sql`language = ANY(${f.languages})`);
  if (f.excludeFlagged !== false) c.push(sql`NOT flagged`);
  if (erased.length) c.push(sql`NOT ("ownerPseudonym" = ANY(${erased}) OR authors && ${erased}::text[])`);
  if (kind === 'pairs') {
    if (f.sources?.length) c.push(sql`source::text = ANY(${f.sources})`);
    if (f.minAgreement != null) c.push(sql`(agreement IS NULL OR agreement >= ${f.minAgreement})`);
    if (f.modelVersions?.length) {
      c.push(sql`("chosenModel" IS NULL OR "chosenModel" = ANY(${f.modelVersions}))`);
      c.push(sql`("rejectedModel" = ANY(${f.modelVersions}))`);
    }
  } else if (f.modelVersions?.length) c.push(sql`model = ANY(${f.modelVersions})`);
  return c;
}

/**
 * Pages of rows in (promptKey, id) order, by keyset; the next page is asked for before this one
 * is processed, so the database works on it meanwhile.
 */
async function* pages<T extends { promptKey: string; id: string }>(batch: number, query: (after: { key: string; id: string } | null) => Promise<T[]>): AsyncGenerator<T[]> {
  const ask = (after: { key: string; id: string } | null) => {
    const p = query(after);
    p.catch(() => {}); // observed when awaited below; not an unhandled rejection if the caller stops first
    return p;
  };
  let next = ask(null);
  for (;;) {
    const rows = await next;
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!;
    next = rows.length < batch ? Promise.resolve([]) : ask({ key: last.promptKey, id: last.id });
    yield rows;
  }
}

const redactTurns = (turns: readonly Turn[], redact: (text: string) => string): Turn[] => turns.map((t) => ({ role: t.role, content: redact(t.content) }));

/** A stored pair as the format writers take it, its texts passed through `redact`. */
export function pairOf(
  row: Pick<PairRow, 'prompt' | 'chosen' | 'rejected' | 'source' | 'margin' | 'agreement' | 'chosenModel' | 'rejectedModel' | 'language'>,
  redact: (text: string) => string,
): PreferencePair {
  return {
    prompt: redactTurns(row.prompt, redact),
    chosen: redact(row.chosen),
    rejected: redact(row.rejected),
    source: row.source.toLowerCase() as PreferencePair['source'],
    margin: row.margin,
    agreement: row.agreement,
    chosenModel: row.chosenModel,
    rejectedModel: row.rejectedModel,
    language: row.language,
  };
}

export async function buildDataset(rows: Rows, store: DatasetStore, location: string, o: BuildOptions): Promise<{ counts: BuildCounts; files: BuiltFile[] }> {
  const batch = o.batch ?? 1000;
  const formats = new Set(o.formats);
  const counts = emptyCounts();
  const out = new Outputs(store, location);
  for (const f of o.formats) await out.open(f);
  const record = (format: FormatId, split: Split, write: () => string) => {
    let line: string;
    try {
      line = write();
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      bump(counts.invalid, format);
      return;
    }
    out.add(format, split, line);
    const r = (counts.records[format] ??= { train: 0, test: 0 });
    r[split]++;
  };
  const redact = (text: string) => {
    const r = redactPii(text);
    for (const k of Object.keys(r.found) as PiiKind[]) counts.redactions[k] += r.found[k];
    return r.text;
  };
  const progress = async () => {
    await o.onProgress?.(counts.rowsRead);
  };

  // ---- preference pairs: DPO, OpenAI preference, HH, and SFT's best replies
  const pairFormats = PAIR_FORMATS.filter((f) => formats.has(f.id));
  if (pairFormats.length || formats.has('sft')) {
    const where = conditions(o.filters, o.erased, 'pairs', o.range);
    let group: { key: string; seen: Set<string>; chosen: Map<string, { text: string; prompt: Turn[] }>; rejected: Set<string> } | null = null;
    const endGroup = () => {
      if (!group || !formats.has('sft')) return;
      const split = splitOfKey(group.key, o.testShare);
      for (const [norm, c] of group.chosen) {
        if (group.rejected.has(norm)) continue;
        counts.sft.total++;
        counts.sft.fromPairs++;
        record('sft', split, () => toSft({ messages: [...c.prompt, { role: 'assistant', content: c.text }], language: '' }));
      }
    };
    for await (const page of pages<PairRow>(batch, (after) =>
      rows<PairRow>(sql`
        SELECT id, "promptKey", "pairKey", source::text AS source, prompt, chosen, rejected, margin, agreement, "chosenModel", "rejectedModel", language
        FROM "PreferencePair"
        WHERE ${join([...where, after ? sql`("promptKey", id) > (${after.key}, ${after.id}::uuid)` : sql`TRUE`], ' AND ')}
        ORDER BY "promptKey", id LIMIT ${batch}`),
    )) {
      for (const row of page) {
        counts.rowsRead++;
        if (!group || group.key !== row.promptKey) {
          endGroup();
          group = { key: row.promptKey, seen: new Set(), chosen: new Map(), rejected: new Set() };
        }
        if (group.seen.has(row.pairKey)) {
          counts.duplicates.pairs++;
          continue;
        }
        group.seen.add(row.pairKey);
        const split = splitOfKey(row.promptKey, o.testShare);
        const pair = pairOf(row, redact);
        counts.pairs.total++;
        counts.pairs.bySplit[split]++;
        bump(counts.pairs.bySource, row.source);
        bump(counts.pairs.byLanguage, row.language);
        for (const f of pairFormats) record(f.id, split, () => f.write(pair));
        if (formats.has('sft')) {
          const norm = normalizeText(pair.chosen);
          if (!group.chosen.has(norm)) group.chosen.set(norm, { text: pair.chosen, prompt: pair.prompt });
          group.rejected.add(normalizeText(pair.rejected));
        }
      }
      await out.flush();
      await progress();
    }
    endGroup();
  }

  // ---- replies judged on their own: KTO
  if (formats.has('kto') && (!o.filters.sources?.length || o.filters.sources.includes('RATING'))) {
    const where = conditions(o.filters, o.erased, 'labels', o.range);
    let key = '';
    let seen = new Set<string>();
    for await (const page of pages<LabelRow>(batch, (after) =>
      rows<LabelRow>(sql`
        SELECT id, "promptKey", prompt, completion, label, language FROM "LabelledReply"
        WHERE ${join([...where, after ? sql`("promptKey", id) > (${after.key}, ${after.id}::uuid)` : sql`TRUE`], ' AND ')}
        ORDER BY "promptKey", id LIMIT ${batch}`),
    )) {
      for (const row of page) {
        counts.rowsRead++;
        if (row.promptKey !== key) {
          key = row.promptKey;
          seen = new Set();
        }
        const dedupKey = `${row.label}\u0001${normalizeText(row.completion)}`;
        if (seen.has(dedupKey)) {
          counts.duplicates.labelled++;
          continue;
        }
        seen.add(dedupKey);
        const reply: LabelledReply = { prompt: redactTurns(row.prompt, redact), completion: redact(row.completion), label: row.label, language: row.language };
        counts.labelled.total++;
        if (row.label) counts.labelled.desirable++;
        else counts.labelled.undesirable++;
        record('kto', splitOfKey(row.promptKey, o.testShare), () => toTrlKto(reply));
      }
      await out.flush();
      await progress();
    }
  }

  // ---- imported dialogues: SFT
  if (formats.has('sft') && o.filters.includeImported !== false && (o.range?.imports ?? true)) {
    let after: string | null = null;
    const importedWhere: Sql[] = [sql`c."importHash" IS NOT NULL`];
    if (o.filters.from) importedWhere.push(sql`c."importedAt" >= ${new Date(o.filters.from)}`);
    if (o.filters.to) importedWhere.push(sql`c."importedAt" < ${new Date(o.filters.to)}`);
    for (;;) {
      const convs: { id: string; turns: Turn[] }[] = await rows<{ id: string; turns: Turn[] }>(sql`
        SELECT c.id, json_agg(json_build_object('role', lower(m.role::text), 'content', m.content) ORDER BY m.ordinal) AS turns
        FROM "Conversation" c JOIN "Message" m ON m."conversationId" = c.id
        WHERE ${join([...importedWhere, after ? sql`c.id > ${after}::uuid` : sql`TRUE`], ' AND ')}
        GROUP BY c.id ORDER BY c.id LIMIT ${Math.max(100, Math.floor(batch / 10))}`);
      if (convs.length === 0) break;
      for (const c of convs) {
        counts.rowsRead++;
        const turns = c.turns;
        const lastUser = turns.map((t) => t.role).lastIndexOf('user');
        const split = splitOfKey(promptKeyOf(turns.slice(0, lastUser + 1)), o.testShare);
        const languageOk = !o.filters.languages?.length || o.filters.languages.includes(guessLanguage(turns.find((t) => t.role === 'user')?.content ?? ''));
        if (!languageOk) continue;
        counts.sft.total++;
        counts.sft.imported++;
        record('sft', split, () => toSft({ messages: redactTurns(turns, redact), language: '' }));
      }
      after = convs[convs.length - 1]!.id;
      await out.flush();
      await progress();
    }
  }

  return { counts, files: await out.close() };
}
