'use client';
import { Button, Checkbox, Code, Group, Paper, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ConsoleModal } from '@/components/ui/console-modal';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { RewriteRuleFieldsFragment } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { useRowAction } from '@/lib/row-action';
import { CreateRewriteRuleMutation, DeleteRewriteRuleMutation, RewriteRulesQuery, UpdateRewriteRuleMutation } from './documents';
import { ConfirmDelete, EnabledSwitch, PanelHeader, RowEditDelete } from './parts';

interface Values {
  pattern: string;
  replacement: string;
  regex: boolean;
  caseSensitive: boolean;
  description: string;
}

/** Checks the page can make before the api does (the api still checks, with the engine's own limits). */
function patternError(v: Values, t: (k: 'rules.form.badPattern' | 'rules.form.badRegex' | 'rules.form.matchesEmpty', values?: Record<string, string>) => string): string | null {
  if (v.pattern.length < 1 || v.pattern.length > 500) return t('rules.form.badPattern');
  if (!v.regex) return null;
  try {
    if (new RegExp(v.pattern, v.caseSensitive ? 'u' : 'iu').test('')) return t('rules.form.matchesEmpty');
  } catch (err) {
    return t('rules.form.badRegex', { reason: (err as Error).message });
  }
  return null;
}

/** Rewrite rules, in the order they apply to a reply's text: add, change, switch off, delete. */
export function RulesPanel() {
  const t = useTranslations('safety');
  const qc = useQueryClient();
  const rules = useQuery({ queryKey: ['safety', 'rules'], queryFn: () => gql(RewriteRulesQuery) });
  const [editing, setEditing] = useState<RewriteRuleFieldsFragment | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RewriteRuleFieldsFragment | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['safety'] });
  const { busy, error, run } = useRowAction(refresh);
  const list = rules.data?.rewriteRules ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="safety-rules">
      <Stack gap="sm">
        <PanelHeader id="safety-rules" title={t('rules.title')} subtitle={t('rules.subtitle')}>
          <Button size="xs" onClick={() => setEditing('new')}>
            {t('rules.add')}
          </Button>
        </PanelHeader>
        {error !== null && <ErrorNotice error={error} />}
        {rules.isError && <ErrorNotice error={rules.error} />}
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" aria-labelledby="safety-rules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>{t('rules.columns.pattern')}</Table.Th>
                <Table.Th>{t('rules.columns.replacement')}</Table.Th>
                <Table.Th>{t('rules.columns.kind')}</Table.Th>
                <Table.Th>{t('rules.columns.description')}</Table.Th>
                <Table.Th>{t('rules.columns.enabled')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('rules.columns.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((r, i) => (
                <Table.Tr key={r.id} data-rule-id={r.id}>
                  <Table.Td>{i + 1}</Table.Td>
                  <Table.Td>
                    <Code>{r.pattern}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Code>{r.replacement || '∅'}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {r.regex ? t('rules.regex') : t('rules.literal')}
                      {r.caseSensitive ? ` · ${t('rules.caseSensitive')}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{r.description}</Text>
                  </Table.Td>
                  <Table.Td>
                    <EnabledSwitch checked={r.enabled} label={t('rules.enabledOf', { pattern: r.pattern })} disabled={busy === r.id} onChange={(enabled) => void run(r.id, () => gql(UpdateRewriteRuleMutation, { id: r.id, input: { enabled } }))} />
                  </Table.Td>
                  <Table.Td>
                    <RowEditDelete editLabel={t('rules.editOf', { pattern: r.pattern })} deleteLabel={t('rules.deleteOf', { pattern: r.pattern })} onEdit={() => setEditing(r)} onDelete={() => setDeleting(r)} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {!rules.isLoading && list.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('rules.none')}
          </Text>
        )}
      </Stack>
      {editing !== null && <RuleModal rule={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={() => void refresh()} />}
      <ConfirmDelete
        title={t('rules.deleteTitle')}
        question={deleting && t('rules.deleteConfirm', { pattern: deleting.pattern })}
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          const id = deleting!.id;
          setDeleting(null);
          void run(id, () => gql(DeleteRewriteRuleMutation, { id }));
        }}
      />
    </Paper>
  );
}

function RuleModal({ rule, onClose, onSaved }: { rule: RewriteRuleFieldsFragment | null; onClose(): void; onSaved(): void }) {
  const t = useTranslations('safety');
  const [error, setError] = useState<unknown>(null);
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: rule
      ? { pattern: rule.pattern, replacement: rule.replacement, regex: rule.regex, caseSensitive: rule.caseSensitive, description: rule.description ?? '' }
      : { pattern: '', replacement: '', regex: false, caseSensitive: false, description: '' },
    validate: {
      pattern: (_v, values) => patternError(values, t),
      replacement: (v) => (v.length <= 500 ? null : t('rules.form.longReplacement')),
    },
  });
  const submit = form.onSubmit(async (v) => {
    setError(null);
    const input = { pattern: v.pattern, replacement: v.replacement, regex: v.regex, caseSensitive: v.caseSensitive, description: v.description.trim() || null };
    try {
      if (rule) await gql(UpdateRewriteRuleMutation, { id: rule.id, input });
      else await gql(CreateRewriteRuleMutation, { input });
      onSaved();
      onClose();
    } catch (err) {
      setError(err);
    }
  });
  const title = rule ? t('rules.form.editTitle') : t('rules.form.addTitle');
  return (
    <ConsoleModal opened onClose={onClose} title={title} closeLabel={t('cancel')}>
      <form onSubmit={submit} aria-label={title}>
        <Stack gap="sm">
          <TextInput label={t('rules.form.pattern')} required data-autofocus ff="monospace" {...form.getInputProps('pattern')} />
          <TextInput label={t('rules.form.replacement')} description={t('rules.form.replacementHint')} ff="monospace" {...form.getInputProps('replacement')} />
          <Checkbox label={t('rules.form.regex')} {...form.getInputProps('regex', { type: 'checkbox' })} />
          <Checkbox label={t('rules.form.caseSensitive')} {...form.getInputProps('caseSensitive', { type: 'checkbox' })} />
          <TextInput label={t('rules.form.description')} {...form.getInputProps('description')} />
          {error !== null && <ErrorNotice error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
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
