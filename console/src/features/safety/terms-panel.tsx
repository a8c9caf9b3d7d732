'use client';
import { Button, Group, Paper, Select, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { StatusBadge } from '@/components/ui/status-badge';
import type { SafetyLevel, SafetyTermFieldsFragment } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { useRowAction } from '@/lib/row-action';
import { useUrlParam } from '@/lib/url-param';
import { DeleteSafetyTermMutation, SafetyTermsQuery, UpdateSafetyTermMutation } from './documents';
import { ImportModal } from './import-modal';
import { LEVEL_COLOR, LEVELS } from './levels';
import { ConfirmDelete, EnabledSwitch, PanelHeader, RowEditDelete } from './parts';
import { TermModal } from './term-modal';

const PAGE = 50;

/** The term list: searched (by normal form, as the filter matches), filtered by level and category, paged; add, edit, switch off, delete, import. */
export function TermsPanel() {
  const t = useTranslations('safety');
  const format = useFormatter();
  const qc = useQueryClient();
  const [searchParam, setSearchParam] = useUrlParam('q');
  const [levelParam, setLevelParam] = useUrlParam('level');
  const [categoryParam, setCategoryParam] = useUrlParam('category');
  const [search, setSearch] = useState(searchParam ?? '');
  const [category, setCategory] = useState(categoryParam ?? '');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [cat] = useDebouncedValue(category.trim(), 250);
  const level = LEVELS.includes(levelParam as SafetyLevel) ? (levelParam as SafetyLevel) : null;
  const [page, setPage] = useState(0);
  const [editing, setEditing] = useState<SafetyTermFieldsFragment | 'new' | null>(null);
  const [deleting, setDeleting] = useState<SafetyTermFieldsFragment | null>(null);
  const [importing, setImporting] = useState(false);
  const terms = useQuery({
    queryKey: ['safety', 'terms', q, level, cat, page],
    queryFn: () => gql(SafetyTermsQuery, { first: PAGE + 1, offset: page * PAGE, search: q || null, level, category: cat || null }),
    placeholderData: keepPreviousData,
  });
  const rows = terms.data?.safetyTerms.slice(0, PAGE) ?? [];
  const hasNext = (terms.data?.safetyTerms.length ?? 0) > PAGE;
  const status = terms.data?.safetyStatus;
  const refresh = () => qc.invalidateQueries({ queryKey: ['safety'] });
  const { busy, error, run } = useRowAction(refresh);

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="safety-terms">
      <Stack gap="sm">
        <PanelHeader id="safety-terms" title={t('terms.title')} subtitle={status && (status.enabled ? t('terms.status', { version: status.version, latest: status.latestVersion }) : t('terms.off'))}>
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={() => setImporting(true)}>
              {t('import.open')}
            </Button>
            <Button size="xs" onClick={() => setEditing('new')}>
              {t('terms.add')}
            </Button>
          </Group>
        </PanelHeader>
        <Group grow align="end">
          <TextInput
            type="search"
            label={t('terms.search')}
            placeholder={t('terms.searchHint')}
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setSearchParam(e.currentTarget.value.trim() || null);
              setPage(0);
            }}
          />
          <Select
            label={t('terms.level')}
            placeholder={t('terms.anyLevel')}
            clearable
            data={LEVELS.map((l) => ({ value: l, label: t(`levels.${l}`) }))}
            value={level}
            onChange={(v) => {
              setLevelParam(v);
              setPage(0);
            }}
          />
          <TextInput
            label={t('terms.category')}
            placeholder={t('terms.anyCategory')}
            value={category}
            onChange={(e) => {
              setCategory(e.currentTarget.value);
              setCategoryParam(e.currentTarget.value.trim() || null);
              setPage(0);
            }}
          />
        </Group>
        {error !== null && <ErrorNotice error={error} />}
        {terms.isError && <ErrorNotice error={terms.error} />}
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="xs" highlightOnHover aria-labelledby="safety-terms" data-fetching={terms.isFetching || undefined}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('terms.columns.term')}</Table.Th>
                <Table.Th>{t('terms.columns.level')}</Table.Th>
                <Table.Th>{t('terms.columns.category')}</Table.Th>
                <Table.Th>{t('terms.columns.match')}</Table.Th>
                <Table.Th>{t('terms.columns.version')}</Table.Th>
                <Table.Th>{t('terms.columns.enabled')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('terms.columns.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((term) => (
                <Table.Tr key={term.id} data-term-id={term.id}>
                  <Table.Td fw={500}>
                    {term.term}
                    {term.language && (
                      <Text span size="xs" c="dimmed" ml={6}>
                        {term.language}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge size="sm" color={LEVEL_COLOR[term.level]} label={t(`levels.${term.level}`)} />
                  </Table.Td>
                  <Table.Td>{term.category}</Table.Td>
                  <Table.Td>
                    <Text size="xs">{term.wholeWord ? t('terms.wholeWord') : t('terms.substring')}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" title={format.dateTime(new Date(term.updatedAt), { dateStyle: 'medium', timeStyle: 'short' })}>
                      v{term.version}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <EnabledSwitch checked={term.enabled} label={t('terms.enabledOf', { term: term.term })} disabled={busy === term.id} onChange={(enabled) => void run(term.id, () => gql(UpdateSafetyTermMutation, { id: term.id, input: { enabled } }))} />
                  </Table.Td>
                  <Table.Td>
                    <RowEditDelete editLabel={t('terms.editOf', { term: term.term })} deleteLabel={t('terms.deleteOf', { term: term.term })} onEdit={() => setEditing(term)} onDelete={() => setDeleting(term)} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {!terms.isLoading && rows.length === 0 && (
          <Text size="sm" c="dimmed">
            {q || level || cat ? t('terms.noMatch') : t('terms.none')}
          </Text>
        )}
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {rows.length > 0 && t('terms.range', { from: page * PAGE + 1, to: page * PAGE + rows.length })}
          </Text>
          <Group gap="xs">
            <Button size="xs" variant="default" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
              {t('previous')}
            </Button>
            <Button size="xs" variant="default" disabled={!hasNext} onClick={() => setPage((p) => p + 1)}>
              {t('next')}
            </Button>
          </Group>
        </Group>
      </Stack>
      {editing !== null && <TermModal opened term={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={() => void refresh()} />}
      <ImportModal opened={importing} onClose={() => setImporting(false)} onImported={() => void refresh()} />
      <ConfirmDelete
        title={t('terms.deleteTitle')}
        question={deleting && t('terms.deleteConfirm', { term: deleting.term })}
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          const id = deleting!.id;
          setDeleting(null);
          void run(id, () => gql(DeleteSafetyTermMutation, { id }));
        }}
      />
    </Paper>
  );
}
