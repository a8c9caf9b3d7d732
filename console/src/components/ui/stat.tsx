'use client';
import { Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A labelled figure in a card (agreement, a dataset's counts, a run's loss): `lg` on overview pages, `sm` in panels. */
export function Stat({ label, value, size = 'lg', children }: { label: string; value: string; size?: 'sm' | 'lg'; children?: ReactNode }) {
  return (
    <Paper withBorder p={size === 'lg' ? 'md' : 'sm'} radius={size === 'lg' ? undefined : 'sm'}>
      <Text size={size === 'lg' ? 'sm' : 'xs'} c="dimmed">
        {label}
      </Text>
      <Text fz={size === 'lg' ? 36 : 'lg'} fw={size === 'lg' ? 700 : 600} lh={size === 'lg' ? 1.2 : undefined} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
      {children}
    </Paper>
  );
}
