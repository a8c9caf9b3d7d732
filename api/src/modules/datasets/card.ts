/** The dataset card (README.md) and manifest.json of a version. Pure text from the build's numbers. */
import type { BuildCounts, BuiltFile, DatasetFilterSpec, FormatId } from './builder.js';

export const MANIFEST_FORMAT = 'dialoop-dataset/v1';

export interface VersionInfo {
  id: string;
  number: number;
  name: string | null;
  createdAt: string;
  createdBy: string | null;
  filters: DatasetFilterSpec;
  testShare: number;
  formats: FormatId[];
}

const FORMAT_NOTES: Record<FormatId, string> = {
  dpo: 'TRL `DPOTrainer`, conversational: `prompt`, `chosen`, `rejected` as message lists (https://huggingface.co/docs/trl/dataset_formats#preference)',
  kto: 'TRL `KTOTrainer`, conversational unpaired preference: `prompt`, `completion` (message lists), `label` (https://huggingface.co/docs/trl/dataset_formats#unpaired-preference)',
  'openai-preference':
    'OpenAI preference fine-tuning (DPO): `input.messages`, `preferred_output`, `non_preferred_output` (https://platform.openai.com/docs/guides/direct-preference-optimization)',
  hh: 'Anthropic HH-RLHF: `chosen`, `rejected` as "\\n\\nHuman: … \\n\\nAssistant: …" transcripts (https://huggingface.co/datasets/Anthropic/hh-rlhf)',
  sft: 'Supervised fine-tuning: `messages` ending with the reply to learn (TRL `SFTTrainer` conversational)',
};

const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function datasetCard(v: VersionInfo, counts: BuildCounts, files: BuiltFile[]): string {
  const f = v.filters;
  const filterRows: [string, string][] = [
    ['from', f.from ?? '—'],
    ['to', f.to ?? '—'],
    ['model versions', f.modelVersions?.join(', ') || 'any'],
    ['sources', f.sources?.join(', ') || 'all'],
    ['minimum agreement', f.minAgreement != null ? String(f.minAgreement) : 'none'],
    ['languages', f.languages?.join(', ') || 'all'],
    ['flagged by the content filter', f.excludeFlagged === false ? 'included' : 'excluded'],
    ['imported dialogues (SFT)', f.includeImported === false ? 'excluded' : 'included'],
  ];
  return `---
pretty_name: Dialoop preference data v${v.number}${v.name ? ` (${v.name})` : ''}
language: [${Object.keys(counts.pairs.byLanguage).join(', ')}]
task_categories: [text-generation]
tags: [dpo, kto, rlhf, preference]
---

# Dialoop dataset v${v.number}${v.name ? ` — ${v.name}` : ''}

Built ${v.createdAt} by ${v.createdBy ?? 'a service'} (a pseudonym) from the feedback collected in Dialoop.
Version id \`${v.id}\`. The files and their SHA-256 are listed in \`manifest.json\`; this version never changes.

## Counts

${table(
  ['format', 'train', 'test'],
  v.formats.map((id) => [id, counts.records[id]?.train ?? 0, counts.records[id]?.test ?? 0]),
)}

Preference pairs: ${counts.pairs.total} (train ${counts.pairs.bySplit.train}, test ${counts.pairs.bySplit.test}).

${table(['source', 'pairs'], Object.entries(counts.pairs.bySource).map(([k, n]) => [k.toLowerCase(), n]))}

${table(['language', 'pairs'], Object.entries(counts.pairs.byLanguage).map(([k, n]) => [k, n]))}

Labelled replies (KTO): ${counts.labelled.total} (${counts.labelled.desirable} desirable, ${counts.labelled.undesirable} undesirable).
SFT examples: ${counts.sft.total} (${counts.sft.fromPairs} best or corrected replies, ${counts.sft.imported} imported dialogues).
Exact duplicates dropped: ${counts.duplicates.pairs} pairs, ${counts.duplicates.labelled} labelled replies.
${Object.keys(counts.invalid).length ? `Records a format cannot hold (left out of that format only): ${Object.entries(counts.invalid).map(([k, n]) => `${k} ${n}`).join(', ')}.\n` : ''}
## Filters

${table(['filter', 'value'], filterRows)}

## How it was made

- **Pairs.** Pairwise comparisons: each review votes its strength (1-3) for its choice; the side with more wins, margin = net strength per review; ties give no pair.
  Rankings: merged across reviewers by ranked pairs (Tideman); every majority locked in is a pair, margin = net share of rankings, agreement = share agreeing.
  Corrections: the reviewer's corrected text over the original reply. Ratings and rubric scores: among replies to the same prompt, the higher mean score over the lower.
  Items whose reviewers disagreed (agreement below the threshold) were decided by an admin; their pairs carry the reviewers' agreement.
- **Labelled replies (KTO).** People's thumbs (up 5, down 1) and 1-5 scores, and reviewers' rubric means: desirable at 4 or more, undesirable at 2 or less, 3 left out.
- **SFT.** For each prompt, the chosen replies that were never rejected for it (best and corrected replies), and imported dialogues.
- **Deduplication.** Exact, by SHA-256 of the normalized (NFKC, lower case, white space collapsed) prompt and replies.
- **Split.** By the prompt's hash: a prompt is in the test split when the first 32 bits of its hash fall below ${v.testShare} of the range. The same prompt is on the same side in every version.
- **Privacy.** People appear only as keyed pseudonyms (none in these files). E-mail addresses, phone numbers, Chinese resident ID numbers and bank card numbers were replaced by placeholders (${Object.entries(
    counts.redactions,
  )
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}). Data of people who erased their account is left out.

## Files

${table(['file', 'records', 'bytes', 'sha256'], files.map((x) => [x.path, x.records, x.bytes, `\`${x.sha256}\``]))}

## Formats

${v.formats.map((id) => `- \`${id}/\`: ${FORMAT_NOTES[id]}`).join('\n')}
`;
}

export function manifest(v: VersionInfo, counts: BuildCounts, files: BuiltFile[]) {
  return {
    format: MANIFEST_FORMAT,
    id: v.id,
    version: v.number,
    name: v.name,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    filters: v.filters,
    testShare: v.testShare,
    formats: v.formats,
    counts,
    files,
  };
}
