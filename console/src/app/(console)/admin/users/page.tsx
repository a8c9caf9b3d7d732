import { UsersScreen } from '@/features/users';

export default function UsersPage() {
  return <UsersScreen />;
}
