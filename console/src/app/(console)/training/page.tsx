import { TrainingScreen } from '@/features/training';

export default function TrainingPage() {
  return <TrainingScreen />;
}
