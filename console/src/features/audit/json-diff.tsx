'use client';
import { Box, Code, Text } from '@mantine/core';
import { diffJson } from 'diff';
import { useTranslations } from 'use-intl';

/** Before and after of an entry as a line diff of their JSON: removed lines marked "−" in red, added "+" in green. */
export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const t = useTranslations('audit');
  if (before == null && after == null) return <Text c="dimmed" size="sm">{t('entry.noChange')}</Text>;
  const parts = diffJson((before ?? {}) as object, (after ?? {}) as object);
  return (
    <Box component="pre" m={0} p="xs" fz="xs" style={{ overflowX: 'auto', borderRadius: 4, background: 'var(--mantine-color-gray-0)', border: '1px solid var(--mantine-color-gray-3)' }} aria-label={t('entry.diff')}>
      {parts.flatMap((part, i) =>
        part.value
          .replace(/\n$/, '')
          .split('\n')
          .map((line, j) => {
            const mark = part.added ? '+' : part.removed ? '−' : ' ';
            // Darker than Mantine's 9 shades, so that the lines keep a 4.5:1 contrast on their tint.
            const color = part.added ? '#14532d' : part.removed ? '#7f1d1d' : undefined;
            const bg = part.added ? 'var(--mantine-color-green-0)' : part.removed ? 'var(--mantine-color-red-0)' : undefined;
            return (
              <Code key={`${i}-${j}`} block={false} display="block" c={color} bg={bg ?? 'transparent'} p={0} fz="xs">
                {`${mark} ${line}`}
              </Code>
            );
          }),
      )}
    </Box>
  );
}
