/**
 * Grading of the held-out prompts' exact answers (heldout.jsonl in a model folder): the one rule
 * `pnpm eval:model` and the loop demo's guards share.
 */

/** The kinds of held-out prompt with one exact answer. */
export const EXACT_KINDS = ['arithmetic', 'capital', 'conversion'] as const;

/** The answer slot of a reply: the number after the last '=' (arithmetic, conversions) or the capital's name. */
export function extractAnswer(kind: string, reply: string): string | null {
  const text = reply.trim();
  if (kind === 'capital') {
    const m = /(?:\bis |是)([^.。]+)[.。]?$/u.exec(text);
    return m ? m[1]!.trim() : null;
  }
  // Worked arithmetic shows intermediate steps: the answer follows the last '='.
  const all = [...text.matchAll(/=\s*(-?\d+)/gu)];
  return all.length ? all[all.length - 1]![1]! : null;
}

/** Whether `reply` gives the held-out item's answer; null when the item has no exact answer. */
export function isExactAnswer(item: { kind: string; answer: string | null }, reply: string): boolean | null {
  if (item.answer === null || !(EXACT_KINDS as readonly string[]).includes(item.kind)) return null;
  return extractAnswer(item.kind, reply) === item.answer;
}
