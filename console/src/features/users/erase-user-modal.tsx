'use client';
import { Button, Group, List, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ConsoleModal } from '@/components/ui/console-modal';
import { ErrorNotice } from '@/components/ui/error-notice';
import { SuccessNotice } from '@/components/ui/success-notice';
import { gql } from '@/lib/graphql/client';
import type { AdminEraseUserMutation, UserRowFieldsFragment } from '@/gql/graphql';
import { EraseUserMutation } from './documents';

/** Erasure cannot be undone: the admin types the account's email to confirm, then reads what went. */
export function EraseUserModal({ user, onClose, onErased }: { user: UserRowFieldsFragment | null; onClose: () => void; onErased: () => void }) {
  const t = useTranslations('users.erase');
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<AdminEraseUserMutation['eraseUser'] | null>(null);
  const close = () => {
    setTyped('');
    setError(null);
    setReport(null);
    onClose();
  };
  const erase = async () => {
    if (!user) return;
    setBusy(true);
    setError(null);
    try {
      setReport((await gql(EraseUserMutation, { id: user.id })).eraseUser);
      onErased();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const matches = user !== null && typed.trim().toLowerCase() === user.email.toLowerCase();
  return (
    <ConsoleModal opened={user !== null} onClose={close} title={t('title', { email: user?.email ?? '' })} closeLabel={t('close')}>
      {report ? (
        <Stack gap="sm">
          <SuccessNotice title={t('done')}>
            <Text size="sm">{t('kept', { pseudonym: report.pseudonym })}</Text>
            <List size="sm" mt="xs">
              <List.Item>{t('counts.conversations', { n: report.conversations })}</List.Item>
              <List.Item>{t('counts.messages', { n: report.messages })}</List.Item>
              <List.Item>{t('counts.ratings', { n: report.ratings })}</List.Item>
              <List.Item>{t('counts.apiKeys', { n: report.apiKeys })}</List.Item>
            </List>
          </SuccessNotice>
          <Group justify="flex-end">
            <Button onClick={close}>{t('close')}</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (matches) void erase();
          }}
        >
          <Stack gap="sm">
            <Text size="sm">{t('warning')}</Text>
            <TextInput label={t('confirm', { email: user?.email ?? '' })} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} autoComplete="off" data-autofocus />
            {error !== null && <ErrorNotice error={error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('cancel')}
              </Button>
              <Button type="submit" color="red" disabled={!matches} loading={busy}>
                {t('submit')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </ConsoleModal>
  );
}
