'use client';
import { LineChart } from '@mantine/charts';
import { Alert, Button, Code, Group, Paper, Progress, ScrollArea, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { DetailPlaceholder } from '@/components/ui/detail-placeholder';
import { ErrorNotice } from '@/components/ui/error-notice';
import { Stat } from '@/components/ui/stat';
import type { TrainingRunQuery as RunData } from '@/gql/graphql';
import { gql, subscribe } from '@/lib/graphql/client';
import { useAbility } from '@/lib/rbac';
import { CancelTrainingRunMutation, ResumeTrainingRunMutation, TrainingRunLogQuery, TrainingRunProgressSubscription, TrainingRunQuery } from './documents';
import { RunGuards, type RunGuardsData } from './run-guards';
import { RunStatus, isLive } from './status';

/**
 * One run, live while it is queued or running: the run and its curve are read once on opening,
 * then the progress subscription moves the step, ETA and status and adds each logged loss to the
 * curve; only the log's end is read again, every two seconds while live. Cancel while live;
 * resume once FAILED or CANCELLED (which reads the run again).
 */
export function RunDetail({ id }: { id: string | null }) {
  const t = useTranslations('training');
  const format = useFormatter();
  const ability = useAbility();
  const qc = useQueryClient();
  const run = useQuery({ queryKey: ['training', 'run', id], queryFn: () => gql(TrainingRunQuery, { id: id! }), enabled: id !== null });
  const live = run.data ? isLive(run.data.trainingRun.status) : false;
  const log = useQuery({ queryKey: ['training', 'log', id], queryFn: () => gql(TrainingRunLogQuery, { id: id! }), enabled: id !== null, refetchInterval: live ? 2_000 : false });
  useEffect(() => {
    if (!id || !live) return;
    return subscribe(TrainingRunProgressSubscription, { id }, {
      next: ({ trainingRunProgress: p }) => {
        qc.setQueryData<RunData>(['training', 'run', id], (old) => {
          if (!old) return old;
          const curve = old.trainingRun.lossCurve;
          const last = curve.at(-1);
          const grows = typeof p.loss === 'number' && p.step > 0 && (!last || p.step > last.step);
          return { ...old, trainingRun: { ...old.trainingRun, ...p, lossCurve: grows ? [...curve, { step: p.step, loss: p.loss! }] : curve } };
        });
      },
      complete: () => void qc.invalidateQueries({ queryKey: ['training'] }),
    });
  }, [id, live, qc]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (id === null || !run.data) return <DetailPlaceholder picked={id !== null} hint={t('pick')} error={run.error} ready={false} />;
  const r = run.data.trainingRun;
  const act = async (what: 'cancel' | 'resume') => {
    setBusy(true);
    setError(null);
    try {
      if (what === 'cancel') await gql(CancelTrainingRunMutation, { id: r.id });
      else await gql(ResumeTrainingRunMutation, { id: r.id });
      await qc.invalidateQueries({ queryKey: ['training'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const share = r.totalSteps ? Math.round((100 * r.step) / r.totalSteps) : 0;
  const metrics = (r.metrics ?? null) as { heldout?: Record<string, unknown>; guards?: RunGuardsData } | null;
  return (
    <Stack gap="lg" component="section" aria-labelledby="training-detail">
      <Paper withBorder p="md">
        <Stack gap="sm">
          <Group justify="space-between" wrap="nowrap">
            <Title order={2} size="h3" id="training-detail">
              {t('detail.title', { number: r.number, method: r.method })}
            </Title>
            <RunStatus status={r.status} />
          </Group>
          <Text size="sm" c="dimmed">
            {t('detail.from', { base: r.baseModelVersion.name })}
            {r.modelVersion ? ` → ${r.modelVersion.name}` : ''}
            {r.attempt > 0 ? ` · ${t('detail.attempt', { attempt: r.attempt + 1 })}` : ''}
          </Text>
          <div role="status" aria-label={t('detail.progress')}>
            <Group justify="space-between" mb={4}>
              <Text size="sm">{r.totalSteps ? t('detail.steps', { step: r.step, total: r.totalSteps }) : t('detail.waiting')}</Text>
              <Text size="sm" c="dimmed">
                {r.etaSeconds !== null && r.etaSeconds !== undefined && live ? t('detail.eta', { seconds: Math.round(r.etaSeconds) }) : ''}
              </Text>
            </Group>
            <Progress value={share} animated={r.status === 'RUNNING'} aria-label={t('detail.progress')} />
          </div>
          <SimpleGrid cols={{ base: 2, md: 3 }} spacing="sm">
            <Stat size="sm" label={t('detail.loss')} value={r.loss === null || r.loss === undefined ? '—' : format.number(r.loss, { maximumFractionDigits: 4 })} />
            <Stat size="sm" label={t('detail.accuracy')} value={typeof metrics?.heldout?.reward_accuracy === 'number' ? format.number(metrics.heldout.reward_accuracy, { style: 'percent', maximumFractionDigits: 1 }) : '—'} />
            <Stat size="sm" label={t('detail.kl')} value={typeof metrics?.heldout?.kl_policy_reference === 'number' ? format.number(metrics.heldout.kl_policy_reference, { maximumFractionDigits: 4 }) : '—'} />
          </SimpleGrid>
          {metrics?.guards && <RunGuards guards={metrics.guards} />}
          {r.error && (
            <Alert color="red" role="alert" title={t('detail.failed')}>
              {r.error}
            </Alert>
          )}
          {error !== null && <ErrorNotice error={error} />}
          <Group gap="xs">
            {live && ability.can('cancel', 'TrainingRun') && (
              <Button variant="default" c="red.9" loading={busy} disabled={r.cancelRequestedAt !== null && r.cancelRequestedAt !== undefined} onClick={() => void act('cancel')}>
                {t('detail.cancel')}
              </Button>
            )}
            {(r.status === 'FAILED' || r.status === 'CANCELLED') && ability.can('create', 'TrainingRun') && (
              <Button variant="default" loading={busy} onClick={() => void act('resume')}>
                {t('detail.resume')}
              </Button>
            )}
          </Group>
        </Stack>
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="training-curve">
        <Title order={3} size="h4" id="training-curve" mb="sm">
          {t('detail.curve')}
        </Title>
        {r.lossCurve.length < 2 ? (
          <Text size="sm" c="dimmed">
            {t('detail.noCurve')}
          </Text>
        ) : (
          <LineChart
            h={240}
            data={r.lossCurve}
            dataKey="step"
            series={[{ name: 'loss', label: t('detail.loss'), color: 'indigo.7' }]}
            withDots={false}
            curveType="linear"
            valueFormatter={(v) => format.number(v, { maximumFractionDigits: 3 })}
            xAxisLabel={t('detail.step')}
            lineProps={{ isAnimationActive: false }}
            data-testid="loss-chart"
            data-points={r.lossCurve.length}
          />
        )}
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="training-log">
        <Title order={3} size="h4" id="training-log" mb="sm">
          {t('detail.log')}
        </Title>
        <ScrollArea.Autosize mah={260}>
          <Code block fz="xs">
            {log.data?.trainingRunLog.text || t('detail.noLog')}
          </Code>
        </ScrollArea.Autosize>
      </Paper>
    </Stack>
  );
}
