'use client';
import { Button, Group, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ROLES, type RoleName } from '@dialoop/api/rbac';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ConsoleModal } from '@/components/ui/console-modal';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import { CreateUserMutation } from './documents';

interface Values {
  email: string;
  name: string;
  password: string;
  role: RoleName;
}

/** A local account: email, optional name, a first password (8 characters or more, as the api asks) and a role. */
export function CreateUserModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: () => void }) {
  const t = useTranslations('users');
  const tc = useTranslations('common');
  const [error, setError] = useState<unknown>(null);
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: { email: '', name: '', password: '', role: 'USER' },
    validate: {
      email: (v) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()) && v.length <= 320 ? null : t('create.badEmail')),
      name: (v) => (v.length <= 200 ? null : t('create.longName')),
      password: (v) => (v.length >= 8 && v.length <= 1024 ? null : t('create.shortPassword')),
    },
  });
  const close = () => {
    form.reset();
    setError(null);
    onClose();
  };
  const submit = form.onSubmit(async (v) => {
    setError(null);
    try {
      await gql(CreateUserMutation, { input: { email: v.email.trim(), password: v.password, role: v.role, ...(v.name.trim() ? { name: v.name.trim() } : {}) } });
      onCreated();
      close();
    } catch (err) {
      setError(err);
    }
  });
  return (
    <ConsoleModal opened={opened} onClose={close} title={t('create.title')} closeLabel={t('cancel')}>
      <form onSubmit={submit} aria-label={t('create.title')}>
        <Stack gap="sm">
          <TextInput label={t('create.email')} type="email" required data-autofocus {...form.getInputProps('email')} />
          <TextInput label={t('create.name')} {...form.getInputProps('name')} />
          <PasswordInput label={t('create.password')} description={t('create.passwordHint')} required {...form.getInputProps('password')} />
          <Select label={t('create.role')} data={ROLES.map((r) => ({ value: r, label: tc(`roles.${r}`) }))} allowDeselect={false} {...form.getInputProps('role')} />
          {error !== null && <ErrorNotice error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={form.submitting}>
              {t('create.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </ConsoleModal>
  );
}
