import { AuditScreen } from '@/features/audit';

export default function AuditPage() {
  return <AuditScreen />;
}
