'use client';
import { Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ConsoleModal } from '@/components/ui/console-modal';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { SafetyLevel, SafetyTermFieldsFragment } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { CreateSafetyTermMutation, UpdateSafetyTermMutation } from './documents';
import { LEVELS } from './levels';

interface Values {
  term: string;
  level: SafetyLevel;
  category: string;
  language: string;
  wholeWord: 'auto' | 'yes' | 'no';
}

/** Adds a term, or changes one: the same checks the api makes, in the page's language. */
export function TermModal({ term, opened, onClose, onSaved }: { term: SafetyTermFieldsFragment | null; opened: boolean; onClose(): void; onSaved(): void }) {
  const t = useTranslations('safety');
  const [error, setError] = useState<unknown>(null);
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: term
      ? { term: term.term, level: term.level, category: term.category, language: term.language ?? '', wholeWord: term.wholeWord ? 'yes' : 'no' }
      : { term: '', level: 'MASK', category: '', language: '', wholeWord: 'auto' },
    validate: {
      term: (v) => (v.trim().length >= 1 && v.trim().length <= 200 ? null : t('terms.form.badTerm')),
      category: (v) => (v.trim() === '' || /^[\p{L}\p{N}_ -]{1,64}$/u.test(v.trim()) ? null : t('terms.form.badCategory')),
      language: (v) => (v.trim() === '' || /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(v.trim()) ? null : t('terms.form.badLanguage')),
    },
  });
  const close = () => {
    setError(null);
    onClose();
  };
  const submit = form.onSubmit(async (v) => {
    setError(null);
    const fields = {
      term: v.term.trim(),
      level: v.level,
      ...(v.category.trim() ? { category: v.category.trim() } : {}),
      ...(v.language.trim() ? { language: v.language.trim() } : {}),
      ...(v.wholeWord === 'auto' ? {} : { wholeWord: v.wholeWord === 'yes' }),
    };
    try {
      if (term) await gql(UpdateSafetyTermMutation, { id: term.id, input: fields });
      else await gql(CreateSafetyTermMutation, { input: fields });
      onSaved();
      close();
    } catch (err) {
      setError(err);
    }
  });
  const title = term ? t('terms.form.editTitle', { term: term.term }) : t('terms.form.addTitle');
  return (
    <ConsoleModal opened={opened} onClose={close} title={title} closeLabel={t('cancel')}>
      <form onSubmit={submit} aria-label={title}>
        <Stack gap="sm">
          <TextInput label={t('terms.form.term')} description={t('terms.form.termHint')} required data-autofocus {...form.getInputProps('term')} />
          <Select label={t('terms.form.level')} data={LEVELS.map((l) => ({ value: l, label: t(`levels.${l}`) }))} allowDeselect={false} {...form.getInputProps('level')} />
          <TextInput label={t('terms.form.category')} placeholder="general" {...form.getInputProps('category')} />
          <TextInput label={t('terms.form.language')} placeholder="en, zh…" {...form.getInputProps('language')} />
          <Select
            label={t('terms.form.wholeWord')}
            description={t('terms.form.wholeWordHint')}
            data={[
              { value: 'auto', label: t('terms.form.wholeWordAuto') },
              { value: 'yes', label: t('terms.form.wholeWordYes') },
              { value: 'no', label: t('terms.form.wholeWordNo') },
            ]}
            allowDeselect={false}
            {...form.getInputProps('wholeWord')}
          />
          {error !== null && <ErrorNotice error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={form.submitting}>
              {t('save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </ConsoleModal>
  );
}

