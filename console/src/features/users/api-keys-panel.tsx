'use client';
import { Alert, Badge, Button, Checkbox, Code, CopyButton, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { SCOPE_NAMES, type ApiKeyScope } from '@dialoop/api/rbac';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import { ApiKeysQuery, CreateApiKeyMutation, RevokeApiKeyMutation } from './documents';

/** API keys for apps: create one (its secret shown once, to copy), see when each was last used, revoke. */
export function ApiKeysPanel() {
  const t = useTranslations('users.keys');
  const format = useFormatter();
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['users', 'apiKeys'], queryFn: () => gql(ApiKeysQuery) });
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const form = useForm<{ name: string; scopes: ApiKeyScope[] }>({
    mode: 'controlled',
    initialValues: { name: '', scopes: ['chat'] },
    validate: {
      name: (v) => (v.trim().length >= 1 && v.length <= 100 ? null : t('badName')),
      scopes: (v) => (v.length > 0 ? null : t('noScope')),
    },
  });
  const create = form.onSubmit(async (v) => {
    setError(null);
    try {
      const r = (await gql(CreateApiKeyMutation, { input: { name: v.name.trim(), scopes: v.scopes } })).createApiKey;
      setCreated({ name: r.apiKey.name, secret: r.secret });
      form.reset();
      await qc.invalidateQueries({ queryKey: ['users', 'apiKeys'] });
    } catch (err) {
      setError(err);
    }
  });
  const revoke = async (id: string) => {
    setRevoking(id);
    setError(null);
    try {
      await gql(RevokeApiKeyMutation, { id });
      await qc.invalidateQueries({ queryKey: ['users', 'apiKeys'] });
    } catch (err) {
      setError(err);
    } finally {
      setRevoking(null);
    }
  };
  const date = (d: string) => format.dateTime(new Date(d), { dateStyle: 'short', timeStyle: 'short' });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="users-keys">
      <Stack gap="sm">
        <Title order={2} size="h4" id="users-keys">
          {t('title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('subtitle')}
        </Text>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap="sm">
            <form onSubmit={create} aria-label={t('create')}>
              <Stack gap="xs">
                <TextInput label={t('name')} {...form.getInputProps('name')} />
                <Checkbox.Group label={t('scopes')} {...form.getInputProps('scopes')}>
                  <Stack gap={6} mt={4}>
                    {SCOPE_NAMES.map((s) => (
                      <Checkbox key={s} value={s} label={s} description={t(`scopeHelp.${s}`)} size="xs" />
                    ))}
                  </Stack>
                </Checkbox.Group>
                <Button type="submit" size="xs" w="fit-content" loading={form.submitting}>
                  {t('create')}
                </Button>
              </Stack>
            </form>
            {created && (
              <Alert color="indigo" role="status" title={t('secretTitle', { name: created.name })} withCloseButton closeButtonLabel={t('dismiss')} onClose={() => setCreated(null)}>
                <Text size="sm">{t('secretOnce')}</Text>
                <Group gap="xs" mt="xs" wrap="nowrap">
                  <Code style={{ wordBreak: 'break-all' }} data-testid="api-key-secret">
                    {created.secret}
                  </Code>
                  <CopyButton value={created.secret}>
                    {({ copied, copy }) => (
                      <Button size="xs" variant="default" onClick={copy}>
                        {copied ? t('copied') : t('copy')}
                      </Button>
                    )}
                  </CopyButton>
                </Group>
              </Alert>
            )}
            {error !== null && <ErrorNotice error={error} />}
          </Stack>
          <Stack gap="sm">
            {keys.isError && <ErrorNotice error={keys.error} />}
            {keys.data && keys.data.apiKeys.length === 0 && (
              <Text size="sm" c="dimmed">
                {t('none')}
              </Text>
            )}
            {keys.data && keys.data.apiKeys.length > 0 && (
              <Table verticalSpacing={4} fz="sm" aria-labelledby="users-keys">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('name')}</Table.Th>
                    <Table.Th>{t('scopes')}</Table.Th>
                    <Table.Th>{t('lastUsed')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {keys.data.apiKeys.map((k) => (
                    <Table.Tr key={k.id}>
                      <Table.Td>
                        <Text size="sm">{k.name}</Text>
                        <Text size="xs" c="dimmed" ff="monospace">
                          {k.prefix}…
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {k.scopes.map((s) => (
                            <Badge key={s} size="xs" variant="outline" c="blue.9">
                              {s}
                            </Badge>
                          ))}
                        </Group>
                      </Table.Td>
                      <Table.Td fz="xs">{k.lastUsedAt ? date(k.lastUsedAt) : t('never')}</Table.Td>
                      <Table.Td>
                        {k.revokedAt ? (
                          <Badge color="gray" c="dark.7" variant="light">
                            {t('revoked')}
                          </Badge>
                        ) : (
                          <Button size="xs" variant="subtle" color="red" loading={revoking === k.id} onClick={() => void revoke(k.id)} aria-label={t('revokeNamed', { name: k.name })}>
                            {t('revoke')}
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Stack>
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}
