import { QueueScreen } from '@/features/review';

export default function ReviewQueuePage() {
  return <QueueScreen />;
}
