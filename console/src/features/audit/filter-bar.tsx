'use client';
import { Button, Group, NativeSelect, Paper, SimpleGrid, TextInput } from '@mantine/core';
import { useTranslations } from 'use-intl';
import { EMPTY_VIEW, OUTCOMES, paramsOf, viewFromParams, type AuditView } from './filters';

/**
 * The filter, applied at once (to the URL). A plain GET form whose fields carry the URL's own
 * names: the page is rendered on the server, so a filter typed and applied before its scripts
 * have run still works (the browser submits it), and once they have, the same fields are read on
 * submit. The fields are uncontrolled, so nothing typed early is lost when React takes over; they
 * start again from the filter whenever it changes (not when an entry is opened).
 */
export function FilterBar({ view, onApply }: { view: AuditView; onApply(v: AuditView): void }) {
  const t = useTranslations('audit');
  const field = (key: 'actor' | 'action' | 'subjectType' | 'subjectId', placeholder?: string) => (
    <TextInput label={t(`filter.${key}`)} placeholder={placeholder} name={key} defaultValue={view[key]} />
  );
  return (
    <Paper
      key={paramsOf({ ...view, entry: null }).toString()}
      withBorder
      p="md"
      component="form"
      method="get"
      aria-label={t('filter.title')}
      onSubmit={(e) => {
        e.preventDefault();
        const fields = new URLSearchParams();
        for (const [k, v] of new FormData(e.currentTarget)) if (typeof v === 'string') fields.set(k, v);
        onApply({ ...viewFromParams(fields), entry: null });
      }}
    >
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm" verticalSpacing="xs">
        {field('actor', t('filter.actorHint'))}
        {field('action', t('filter.actionHint'))}
        {field('subjectType', t('filter.subjectTypeHint'))}
        {field('subjectId')}
        <NativeSelect
          label={t('filter.outcome')}
          name="outcome"
          defaultValue={view.outcome}
          data={[{ value: '', label: t('filter.anyOutcome') }, ...OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }))]}
        />
        <TextInput type="date" label={t('filter.from')} name="from" defaultValue={view.from} />
        <TextInput type="date" label={t('filter.to')} name="to" defaultValue={view.to} />
      </SimpleGrid>
      <Group justify="flex-end" gap="xs" mt="sm">
        <Button
          variant="default"
          onClick={(e) => {
            // The fields too, where the applied filter was already empty (nothing to remount).
            for (const el of e.currentTarget.form?.elements ?? []) if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) el.value = '';
            onApply(EMPTY_VIEW);
          }}
        >
          {t('filter.clear')}
        </Button>
        <Button type="submit">{t('filter.apply')}</Button>
      </Group>
    </Paper>
  );
}
