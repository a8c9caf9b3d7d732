import { DatasetsScreen } from '@/features/datasets';

export default function DatasetsPage() {
  return <DatasetsScreen />;
}
