'use client';
import { Badge, Code, Drawer, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import { AuditEntryQuery } from './documents';
import { JsonDiff } from './json-diff';
import { OutcomeBadge } from './outcome-badge';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={140} fw={500} c="dimmed" fz="sm" style={{ verticalAlign: 'top' }}>
        {label}
      </Table.Th>
      <Table.Td fz="sm" style={{ wordBreak: 'break-all' }}>
        {children}
      </Table.Td>
    </Table.Tr>
  );
}

/** One entry: who did what to what, its before and after as a diff, its hashes and the checkpoint that signs it. */
export function EntryDrawer({ seq, onClose }: { seq: number | null; onClose(): void }) {
  const t = useTranslations('audit');
  const format = useFormatter();
  const detail = useQuery({ queryKey: ['audit', 'entry', seq], queryFn: () => gql(AuditEntryQuery, { seq: seq! }), enabled: seq !== null });
  const d = detail.data?.auditEntry;
  const e = d?.entry;
  return (
    <Drawer.Root opened={seq !== null} onClose={onClose} position="right" size="xl">
      <Drawer.Overlay />
      <Drawer.Content>
        <Drawer.Header role="none">
          <Drawer.Title fw={600}>{seq !== null ? t('entry.title', { seq }) : ''}</Drawer.Title>
          <Drawer.CloseButton aria-label={t('entry.close')} />
        </Drawer.Header>
        <Drawer.Body>
          {detail.isPending && seq !== null && <Loader size="sm" aria-label={t('entries.loading')} />}
          {detail.isError && <ErrorNotice error={detail.error} />}
          {e && (
            <Stack gap="md">
              <Table withRowBorders={false} verticalSpacing={4}>
                <Table.Tbody>
                  <Row label={t('entries.at')}>{format.dateTime(new Date(e.at), { dateStyle: 'medium', timeStyle: 'medium' })}</Row>
                  <Row label={t('entries.actor')}>
                    <Code>{e.actor.pseudonym ?? t(`actorKind.${e.actor.kind}`)}</Code> {e.actor.role ?? ''} {e.actor.apiKeyId ? t('entry.viaKey', { id: e.actor.apiKeyId }) : ''}
                  </Row>
                  <Row label={t('entries.action')}>{e.action}</Row>
                  <Row label={t('entries.subject')}>
                    {[e.subject.type, e.subject.id].filter(Boolean).join(' ') || '—'}
                    {e.subject.owner ? ` · ${t('entry.owner', { owner: e.subject.owner })}` : ''}
                  </Row>
                  <Row label={t('entries.outcome')}>
                    <OutcomeBadge outcome={e.outcome} />
                  </Row>
                  <Row label={t('entry.request')}>{[e.requestId, e.clientIp, e.userAgent].filter(Boolean).join(' · ') || '—'}</Row>
                </Table.Tbody>
              </Table>
              <section aria-labelledby="entry-change">
                <Title order={3} size="h5" id="entry-change" mb={6}>
                  {t('entry.change')}
                </Title>
                <JsonDiff before={e.before} after={e.after} />
              </section>
              <section aria-labelledby="entry-chain">
                <Title order={3} size="h5" id="entry-chain" mb={6}>
                  {t('entry.chain')}
                </Title>
                <Table withRowBorders={false} verticalSpacing={4}>
                  <Table.Tbody>
                    <Row label={t('entry.prevHash')}>
                      <Code>{e.prevHash || '—'}</Code>
                    </Row>
                    <Row label={t('entry.hash')}>
                      <Code>{e.hash}</Code>
                    </Row>
                    <Row label={t('entry.checkpoint')}>
                      {d.checkpoint ? (
                        <Group gap="xs">
                          <Text size="sm">{t('entry.signedAt', { seq: d.checkpoint.seq, at: format.dateTime(new Date(d.checkpoint.at), { dateStyle: 'medium', timeStyle: 'short' }) })}</Text>
                          <Badge color={d.checkpoint.signatureValid ? 'teal' : 'red'} c="dark.9" variant="light">
                            {d.checkpoint.signatureValid ? t('checkpoints.valid') : t('checkpoints.invalid')}
                          </Badge>
                        </Group>
                      ) : (
                        <Text size="sm" c="dimmed">
                          {t('entry.notYetSigned')}
                        </Text>
                      )}
                    </Row>
                  </Table.Tbody>
                </Table>
              </section>
            </Stack>
          )}
        </Drawer.Body>
      </Drawer.Content>
    </Drawer.Root>
  );
}
