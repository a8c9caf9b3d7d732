import { notFound } from 'next/navigation';
import { kindOfSlug, LabelScreen } from '@/features/review';

/** Labelling one kind: /review/pairwise, /review/ranking, /review/rubric, /review/correction (?item=<id> once claimed). */
export default async function LabelPage({ params }: { params: Promise<{ kind: string }> }) {
  const kind = kindOfSlug((await params).kind);
  if (!kind) notFound();
  return <LabelScreen kind={kind} />;
}
