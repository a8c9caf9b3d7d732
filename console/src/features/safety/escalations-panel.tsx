'use client';
import { Anchor, Button, Group, Paper, SegmentedControl, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ConsoleModal } from '@/components/ui/console-modal';
import { ErrorNotice } from '@/components/ui/error-notice';
import { StatusBadge } from '@/components/ui/status-badge';
import type { EscalationStep, SafetyEscalationsQuery as EscalationsData } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { useRowAction } from '@/lib/row-action';
import { PanelHeader } from './parts';
import { ResolveEscalationMutation, SafetyEscalationsQuery, UnlockConversationMutation } from './documents';

type Escalation = EscalationsData['safetyEscalations'][number];
const STEP_COLOR: Record<EscalationStep, string> = { WARN: 'yellow', SLOW: 'orange', REVIEW: 'blue', LOCK: 'red' };

/** What conversation monitoring did (warn, slow, review, lock): open ones resolved with a note, locked conversations unlocked. */
export function EscalationsPanel() {
  const t = useTranslations('safety');
  const format = useFormatter();
  const qc = useQueryClient();
  const [show, setShow] = useState<'open' | 'resolved' | 'all'>('open');
  const escalations = useQuery({
    queryKey: ['safety', 'escalations', show],
    queryFn: () => gql(SafetyEscalationsQuery, { open: show === 'all' ? null : show === 'open' }),
  });
  const [resolving, setResolving] = useState<Escalation | null>(null);
  const [note, setNote] = useState('');
  const { busy, error, run } = useRowAction(() => qc.invalidateQueries({ queryKey: ['safety', 'escalations'] }));
  const list = escalations.data?.safetyEscalations ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="safety-escalations">
      <Stack gap="sm">
        <PanelHeader id="safety-escalations" title={t('escalations.title')} subtitle={t('escalations.subtitle')}>
          <SegmentedControl
            size="xs"
            aria-label={t('escalations.show')}
            value={show}
            onChange={(v) => setShow(v as typeof show)}
            data={[
              { value: 'open', label: t('escalations.open') },
              { value: 'resolved', label: t('escalations.resolved') },
              { value: 'all', label: t('escalations.all') },
            ]}
          />
        </PanelHeader>
        {error !== null && <ErrorNotice error={error} />}
        {escalations.isError && <ErrorNotice error={escalations.error} />}
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="xs" aria-labelledby="safety-escalations">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('escalations.columns.at')}</Table.Th>
                <Table.Th>{t('escalations.columns.step')}</Table.Th>
                <Table.Th>{t('escalations.columns.who')}</Table.Th>
                <Table.Th>{t('escalations.columns.why')}</Table.Th>
                <Table.Th>{t('escalations.columns.state')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('escalations.columns.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((e) => (
                <Table.Tr key={e.id} data-escalation-id={e.id}>
                  <Table.Td>
                    <Text size="sm">{format.dateTime(new Date(e.at), { dateStyle: 'medium', timeStyle: 'short' })}</Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge size="sm" color={STEP_COLOR[e.step]} label={t(`steps.${e.step}`)} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {e.personPseudonym ?? '—'}
                    </Text>
                    {e.conversationId && (
                      <Anchor component={Link} href={`/chat/${e.conversationId}`} size="xs">
                        {t('escalations.conversation')}
                      </Anchor>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t('escalations.why', { count: e.count, minutes: Math.round(e.windowSeconds / 60), scope: e.scope })}</Text>
                  </Table.Td>
                  <Table.Td>
                    {e.resolvedAt ? (
                      <Text size="sm">
                        {t('escalations.resolvedBy', { by: e.resolvedBy ?? '—', when: format.dateTime(new Date(e.resolvedAt), { dateStyle: 'medium', timeStyle: 'short' }) })}
                        {e.resolution && (
                          <Text span size="sm" c="dimmed" display="block">
                            {e.resolution}
                          </Text>
                        )}
                      </Text>
                    ) : (
                      <Text size="sm" fw={500}>
                        {t('escalations.isOpen')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {!e.resolvedAt && (
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        {e.step === 'LOCK' && e.conversationId && (
                          <Button size="compact-xs" variant="default" loading={busy === e.id} onClick={() => void run(e.id, () => gql(UnlockConversationMutation, { id: e.conversationId! }))}>
                            {t('escalations.unlock')}
                          </Button>
                        )}
                        <Button
                          size="compact-xs"
                          variant="default"
                          onClick={() => {
                            setNote('');
                            setResolving(e);
                          }}
                        >
                          {t('escalations.resolve')}
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {!escalations.isLoading && list.length === 0 && (
          <Text size="sm" c="dimmed">
            {show === 'open' ? t('escalations.noneOpen') : t('escalations.none')}
          </Text>
        )}
      </Stack>
      <ConsoleModal opened={resolving !== null} onClose={() => setResolving(null)} title={t('escalations.resolveTitle')} closeLabel={t('cancel')}>
        {resolving && (
          <form
            onSubmit={(ev) => {
              ev.preventDefault();
              const id = resolving.id;
              setResolving(null);
              void run(id, () => gql(ResolveEscalationMutation, { id, resolution: note.trim() }));
            }}
          >
            <Stack>
              <TextInput label={t('escalations.resolution')} description={t('escalations.resolutionHint')} required maxLength={500} value={note} onChange={(ev) => setNote(ev.currentTarget.value)} data-autofocus />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setResolving(null)}>
                  {t('cancel')}
                </Button>
                <Button type="submit" disabled={note.trim() === ''}>
                  {t('escalations.resolve')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </ConsoleModal>
    </Paper>
  );
}
