import { AgreementScreen } from '@/features/review';

export default function AgreementPage() {
  return <AgreementScreen />;
}
