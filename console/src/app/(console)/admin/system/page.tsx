import { SystemScreen } from '@/features/system';

export default function SystemPage() {
  return <SystemScreen />;
}
