'use client';
import { Button, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { TrainingMethod } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { StartTrainingRunMutation, TrainingChoicesQuery } from './documents';

/** The folder of the dataset version each method reads. */
const READS: Record<TrainingMethod, string> = { DPO: 'dpo/', KTO: 'kto/', SFT: 'sft/' };

interface Values {
  datasetVersionId: string | null;
  baseModelVersionId: string | null;
  method: TrainingMethod;
  steps: number | string;
  lr: number | string;
  beta: number | string;
  batchSize: number | string;
  warmupSteps: number | string;
  seed: number | string;
  replayWeight: number | string;
}

const range = (v: number | string, min: number, max: number, optional = true) => (v === '' ? optional : typeof v === 'number' && v >= min && v <= max);

/** A run: a READY dataset version holding the method's format, a base version, and the main hyperparameters (validated as the api does). */
export function StartRunForm({ onStarted }: { onStarted(id: string): void }) {
  const t = useTranslations('training.start');
  const qc = useQueryClient();
  const choices = useQuery({ queryKey: ['training', 'choices'], queryFn: () => gql(TrainingChoicesQuery) });
  const [error, setError] = useState<unknown>(null);
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: { datasetVersionId: null, baseModelVersionId: null, method: 'DPO', steps: 25, lr: '', beta: '', batchSize: '', warmupSteps: '', seed: '', replayWeight: '' },
    validate: {
      datasetVersionId: (v) => (v ? null : t('errors.dataset')),
      steps: (v) => (range(v, 1, 1_000_000, false) ? null : t('errors.steps')),
      lr: (v) => (range(v, 1e-8, 1) ? null : t('errors.lr')),
      beta: (v) => (range(v, 0.001, 100) ? null : t('errors.beta')),
      batchSize: (v) => (range(v, 1, 1024) ? null : t('errors.batchSize')),
      warmupSteps: (v, all) => (range(v, 0, 1_000_000) && (v === '' || typeof all.steps !== 'number' || (v as number) < all.steps) ? null : t('errors.warmupSteps')),
      seed: (v) => (range(v, 0, 2 ** 31 - 1) ? null : t('errors.seed')),
      replayWeight: (v) => (range(v, 0, 100) ? null : t('errors.replayWeight')),
    },
  });
  const method = form.getValues().method;
  const datasets = (choices.data?.datasetVersions ?? []).filter((d) => d.status === 'READY' && (d.files ?? []).some((f) => f.path.startsWith(READS[method])));
  const models = (choices.data?.modelVersions ?? []).filter((m) => m.status !== 'RETIRED');
  const submit = form.onSubmit(async (v) => {
    setError(null);
    const num = (x: number | string) => (typeof x === 'number' ? x : undefined);
    const hyperparameters = Object.fromEntries(Object.entries({ steps: num(v.steps), lr: num(v.lr), beta: v.method === 'SFT' ? undefined : num(v.beta), batchSize: num(v.batchSize), warmupSteps: num(v.warmupSteps), seed: num(v.seed), replayWeight: num(v.replayWeight) }).filter(([, x]) => x !== undefined));
    try {
      const run = (await gql(StartTrainingRunMutation, { input: { datasetVersionId: v.datasetVersionId!, method: v.method, hyperparameters, ...(v.baseModelVersionId ? { baseModelVersionId: v.baseModelVersionId } : {}) } })).startTrainingRun;
      await qc.invalidateQueries({ queryKey: ['training'] });
      onStarted(run.id);
    } catch (err) {
      setError(err);
    }
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="training-start">
      <form onSubmit={submit} aria-labelledby="training-start">
        <Stack gap="sm">
          <Title order={2} size="h4" id="training-start">
            {t('title')}
          </Title>
          <div>
            <Text size="sm" fw={500} mb={4} id="training-method">
              {t('method')}
            </Text>
            <SegmentedControl aria-labelledby="training-method" data={(['DPO', 'KTO', 'SFT'] as const).map((m) => ({ value: m, label: m }))} {...form.getInputProps('method')} />
          </div>
          <Select
            label={t('dataset')}
            description={t('datasetHint', { folder: READS[method] })}
            placeholder={t('datasetPlaceholder')}
            data={datasets.map((d) => ({ value: d.id, label: `v${d.number}${d.name ? ` · ${d.name}` : ''}` }))}
            nothingFoundMessage={t('noDataset')}
            {...form.getInputProps('datasetVersionId')}
          />
          <Select
            label={t('base')}
            placeholder={t('basePlaceholder')}
            data={models.map((m) => ({ value: m.id, label: `${m.name} (${m.status.toLowerCase()})` }))}
            clearable
            {...form.getInputProps('baseModelVersionId')}
          />
          <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
            <NumberInput label={t('steps')} min={1} allowDecimal={false} {...form.getInputProps('steps')} />
            <NumberInput label={t('lr')} placeholder="5e-4" min={0} decimalScale={8} {...form.getInputProps('lr')} />
            {method !== 'SFT' && <NumberInput label={t('beta')} placeholder="0.1" min={0} decimalScale={3} {...form.getInputProps('beta')} />}
            <NumberInput label={t('batchSize')} placeholder="8" min={1} allowDecimal={false} {...form.getInputProps('batchSize')} />
            <NumberInput label={t('warmupSteps')} placeholder="10" min={0} allowDecimal={false} {...form.getInputProps('warmupSteps')} />
            <NumberInput label={t('seed')} placeholder="0" min={0} allowDecimal={false} {...form.getInputProps('seed')} />
            {/* Cross-entropy on the base version's own training corpus beside the method's loss (issue 20's guards). */}
            <NumberInput label={t('replayWeight')} placeholder={t('replayPlaceholder')} min={0} max={100} decimalScale={3} {...form.getInputProps('replayWeight')} />
          </SimpleGrid>
          {choices.isError && <ErrorNotice error={choices.error} />}
          {error !== null && <ErrorNotice error={error} />}
          <Button type="submit" w="fit-content" loading={form.submitting}>
            {t('submit')}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
