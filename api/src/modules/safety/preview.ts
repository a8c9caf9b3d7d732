import type { SafetyDirection, SafetyLevel } from '@dialoop/db';
import { badInput } from '../../errors.js';
import { normalizeTerm, strongest, type Hit, type Matcher, type TermSpec } from './matcher.js';
import { ReplyFilter, RewriteStream, TermStream, type RewriteSpec } from './stream.js';

/** The longest text a preview takes (UTF-16 units): MAX_MESSAGE_CHARS' default, far beyond a reply's usual length. */
export const PREVIEW_MAX_CHARS = 32_000;

/** What a turn would get: in rising order, as `SafetyLevel` (REVIEW flags, MASK masks, BLOCK refuses or stops). */
export type PreviewOutcome = 'ALLOWED' | 'FLAGGED' | 'MASKED' | 'BLOCKED';
const OUTCOME: Record<SafetyLevel, PreviewOutcome> = { REVIEW: 'FLAGGED', MASK: 'MASKED', BLOCK: 'BLOCKED' };

export interface PreviewMatch {
  term: TermSpec;
  /** What a turn records for it: refused (a prompt), stopped (a reply), masked or flagged. */
  action: 'refused' | 'stopped' | 'masked' | 'flagged';
  start: number;
  end: number;
  /** The characters matched: of the scanned text, or of the masked text for a match found after masking. */
  matched: string;
  /** Their normal form (folded, separators and invisible characters out): what the term's normal form was found as. */
  normalized: string;
  termNormalized: string;
  /** Found only in the text as masked (a `*` joined what surrounds it); offsets in the masked text. */
  afterMasking: boolean;
}

export interface PreviewRewrite {
  rule: RewriteSpec;
  /** How many times it replaced a match. */
  applications: number;
}

export interface SafetyPreviewResult {
  direction: SafetyDirection;
  enabled: boolean;
  version: number;
  outcome: PreviewOutcome;
  /** The strongest level hit; null: none. */
  level: SafetyLevel | null;
  /** What the person would see: the masked prompt (null when it would be refused), or the reply as streamed (ending with the refusal when stopped). */
  text: string | null;
  /** The text the term filter read: the input, after the rewrite rules for a reply. Match offsets are in it. */
  scanned: string;
  matches: PreviewMatch[];
  rewrites: PreviewRewrite[];
}

export interface PreviewFilter {
  enabled: boolean;
  version: number;
  matcher: Matcher;
  rules: Array<{ spec: RewriteSpec; re: RegExp }>;
  regexHold: number;
  refusal: string;
}

const viewOf = (s: string) => String.fromCharCode(...normalizeTerm(s).units);
const ACTION = { REVIEW: 'flagged', MASK: 'masked' } as const;

/** Refuses what a preview does not take: empty text, or longer than PREVIEW_MAX_CHARS (lone surrogates never get here: middleware.ts). */
export function checkPreviewText(text: string): void {
  if (text.length === 0) throw badInput('text must not be empty', { field: 'text' });
  if (text.length > PREVIEW_MAX_CHARS) throw badInput(`text exceeds ${PREVIEW_MAX_CHARS} characters`, { field: 'text', maxLength: PREVIEW_MAX_CHARS });
}

/**
 * The live filter's verdict on a text, computed as a turn computes it and recording nothing: a
 * prompt (INPUT) through `Matcher.apply`, as `LiveFilter.checkInput`; a reply (OUTPUT) through a
 * fresh `ReplyFilter` (rewrite rules, then the term filter), streamed and ended, with the refusal
 * appended when a BLOCK term stops it, as `GenerationManager` does.
 */
export function previewText(f: PreviewFilter, text: string, direction: SafetyDirection): SafetyPreviewResult {
  const base = { direction, enabled: f.enabled, version: f.version };
  if (!f.enabled) return { ...base, outcome: 'ALLOWED', level: null, text, scanned: text, matches: [], rewrites: [] };
  if (direction === 'INPUT') {
    const r = f.matcher.apply(text);
    // The first scan's hits are in the text as sent; the others were found once masks joined letters.
    const first = new Set(f.matcher.scan(text).hits.map(key));
    const matches = r.hits.map((h) => {
      const later = !first.has(key(h));
      return match(later ? r.text : text, h, h.term.level === 'BLOCK' ? 'refused' : ACTION[h.term.level], later);
    });
    return { ...base, ...verdict(r.hits), text: r.blocked ? null : r.text, scanned: text, matches, rewrites: [] };
  }
  const streams = () => f.rules.map((r) => new RewriteStream(r.spec, r.re, f.regexHold));
  const rewrites = streams();
  const terms = f.matcher.size > 0 ? new TermStream(f.matcher) : undefined;
  const filter = new ReplyFilter(terms, rewrites);
  // Streamed a code point at a time: what goes out before a BLOCK term stops the reply is what
  // the finest tokenization would have let out (a coarser one lets out no more).
  let shown = '';
  let blocked: Hit | undefined;
  for (const ch of text) {
    const r = filter.push(ch);
    shown += r.text;
    blocked = r.blocked;
    if (blocked) break;
  }
  if (!blocked) {
    const b = filter.end();
    shown += b.text;
    blocked = b.blocked;
  }
  if (blocked) shown += (shown ? '\n\n' : '') + f.refusal;
  // What the term filter read: the rewrite rules over the text, as the filter's own stages ran them.
  let scanned = text;
  for (const s of streams()) scanned = s.push(scanned).text + s.end().text;
  const hits = blocked ? [...filter.hits, blocked] : filter.hits;
  const matches = hits.map((h) => match(scanned, h, h === blocked ? 'stopped' : ACTION[h.term.level as 'REVIEW' | 'MASK'], false));
  return {
    ...base,
    ...verdict(hits),
    text: shown,
    scanned,
    matches,
    rewrites: f.rules.map((r, i) => ({ rule: r.spec, applications: rewrites[i]!.applied.length })).filter((r) => r.applications > 0),
  };
}

function key(h: Hit): string {
  return `${h.term.id}:${h.start}:${h.end}`;
}

function verdict(hits: Hit[]): { outcome: PreviewOutcome; level: SafetyLevel | null } {
  const top = strongest(hits)?.term.level ?? null;
  return { outcome: top ? OUTCOME[top] : 'ALLOWED', level: top };
}

function match(scanned: string, h: Hit, action: PreviewMatch['action'], afterMasking: boolean): PreviewMatch {
  const matched = scanned.slice(h.start, h.end);
  return { term: h.term, action, start: h.start, end: h.end, matched, normalized: viewOf(matched), termNormalized: viewOf(h.term.term), afterMasking };
}
