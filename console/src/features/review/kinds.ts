import type { ReviewKind } from '@/gql/graphql';

/** The kinds of item, in the order the queue offers them, and their URL segment (`/review/pairwise`). */
export const KINDS: readonly ReviewKind[] = ['PAIRWISE', 'RANKING', 'RUBRIC', 'CORRECTION'];

export const kindSlug = (kind: ReviewKind) => kind.toLowerCase();

export function kindOfSlug(slug: string): ReviewKind | undefined {
  return KINDS.find((k) => kindSlug(k) === slug);
}

/** The labelling page of a kind, on one item when given (the URL survives a reload). */
export const labelHref = (kind: ReviewKind, itemId?: string) => `/review/${kindSlug(kind)}${itemId ? `?item=${encodeURIComponent(itemId)}` : ''}`;
