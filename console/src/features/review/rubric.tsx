'use client';
import { Badge, Grid, Group, Paper, Radio, Stack, Text, Title } from '@mantine/core';
import { useRef, useState } from 'react';
import { useTranslations } from 'use-intl';
import { rubricCandidate } from './answer';
import { CandidateCard } from './item-parts';
import { ariaKeys, KeyHint, useMac } from './key-hint';
import { useShortcuts } from './keymap';
import type { KindProps } from './kind-props';

/**
 * Scores for one candidate at a time on every criterion of the item's rubric: a radio group per
 * criterion, or number keys for the current criterion (↑/↓ or j/k choose it, and it moves on by
 * itself). `[` and `]` switch the candidate; each candidate's scores are one submit.
 */
export function RubricControls({ item, draft, update, keysEnabled }: KindProps) {
  const t = useTranslations('review');
  const mac = useMac();
  const candidateId = rubricCandidate(item, draft);
  const candidate = item.candidates.find((c) => c.id === candidateId) ?? item.candidates[0];
  const given = (candidate && draft.scores[candidate.id]) || {};
  const firstOpen = Math.max(0, item.rubric.findIndex((c) => given[c.id] === undefined));
  const [current, setCurrent] = useState(firstOpen);
  const [shown, setShown] = useState(candidate?.id);
  if (shown !== candidate?.id) {
    // Another candidate (picked, or the next one after a submit) starts at its first open criterion.
    setShown(candidate?.id);
    setCurrent(firstOpen);
  }
  const groups = useRef(new Map<string, HTMLDivElement>());
  const open = item.candidates.filter((c) => !draft.scored.includes(c.id));

  const setScore = (criterion: string, score: number) => {
    if (!candidate) return;
    const id = candidate.id;
    update((d) => ({ scores: { ...d.scores, [id]: { ...(d.scores[id] ?? {}), [criterion]: score } } }));
  };

  const goTo = (index: number) => {
    const i = Math.min(Math.max(index, 0), item.rubric.length - 1);
    setCurrent(i);
    // A reviewer moving through the radios keeps the focus with the criterion they move to.
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && active.type === 'radio') {
      const group = groups.current.get(item.rubric[i]!.id);
      const target = group?.querySelector<HTMLInputElement>('input[type="radio"]:checked') ?? group?.querySelector<HTMLInputElement>('input[type="radio"]');
      target?.focus();
    }
  };

  const pick = (id: string) => update({ candidateId: id });
  const cycle = (delta: number) => {
    if (open.length < 2 || !candidate) return;
    const i = open.findIndex((c) => c.id === candidate.id);
    const next = open[(i + delta + open.length) % open.length];
    if (next) pick(next.id);
  };

  useShortcuts(
    ['rubric'],
    {
      score: (key) => {
        const criterion = item.rubric[current];
        const n = Number(key);
        if (!criterion || n < criterion.min || n > criterion.max) return;
        setScore(criterion.id, n);
        if (current < item.rubric.length - 1) goTo(current + 1);
      },
      previousCriterion: () => goTo(current - 1),
      nextCriterion: () => goTo(current + 1),
      previousCandidate: () => cycle(-1),
      nextCandidate: () => cycle(1),
    },
    keysEnabled,
  );

  const criterionLabel = (c: { id: string; label: string }) => (t.has(`rubric.criteria.${c.id}`) ? t(`rubric.criteria.${c.id}`) : c.label);

  return (
    <Stack gap="md">
      {item.candidates.length > 1 && (
        <Radio.Group
          label={t('rubric.candidate')}
          description={t('rubric.candidateHint', { done: draft.scored.length, total: item.candidates.length })}
          value={candidate?.id ?? null}
          onChange={pick}
        >
          <Group gap="lg" mt={6}>
            {item.candidates.map((c) => {
              const done = draft.scored.includes(c.id);
              return (
                <Radio
                  key={c.id}
                  value={c.id}
                  disabled={done}
                  aria-keyshortcuts={ariaKeys('nextCandidate', mac)}
                  label={done ? t('rubric.candidateScored', { name: t('item.candidate', { label: c.label }) }) : t('item.candidate', { label: c.label })}
                />
              );
            })}
          </Group>
        </Radio.Group>
      )}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>{candidate && <CandidateCard label={candidate.label} model={candidate.model} content={candidate.content} headingLevel={3} />}</Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper component="section" withBorder p="md" aria-labelledby="review-rubric-heading">
            <Title order={3} size="h5" id="review-rubric-heading" mb={4}>
              {t('rubric.title', { name: t('item.candidate', { label: candidate?.label ?? '?' }) })}
            </Title>
            <Text size="xs" c="dimmed" mb="sm">
              {t('rubric.hint')}
            </Text>
            <Stack gap="xs">
              {item.rubric.map((c, i) => (
                <Paper
                  key={c.id}
                  p="xs"
                  radius="sm"
                  withBorder
                  ref={(el: HTMLDivElement | null) => {
                    if (el) groups.current.set(c.id, el);
                    else groups.current.delete(c.id);
                  }}
                  onFocusCapture={() => setCurrent(i)}
                  style={i === current ? { borderColor: 'var(--mantine-color-indigo-5)', background: 'var(--mantine-color-indigo-0)' } : undefined}
                  aria-current={i === current ? 'step' : undefined}
                >
                  <Radio.Group
                    label={
                      <Group component="span" gap={6} wrap="nowrap">
                        {criterionLabel(c)}
                        {i === current && (
                          <Badge size="xs" variant="light" aria-hidden="true">
                            {t('rubric.current')}
                          </Badge>
                        )}
                      </Group>
                    }
                    description={t('rubric.scale', { min: c.min, max: c.max })}
                    value={given[c.id] !== undefined ? String(given[c.id]) : null}
                    onChange={(v) => setScore(c.id, Number(v))}
                  >
                    <Group gap="sm" mt={4} wrap="wrap">
                      {Array.from({ length: c.max - c.min + 1 }, (_, k) => c.min + k).map((n) => (
                        <Radio key={n} value={String(n)} label={String(n)} aria-label={t('rubric.scoreLabel', { criterion: criterionLabel(c), score: n })} />
                      ))}
                    </Group>
                  </Radio.Group>
                </Paper>
              ))}
            </Stack>
            <Group gap={4} mt="xs" c="dimmed" aria-hidden="true">
              <Text size="xs">{t('rubric.keysHint')}</Text>
              <KeyHint action="score" />
              <KeyHint action="nextCriterion" />
              <KeyHint action="nextCandidate" />
            </Group>
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
