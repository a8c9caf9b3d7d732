'use client';
import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';

/** Something done, said in the page (a status, for screen readers too): its title at AA contrast on the light tint. */
export function SuccessNotice({ title, children, mb }: { title?: string; children?: ReactNode; mb?: string }) {
  return (
    <Alert color="teal" role="status" title={title} mb={mb} styles={{ title: { color: 'var(--mantine-color-dark-9)' }, message: { color: 'var(--mantine-color-dark-9)' } }}>
      {children}
    </Alert>
  );
}
