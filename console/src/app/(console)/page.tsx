import { Home } from '@/components/shell/home';

/** `/`: the first page the person's role may use (signed-out visitors were sent to sign in by the proxy). */
export default function Index() {
  return <Home />;
}
