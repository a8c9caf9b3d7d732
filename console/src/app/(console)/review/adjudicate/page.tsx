import { AdjudicationScreen } from '@/features/review';

export default function AdjudicatePage() {
  return <AdjudicationScreen />;
}
