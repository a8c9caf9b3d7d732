'use client';
import { Badge } from '@mantine/core';

/** A state shown as a tinted badge whose text keeps AA contrast (dark text on the light tint). */
export function StatusBadge({ color, label, size = 'md' }: { color: string; label: string; size?: 'sm' | 'md' }) {
  return (
    <Badge size={size} color={color} c="dark.9" variant="light" radius="sm">
      {label}
    </Badge>
  );
}
