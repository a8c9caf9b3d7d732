import { SafetyScreen } from '@/features/safety';

export default function SafetyPage() {
  return <SafetyScreen />;
}
