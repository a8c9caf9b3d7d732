'use client';
import { Button, Checkbox, Group, NumberInput, Paper, SimpleGrid, Stack, Switch, TagsInput, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { DatasetFormat, PreferenceSource } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { CreateDatasetVersionMutation } from './documents';

const FORMATS: DatasetFormat[] = ['DPO', 'KTO', 'OPENAI_PREFERENCE', 'HH', 'SFT'];
const SOURCES: PreferenceSource[] = ['COMPARISON', 'RANKING', 'RATING', 'CORRECTION'];
const LANGUAGES = ['en', 'zh'];

interface Values {
  name: string;
  formats: DatasetFormat[];
  testShare: number | string;
  sources: PreferenceSource[];
  languages: string[];
  modelVersions: string[];
  minAgreement: number | string;
  from: string;
  to: string;
  excludeFlagged: boolean;
  includeImported: boolean;
}

/** A new version with every filter the api takes, validated as the api validates them. */
export function NewVersionForm({ onCreated }: { onCreated(id: string): void }) {
  const t = useTranslations('datasets.create');
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: { name: '', formats: FORMATS, testShare: 0.1, sources: [], languages: [], modelVersions: [], minAgreement: '', from: '', to: '', excludeFlagged: true, includeImported: true },
    validate: {
      name: (v) => (v.length <= 120 ? null : t('errors.name')),
      formats: (v) => (v.length > 0 ? null : t('errors.formats')),
      testShare: (v) => (typeof v === 'number' && v >= 0 && v <= 0.9 ? null : t('errors.testShare')),
      minAgreement: (v) => (v === '' || (typeof v === 'number' && v >= 0 && v <= 1) ? null : t('errors.minAgreement')),
      modelVersions: (v) => (v.length <= 50 ? null : t('errors.modelVersions')),
      to: (v, all) => (!v || !all.from || all.from <= v ? null : t('errors.range')),
    },
  });
  const submit = form.onSubmit(async (v) => {
    setError(null);
    try {
      const filters = {
        excludeFlagged: v.excludeFlagged,
        includeImported: v.includeImported,
        ...(v.sources.length ? { sources: v.sources } : {}),
        ...(v.languages.length ? { languages: v.languages } : {}),
        ...(v.modelVersions.length ? { modelVersions: v.modelVersions } : {}),
        ...(typeof v.minAgreement === 'number' ? { minAgreement: v.minAgreement } : {}),
        ...(v.from ? { from: new Date(`${v.from}T00:00:00Z`).toISOString() } : {}),
        ...(v.to ? { to: new Date(`${v.to}T00:00:00Z`).toISOString() } : {}),
      };
      const created = (await gql(CreateDatasetVersionMutation, { input: { formats: v.formats, testShare: Number(v.testShare), filters, ...(v.name.trim() ? { name: v.name.trim() } : {}) } })).createDatasetVersion;
      await qc.invalidateQueries({ queryKey: ['datasets'] });
      form.reset();
      onCreated(created.id);
    } catch (err) {
      setError(err);
    }
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="datasets-new">
      <form onSubmit={submit} aria-labelledby="datasets-new">
        <Stack gap="sm">
          <Title order={2} size="h4" id="datasets-new">
            {t('title')}
          </Title>
          <TextInput label={t('name')} placeholder={t('namePlaceholder')} {...form.getInputProps('name')} />
          <Checkbox.Group label={t('formats')} {...form.getInputProps('formats')}>
            <Group gap="sm" mt={4}>
              {FORMATS.map((f) => (
                <Checkbox key={f} value={f} label={t(`format.${f}`)} size="xs" />
              ))}
            </Group>
          </Checkbox.Group>
          <Checkbox.Group label={t('sources')} description={t('allWhenNone')} {...form.getInputProps('sources')}>
            <Group gap="sm" mt={4}>
              {SOURCES.map((s) => (
                <Checkbox key={s} value={s} label={t(`source.${s}`)} size="xs" />
              ))}
            </Group>
          </Checkbox.Group>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <Checkbox.Group label={t('languages')} description={t('allWhenNone')} {...form.getInputProps('languages')}>
              <Group gap="sm" mt={4}>
                {LANGUAGES.map((l) => (
                  <Checkbox key={l} value={l} label={t(`language.${l}`)} size="xs" />
                ))}
              </Group>
            </Checkbox.Group>
            <TagsInput label={t('modelVersions')} description={t('modelVersionsHint')} {...form.getInputProps('modelVersions')} />
            <NumberInput label={t('testShare')} description={t('testShareHint')} min={0} max={0.9} step={0.05} decimalScale={2} {...form.getInputProps('testShare')} />
            <NumberInput label={t('minAgreement')} description={t('minAgreementHint')} min={0} max={1} step={0.05} decimalScale={2} {...form.getInputProps('minAgreement')} />
            <TextInput type="date" label={t('from')} {...form.getInputProps('from')} />
            <TextInput type="date" label={t('to')} {...form.getInputProps('to')} />
          </SimpleGrid>
          <Switch label={t('excludeFlagged')} {...form.getInputProps('excludeFlagged', { type: 'checkbox' })} />
          <Switch label={t('includeImported')} {...form.getInputProps('includeImported', { type: 'checkbox' })} />
          {error !== null && <ErrorNotice error={error} />}
          <Button type="submit" w="fit-content" loading={form.submitting}>
            {t('submit')}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
