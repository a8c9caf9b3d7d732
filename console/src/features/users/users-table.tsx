'use client';
import { Badge, Button, Group, Loader, Paper, Select, Stack, Switch, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { ROLES, type RoleName } from '@dialoop/api/rbac';
import { useState } from 'react';
import { useFormatter, useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import { useSession } from '@/lib/session/client';
import type { UserRowFieldsFragment } from '@/gql/graphql';
import { CreateUserModal } from './create-user-modal';
import { UpdateUserMutation, UsersQuery } from './documents';
import { EraseUserModal } from './erase-user-modal';

const PAGE = 50;

/** Accounts, searched and paged by email; role, sign-in and erasure per row. */
export function UsersTable() {
  const t = useTranslations('users');
  const tc = useTranslations('common');
  const format = useFormatter();
  const session = useSession();
  const me = session.status === 'signedIn' ? session.user.id : undefined;
  const qc = useQueryClient();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [error, setError] = useState<{ error: unknown; title: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [erasing, setErasing] = useState<UserRowFieldsFragment | null>(null);

  const users = useInfiniteQuery({
    queryKey: ['users', 'list', debounced],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const data = await gql(UsersQuery, { first: PAGE, after: pageParam ?? null, search: debounced || null });
      return data.users;
    },
    getNextPageParam: (last) => (last.length === PAGE ? last[last.length - 1]!.email : undefined),
  });
  const rows = users.data?.pages.flat() ?? [];

  const update = async (user: UserRowFieldsFragment, change: { role?: RoleName; disabled?: boolean }) => {
    setBusy(user.id);
    setError(null);
    try {
      await gql(UpdateUserMutation, { id: user.id, ...change });
      await qc.invalidateQueries({ queryKey: ['users'] });
    } catch (err) {
      const title = change.role ? t('refused.role', { email: user.email }) : change.disabled ? t('refused.disable', { email: user.email }) : t('refused.enable', { email: user.email });
      setError({ error: err, title });
    } finally {
      setBusy(null);
    }
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="users-accounts">
      <Stack gap="sm">
        <Group justify="space-between" align="end">
          <Title order={2} size="h4" id="users-accounts">
            {t('accounts')}
          </Title>
          <Button size="xs" onClick={() => setCreating(true)}>
            {t('create.open')}
          </Button>
        </Group>
        <TextInput type="search" label={t('search')} placeholder={t('searchHint')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} />
        {error !== null && <ErrorNotice error={error.error} title={error.title} />}
        {users.isError && <ErrorNotice error={users.error} />}
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" highlightOnHover aria-labelledby="users-accounts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('columns.account')}</Table.Th>
                <Table.Th>{t('columns.pseudonym')}</Table.Th>
                <Table.Th>{t('columns.role')}</Table.Th>
                <Table.Th>{t('columns.signIn')}</Table.Th>
                <Table.Th>{t('columns.created')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('columns.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((u) => (
                <Table.Tr key={u.id} data-user-id={u.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {u.email}
                      {u.id === me && (
                        <Badge ml="xs" size="xs" variant="light" c="dark.9">
                          {t('you')}
                        </Badge>
                      )}
                    </Text>
                    {u.name && (
                      <Text size="xs" c="dimmed">
                        {u.name}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ff="monospace" fz="xs">
                    {u.pseudonym}
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      w={190}
                      aria-label={t('roleOf', { email: u.email })}
                      data={ROLES.map((r) => ({ value: r, label: tc(`roles.${r}`) }))}
                      value={u.role}
                      allowDeselect={false}
                      disabled={busy === u.id}
                      onChange={(role) => role && role !== u.role && void update(u, { role: role as RoleName })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      size="sm"
                      aria-label={t('canSignIn', { email: u.email })}
                      label={u.disabled ? t('disabled') : t('active')}
                      checked={!u.disabled}
                      disabled={busy === u.id}
                      onChange={(e) => {
                        const active = e.currentTarget.checked;
                        void update(u, { disabled: !active });
                      }}
                    />
                  </Table.Td>
                  <Table.Td fz="sm">{format.dateTime(new Date(u.createdAt), { dateStyle: 'medium' })}</Table.Td>
                  <Table.Td>
                    {/* One's own account is erased from one's profile (deleteMyAccount), never from here. */}
                    {u.id !== me && (
                      <Button size="xs" variant="subtle" color="red" onClick={() => setErasing(u)} aria-label={t('erase.open', { email: u.email })}>
                        {t('erase.button')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {users.isPending && <Loader size="sm" aria-label={tc('loading')} />}
        {users.isSuccess && rows.length === 0 && (
          <Text size="sm" c="dimmed">
            {debounced ? t('noMatch', { search: debounced }) : t('none')}
          </Text>
        )}
        {users.hasNextPage && (
          <Button variant="default" size="xs" w="fit-content" loading={users.isFetchingNextPage} onClick={() => void users.fetchNextPage()}>
            {t('more')}
          </Button>
        )}
      </Stack>
      <CreateUserModal opened={creating} onClose={() => setCreating(false)} onCreated={() => void qc.invalidateQueries({ queryKey: ['users'] })} />
      <EraseUserModal user={erasing} onClose={() => setErasing(null)} onErased={() => void qc.invalidateQueries({ queryKey: ['users'] })} />
    </Paper>
  );
}
