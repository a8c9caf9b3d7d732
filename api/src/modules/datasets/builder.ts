/**
 * Builds a dataset version's files by streaming rows from the database, page by page in
 * (promptKey, id) order, so memory stays flat whatever the size: rows with the same prompt come
 * together, which is all exact deduplication (by pair hash) and the SFT choice of best replies
 * need to see at once. Each record is redacted, split by its prompt's hash and written to every
 * format asked for; the card and manifest come last.
 */
import { Prisma, type PrismaClient } from '@dialoop/db';
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

export interface BuildOptions {
  filters: DatasetFilterSpec;
  testShare: number;
  formats: FormatId[];
  /** Pseudonyms of erased people: nothing they own or labelled goes in. */
  erased: string[];
  /** Rows per page (default 4000). */
  batch?: number;
  onProgress?: (rows: number) => void | Promise<void>;
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

/** Writes JSONL lines to `<format>/<split>.jsonl`, buffering a page's lines per file. */
class Outputs {
  private readonly files = new Map<string, { file: StoreFile; buf: string[]; records: number }>();
  constructor(
    private readonly store: DatasetStore,
    private readonly location: string,
  ) {}

  async open(format: FormatId) {
    for (const split of ['train', 'test'] as const) {
      this.files.set(`${format}/${split}`, { file: await this.store.create(this.location, `${format}/${split}.jsonl`), buf: [], records: 0 });
    }
  }

  add(format: FormatId, split: Split, line: string) {
    const f = this.files.get(`${format}/${split}`)!;
    f.buf.push(line);
    f.records++;
  }

  async flush() {
    for (const f of this.files.values()) {
      if (f.buf.length === 0) continue;
      const text = f.buf.join('\n') + '\n';
      f.buf = [];
      await f.file.write(text);
    }
  }

  async close(): Promise<BuiltFile[]> {
    await this.flush();
    const out: BuiltFile[] = [];
    for (const [key, f] of this.files) out.push({ path: `${key}.jsonl`, records: f.records, ...(await f.file.close()) });
    return out;
  }
}

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

/** The WHERE of a filter, shared by pairs and labelled replies (`table` names the columns' owner). */
function conditions(f: DatasetFilterSpec, erased: string[], kind: 'pairs' | 'labels'): Prisma.Sql[] {
  const c: Prisma.Sql[] = [];
  if (f.from) c.push(Prisma.sql`"createdAt" >= ${new Date(f.from)}`);
  if (f.to) c.push(Prisma.sql`"createdAt" < ${new Date(f.to)}`);
  if (f.languages?.length) c.push(Prisma.sql`language = ANY(${f.languages})`);
  if (f.excludeFlagged !== false) c.push(Prisma.sql`NOT flagged`);
  if (erased.length) c.push(Prisma.sql`NOT ("ownerPseudonym" = ANY(${erased}) OR authors && ${erased}::text[])`);
  if (kind === 'pairs') {
    if (f.sources?.length) c.push(Prisma.sql`source::text = ANY(${f.sources})`);
    if (f.minAgreement != null) c.push(Prisma.sql`(agreement IS NULL OR agreement >= ${f.minAgreement})`);
    if (f.modelVersions?.length) {
      c.push(Prisma.sql`("chosenModel" IS NULL OR "chosenModel" = ANY(${f.modelVersions}))`);
      c.push(Prisma.sql`("rejectedModel" = ANY(${f.modelVersions}))`);
    }
  } else if (f.modelVersions?.length) c.push(Prisma.sql`model = ANY(${f.modelVersions})`);
  return c;
}

/** Pages of rows in (promptKey, id) order, by keyset. */
async function* pages<T extends { promptKey: string; id: string }>(query: (after: { key: string; id: string } | null) => Promise<T[]>): AsyncGenerator<T[]> {
  let after: { key: string; id: string } | null = null;
  for (;;) {
    const rows = await query(after);
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1]!;
    after = { key: last.promptKey, id: last.id };
  }
}

