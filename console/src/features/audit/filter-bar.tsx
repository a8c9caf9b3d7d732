'use client';
import { Button, Group, NativeSelect, Paper, SimpleGrid, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslations } from 'use-intl';
import { EMPTY_VIEW, OUTCOMES, type AuditView } from './filters';

/** The filter, edited as a draft and applied at once (to the URL). */
export function FilterBar({ view, onApply }: { view: AuditView; onApply(v: AuditView): void }) {
  const t = useTranslations('audit');
  const [draft, setDraft] = useState(view);
  useEffect(() => setDraft(view), [view]);
  const field = (key: 'actor' | 'action' | 'subjectType' | 'subjectId', placeholder?: string) => (
    <TextInput
      label={t(`filter.${key}`)}
      placeholder={placeholder}
      value={draft[key]}
      onChange={(e) => {
        const value = e.currentTarget.value;
        setDraft((d) => ({ ...d, [key]: value }));
      }}
    />
  );
  return (
    <Paper
      withBorder
      p="md"
      component="form"
      aria-label={t('filter.title')}
      onSubmit={(e) => {
        e.preventDefault();
        onApply({ ...draft, entry: null });
      }}
    >
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm" verticalSpacing="xs">
        {field('actor', t('filter.actorHint'))}
        {field('action', t('filter.actionHint'))}
        {field('subjectType', t('filter.subjectTypeHint'))}
        {field('subjectId')}
        <NativeSelect
          label={t('filter.outcome')}
          value={draft.outcome}
          onChange={(e) => {
            const value = e.currentTarget.value as AuditView['outcome'];
            setDraft((d) => ({ ...d, outcome: value }));
          }}
          data={[{ value: '', label: t('filter.anyOutcome') }, ...OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }))]}
        />
        <TextInput
          type="date"
          label={t('filter.from')}
          value={draft.from}
          max={draft.to || undefined}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setDraft((d) => ({ ...d, from: value }));
          }}
        />
        <TextInput
          type="date"
          label={t('filter.to')}
          value={draft.to}
          min={draft.from || undefined}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setDraft((d) => ({ ...d, to: value }));
          }}
        />
      </SimpleGrid>
      <Group justify="flex-end" gap="xs" mt="sm">
        <Button variant="default" onClick={() => onApply(EMPTY_VIEW)}>
          {t('filter.clear')}
        </Button>
        <Button type="submit">{t('filter.apply')}</Button>
      </Group>
    </Paper>
  );
}
