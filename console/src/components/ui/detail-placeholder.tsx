'use client';
import { Center, Loader, Paper, Text } from '@mantine/core';
import { ErrorNotice } from './error-notice';

/**
 * What a detail panel shows before its record: a hint to pick one, the error that kept it, or a
 * loader; null once the record is there (the caller draws it).
 */
export function DetailPlaceholder({ picked, hint, error, ready }: { picked: boolean; hint: string; error: unknown; ready: boolean }) {
  if (!picked)
    return (
      <Paper withBorder p="xl">
        <Text c="dimmed" ta="center">
          {hint}
        </Text>
      </Paper>
    );
  if (error) return <ErrorNotice error={error} />;
  if (!ready)
    return (
      <Center p="xl">
        <Loader size="sm" />
      </Center>
    );
  return null;
}