export async function buildDataset(db: PrismaClient, store: DatasetStore, location: string, o: BuildOptions): Promise<{ counts: BuildCounts; files: BuiltFile[] }> {
  const batch = o.batch ?? 4000;
  const formats = new Set(o.formats);
  const counts: BuildCounts = {
    records: {},
    pairs: { total: 0, bySource: {}, byLanguage: {}, bySplit: { train: 0, test: 0 } },
    labelled: { total: 0, desirable: 0, undesirable: 0 },
    sft: { total: 0, fromPairs: 0, imported: 0 },
    duplicates: { pairs: 0, labelled: 0 },
    invalid: {},
    redactions: { email: 0, phone: 0, idCard: 0, bankCard: 0 },
    rowsRead: 0,
  };
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
    // Most text holds nothing to redact: skip the five patterns unless it has an @ or a digit run.
    if (!/@|\d{5}/.test(text)) return text;
    const r = redactPii(text);
    for (const k of Object.keys(r.found) as PiiKind[]) counts.redactions[k] += r.found[k];
    return r.text;
  };
  const redactTurns = (turns: Turn[]) => turns.map((t) => ({ role: t.role, content: redact(t.content) }));
  const progress = async () => {
    await o.onProgress?.(counts.rowsRead);
  };

  // ---- preference pairs: DPO, OpenAI preference, HH, and SFT's best replies
  const pairFormats = PAIR_FORMATS.filter((f) => formats.has(f.id));
  if (pairFormats.length || formats.has('sft')) {
    const where = conditions(o.filters, o.erased, 'pairs');
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
    for await (const rows of pages<PairRow>((after) =>
      db.$queryRaw<PairRow[]>`
        SELECT id, "promptKey", "pairKey", source::text AS source, prompt, chosen, rejected, margin, agreement, "chosenModel", "rejectedModel", language
        FROM "PreferencePair"
        WHERE ${Prisma.join([...where, after ? Prisma.sql`("promptKey", id) > (${after.key}, ${after.id}::uuid)` : Prisma.sql`TRUE`], ' AND ')}
        ORDER BY "promptKey", id LIMIT ${batch}`,
    )) {
      for (const row of rows) {
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
        const pair: PreferencePair = {
          prompt: redactTurns(row.prompt),
          chosen: redact(row.chosen),
          rejected: redact(row.rejected),
          source: row.source.toLowerCase() as PreferencePair['source'],
          margin: row.margin,
          agreement: row.agreement,
          chosenModel: row.chosenModel,
          rejectedModel: row.rejectedModel,
          language: row.language,
        };
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
    const where = conditions(o.filters, o.erased, 'labels');
    let key = '';
    let seen = new Set<string>();
    for await (const rows of pages<LabelRow>((after) =>
      db.$queryRaw<LabelRow[]>`
        SELECT id, "promptKey", prompt, completion, label, language FROM "LabelledReply"
        WHERE ${Prisma.join([...where, after ? Prisma.sql`("promptKey", id) > (${after.key}, ${after.id}::uuid)` : Prisma.sql`TRUE`], ' AND ')}
        ORDER BY "promptKey", id LIMIT ${batch}`,
    )) {
      for (const row of rows) {
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
        const reply: LabelledReply = { prompt: redactTurns(row.prompt), completion: redact(row.completion), label: row.label, language: row.language };
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
  if (formats.has('sft') && o.filters.includeImported !== false) {
    let after: string | null = null;
    const importedWhere: Prisma.Sql[] = [Prisma.sql`c."importHash" IS NOT NULL`];
    if (o.filters.from) importedWhere.push(Prisma.sql`c."importedAt" >= ${new Date(o.filters.from)}`);
    if (o.filters.to) importedWhere.push(Prisma.sql`c."importedAt" < ${new Date(o.filters.to)}`);
    for (;;) {
      const convs: { id: string; turns: { role: string; content: string }[] }[] = await db.$queryRaw`
        SELECT c.id, json_agg(json_build_object('role', lower(m.role::text), 'content', m.content) ORDER BY m.ordinal) AS turns
        FROM "Conversation" c JOIN "Message" m ON m."conversationId" = c.id
        WHERE ${Prisma.join([...importedWhere, after ? Prisma.sql`c.id > ${after}::uuid` : Prisma.sql`TRUE`], ' AND ')}
        GROUP BY c.id ORDER BY c.id LIMIT ${Math.max(100, Math.floor(batch / 10))}`;
      if (convs.length === 0) break;
      for (const c of convs) {
        counts.rowsRead++;
        const turns = c.turns as Turn[];
        const lastUser = turns.map((t) => t.role).lastIndexOf('user');
        const split = splitOfKey(promptKeyOf(turns.slice(0, lastUser + 1)), o.testShare);
        const languageOk = !o.filters.languages?.length || o.filters.languages.includes(guessLanguage(turns.find((t) => t.role === 'user')?.content ?? ''));
        if (!languageOk) continue;
        counts.sft.total++;
        counts.sft.imported++;
        record('sft', split, () => toSft({ messages: redactTurns(turns), language: '' }));
      }
      after = convs[convs.length - 1]!.id;
      await out.flush();
      await progress();
    }
  }

  return { counts, files: await out.close() };
}
