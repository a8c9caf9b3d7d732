import { Suspense } from 'react';
import { SignInForm } from '@/components/shell/sign-in-form';

export default function SignInPage() {
  return (
    <Suspense>
      <SignInForm />
    </Suspense>
  );
}
