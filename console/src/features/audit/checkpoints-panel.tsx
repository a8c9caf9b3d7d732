'use client';
import { Badge, Button, Code, Group, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import { useAbility } from '@/lib/rbac';
import { AuditCheckpointsQuery, CreateAuditCheckpointMutation } from './documents';
import { saveText } from '@/lib/download';

/** Signed checkpoints with their signature status, the public key to download, and (admins) "sign now". */
export function CheckpointsPanel() {
  const t = useTranslations('audit');
  const format = useFormatter();
  const ability = useAbility();
  const qc = useQueryClient();
  const data = useQuery({ queryKey: ['audit', 'checkpoints'], queryFn: () => gql(AuditCheckpointsQuery, { first: 8 }), refetchInterval: 60_000 });
  const [signing, setSigning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const sign = async () => {
    setSigning(true);
    setError(null);
    try {
      await gql(CreateAuditCheckpointMutation);
      await qc.invalidateQueries({ queryKey: ['audit'] });
    } catch (err) {
      setError(err);
    } finally {
      setSigning(false);
    }
  };
  const key = data.data?.auditPublicKey;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="audit-checkpoints">
      <Stack gap="sm">
        <Title order={2} size="h4" id="audit-checkpoints">
          {t('checkpoints.title')}
        </Title>
        {data.isError && <ErrorNotice error={data.error} />}
        {key && (
          <Group gap="xs" justify="space-between" wrap="wrap">
            <Text size="sm">
              {t('checkpoints.key')} <Code>{key.keyId}</Code>
            </Text>
            <Button size="xs" variant="default" onClick={() => saveText('audit-public-key.pem', key.pem, 'application/x-pem-file')}>
              {t('checkpoints.downloadKey')}
            </Button>
          </Group>
        )}
        {data.data && data.data.auditCheckpoints.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('checkpoints.none')}
          </Text>
        )}
        {data.data && data.data.auditCheckpoints.length > 0 && (
          <Table verticalSpacing={4} fz="sm" aria-labelledby="audit-checkpoints">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('entries.seq')}</Table.Th>
                <Table.Th>{t('checkpoints.signedAt')}</Table.Th>
                <Table.Th>{t('checkpoints.signature')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.data.auditCheckpoints.map((c) => (
                <Table.Tr key={c.seq}>
                  <Table.Td ff="monospace">{c.seq}</Table.Td>
                  <Table.Td>{format.dateTime(new Date(c.at), { dateStyle: 'short', timeStyle: 'short' })}</Table.Td>
                  <Table.Td>
                    <Tooltip label={t('checkpoints.byKey', { keyId: c.keyId })}>
                      <Badge color={c.signatureValid ? 'teal' : 'red'} c="dark.9" variant="light">
                        {c.signatureValid ? t('checkpoints.valid') : t('checkpoints.invalid')}
                      </Badge>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {error !== null && <ErrorNotice error={error} />}
        {ability.can('create', 'AuditCheckpoint') && (
          <Button variant="default" size="xs" w="fit-content" loading={signing} onClick={() => void sign()}>
            {t('checkpoints.signNow')}
          </Button>
        )}
      </Stack>
    </Paper>
  );
}
