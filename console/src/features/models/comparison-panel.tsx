'use client';
import { Button, Group, NumberInput, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { ModelVersionFieldsFragment } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { useAbility } from '@/lib/rbac';
import { CreateArenaItemsMutation, ModelComparisonQuery } from './documents';

/** The win rate and its interval on a 0–100 % axis, the even line dashed. */
function WinRateFigure({ rate, low, high, label }: { rate: number; low: number; high: number; label: string }) {
  const x = (p: number) => 10 + p * 380;
  return (
    <svg viewBox="0 0 400 62" width="100%" role="img" aria-label={label} data-testid="win-rate">
      <line x1={x(0)} x2={x(1)} y1={30} y2={30} stroke="var(--mantine-color-gray-4)" strokeWidth={2} />
      <line x1={x(0.5)} x2={x(0.5)} y1={12} y2={48} stroke="var(--mantine-color-gray-6)" strokeDasharray="4 3" />
      <rect x={x(low)} width={Math.max(2, x(high) - x(low))} y={22} height={16} rx={4} fill="var(--mantine-color-indigo-2)" />
      <circle cx={x(rate)} cy={30} r={7} fill="var(--mantine-color-indigo-7)" />
      {[0, 0.25, 0.5, 0.75, 1].map((p) => (
        <text key={p} x={x(p)} y={60} fontSize={10} textAnchor="middle" fill="var(--mantine-color-gray-7)">
          {`${p * 100}%`}
        </text>
      ))}
    </svg>
  );
}

/**
 * A challenger against the active version from reviewers' pairwise choices on arena items: its
 * win rate, the interval, and the counts; admins put more arena items up for review.
 */
export function ComparisonPanel({ versions }: { versions: ModelVersionFieldsFragment[] }) {
  const t = useTranslations('models.compare');
  const format = useFormatter();
  const ability = useAbility();
  const qc = useQueryClient();
  const active = versions.find((v) => v.status === 'ACTIVE');
  const candidates = versions.filter((v) => v.id !== active?.id && v.status !== 'RETIRED');
  const [picked, setPicked] = useState<string | null>(null);
  const challenger = picked ?? versions.find((v) => v.status === 'CANARY')?.id ?? candidates[0]?.id ?? null;
  const comparison = useQuery({
    queryKey: ['models', 'comparison', active?.id, challenger],
    queryFn: () => gql(ModelComparisonQuery, { baselineId: active!.id, challengerId: challenger! }),
    enabled: Boolean(active && challenger),
  });
  const [count, setCount] = useState<number | string>(20);
  const [made, setMade] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const arena = async () => {
    setBusy(true);
    setError(null);
    setMade(null);
    try {
      const r = (await gql(CreateArenaItemsMutation, { input: { baselineId: active!.id, challengerId: challenger!, count: Number(count) } })).createArenaItems;
      setMade(r.created);
      await qc.invalidateQueries({ queryKey: ['models', 'comparison'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const c = comparison.data?.modelComparison;
  const pct = (x: number) => format.number(x, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="models-compare">
      <Stack gap="sm">
        <Title order={2} size="h4" id="models-compare">
          {t('title')}
        </Title>
        {!active || candidates.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('nothing')}
          </Text>
        ) : (
          <>
            <Select
              label={t('challenger', { active: active.name })}
              data={candidates.map((v) => ({ value: v.id, label: v.name }))}
              value={challenger}
              onChange={(v) => v && setPicked(v)}
              allowDeselect={false}
            />
            {comparison.isError && <ErrorNotice error={comparison.error} />}
            {c && c.winRate !== null && c.winRate !== undefined && c.low !== null && c.low !== undefined && c.high !== null && c.high !== undefined ? (
              <>
                <Text size="sm" role="status">
                  {t('rate', { rate: pct(c.winRate), low: pct(c.low), high: pct(c.high), confidence: pct(c.confidence), n: c.n })}
                </Text>
                <WinRateFigure rate={c.winRate} low={c.low} high={c.high} label={t('rate', { rate: pct(c.winRate), low: pct(c.low), high: pct(c.high), confidence: pct(c.confidence), n: c.n })} />
                <Text size="xs" c="dimmed">
                  {t('counts', { wins: c.wins, losses: c.losses, ties: c.ties, items: c.items })}
                </Text>
              </>
            ) : (
              c && (
                <Text size="sm" c="dimmed" role="status">
                  {t('noJudgments', { items: c.items })}
                </Text>
              )
            )}
            {ability.can('create', 'ReviewItem') && (
              <Group gap="xs" align="end">
                <NumberInput label={t('count')} min={1} max={500} allowDecimal={false} w={140} value={count} onChange={setCount} />
                <Button variant="default" loading={busy} onClick={() => void arena()} disabled={typeof count !== 'number' || count < 1 || count > 500}>
                  {t('arena')}
                </Button>
              </Group>
            )}
            {made !== null && (
              <Text size="sm" role="status">
                {t('made', { n: made })}
              </Text>
            )}
            {error !== null && <ErrorNotice error={error} />}
          </>
        )}
      </Stack>
    </Paper>
  );
}
