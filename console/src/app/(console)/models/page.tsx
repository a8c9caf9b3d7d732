import { ModelsScreen } from '@/features/models';

export default function ModelsPage() {
  return <ModelsScreen />;
}
