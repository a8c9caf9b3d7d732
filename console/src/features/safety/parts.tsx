'use client';
import { Button, Group, Stack, Switch, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslations } from 'use-intl';
import { ConsoleModal } from '@/components/ui/console-modal';

/** A safety panel's heading: its title (the section's name), a line under it, and actions on the right. */
export function PanelHeader({ id, title, subtitle, children }: { id: string; title: string; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <Group justify="space-between" align="end">
      <div>
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {subtitle && (
          <Text size="sm" c="dimmed">
            {subtitle}
          </Text>
        )}
      </div>
      {children}
    </Group>
  );
}

/** A row's on/off switch (a term, a rule), named for what it switches. */
export function EnabledSwitch({ checked, label, disabled, onChange }: { checked: boolean; label: string; disabled: boolean; onChange(v: boolean): void }) {
  return <Switch size="sm" checked={checked} aria-label={label} disabled={disabled} onChange={(e) => onChange(e.currentTarget.checked)} />;
}

/** A row's Edit and Delete buttons, each named for its row. */
export function RowEditDelete({ editLabel, deleteLabel, onEdit, onDelete }: { editLabel: string; deleteLabel: string; onEdit(): void; onDelete(): void }) {
  const t = useTranslations('safety');
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      <Button size="compact-xs" variant="default" aria-label={editLabel} onClick={onEdit}>
        {t('edit')}
      </Button>
      <Button size="compact-xs" variant="default" c="red.9" aria-label={deleteLabel} onClick={onDelete}>
        {t('delete')}
      </Button>
    </Group>
  );
}

/** "Delete …?" asked once more; `onConfirm` runs after the dialog has closed. */
export function ConfirmDelete({ title, question, onCancel, onConfirm }: { title: string; question: string | null; onCancel(): void; onConfirm(): void }) {
  const t = useTranslations('safety');
  return (
    <ConsoleModal opened={question !== null} onClose={onCancel} title={title} closeLabel={t('cancel')}>
      <Stack>
        <Text size="sm">{question}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {t('cancel')}
          </Button>
          <Button color="red" onClick={onConfirm}>
            {t('delete')}
          </Button>
        </Group>
      </Stack>
    </ConsoleModal>
  );
}
