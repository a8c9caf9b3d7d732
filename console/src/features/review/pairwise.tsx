'use client';
import { Button, Group, Paper, Radio, SimpleGrid, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import { useTranslations } from 'use-intl';
import type { PairwiseChoice } from '@/gql/graphql';
import type { Strength } from './draft';
import { CandidateCard } from './item-parts';
import { ariaKeys, KeyHint, useMac } from './key-hint';
import { useShortcuts, type KeyAction } from './keymap';
import type { KindProps } from './kind-props';

const CHOICES: { value: PairwiseChoice; action: KeyAction }[] = [
  { value: 'A', action: 'chooseA' },
  { value: 'TIE', action: 'chooseTie' },
  { value: 'B', action: 'chooseB' },
];
const STRENGTHS: { value: Strength; action: KeyAction }[] = [
  { value: 1, action: 'strength1' },
  { value: 2, action: 'strength2' },
  { value: 3, action: 'strength3' },
];

/** Two replies side by side; which is better (a, b, t) and by how much (1-3). */
export function PairwiseControls({ item, draft, update, keysEnabled }: KindProps) {
  const t = useTranslations('review');
  const mac = useMac();
  const labelId = useId();
  const [a, b] = item.candidates;
  const choose = (choice: PairwiseChoice) => update({ choice });
  const tie = draft.choice === 'TIE';
  useShortcuts(
    ['pairwise'],
    {
      chooseA: () => choose('A'),
      chooseB: () => choose('B'),
      chooseTie: () => choose('TIE'),
      strength1: () => !tie && update({ strength: 1 }),
      strength2: () => !tie && update({ strength: 2 }),
      strength3: () => !tie && update({ strength: 3 }),
    },
    keysEnabled,
  );
  const label = (c: PairwiseChoice) => (c === 'TIE' ? t('pairwise.tie') : t('pairwise.better', { label: c === 'A' ? (a?.label ?? 'A') : (b?.label ?? 'B') }));
  return (
    <Stack gap="md">
      <SimpleGrid component="section" aria-label={t('item.candidates')} cols={2} spacing="md">
        {a && <CandidateCard label={a.label} model={a.model} content={a.content} selected={draft.choice === 'A'} />}
        {b && <CandidateCard label={b.label} model={b.model} content={b.content} selected={draft.choice === 'B'} />}
      </SimpleGrid>
      <Paper withBorder p="md" component="section" aria-label={t('pairwise.decision')}>
        <Group align="flex-start" gap="xl" wrap="wrap">
          <Stack gap={6}>
            <Text id={labelId} fw={600} size="sm">
              {t('pairwise.question')}
            </Text>
            <Group role="group" aria-labelledby={labelId} gap="xs" wrap="nowrap">
              {CHOICES.map(({ value, action }) => (
                <Button
                  key={value}
                  variant={draft.choice === value ? 'filled' : 'default'}
                  aria-pressed={draft.choice === value}
                  aria-keyshortcuts={ariaKeys(action, mac)}
                  onClick={() => choose(value)}
                  rightSection={<KeyHint action={action} />}
                >
                  {label(value)}
                </Button>
              ))}
            </Group>
          </Stack>
          <Radio.Group
            label={t('pairwise.strength')}
            description={tie ? t('pairwise.noStrengthForTie') : t('pairwise.strengthHint')}
            value={draft.strength && !tie ? String(draft.strength) : null}
            onChange={(v) => update({ strength: Number(v) as Strength })}
            disabled={tie}
          >
            <Group gap="md" mt={6} wrap="nowrap">
              {STRENGTHS.map(({ value, action }) => (
                <Radio
                  key={value}
                  value={String(value)}
                  aria-keyshortcuts={ariaKeys(action, mac)}
                  label={
                    <Group component="span" gap={4} wrap="nowrap">
                      {t(`pairwise.strengths.${value}`)}
                      <KeyHint action={action} />
                    </Group>
                  }
                />
              ))}
            </Group>
          </Radio.Group>
        </Group>
      </Paper>
    </Stack>
  );
}
