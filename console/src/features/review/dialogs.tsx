'use client';
import { Button, Group, Kbd, Radio, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslations } from 'use-intl';
import { ConsoleModal } from '@/components/ui/console-modal';
import type { SkipReason } from '@/gql/graphql';
import { SKIP_REASONS } from './answer';
import { KeyHint, useMac } from './key-hint';
import { actionsIn, KEYMAP, keyLabel, useShortcuts, type KeyScope } from './keymap';

/** `?`: every shortcut of this screen, from the keymap, by scope. */
export function ShortcutsDialog({ opened, onClose, scopes }: { opened: boolean; onClose(): void; scopes: readonly KeyScope[] }) {
  const t = useTranslations('review');
  const mac = useMac();
  return (
    <ConsoleModal opened={opened} onClose={onClose} title={t('keys.title')} size="lg" closeLabel={t('keys.close')}>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          {t('keys.intro')}
        </Text>
        {scopes.map((scope) => (
          <section key={scope} aria-labelledby={`keys-${scope}`}>
            <Title order={3} size="h6" id={`keys-${scope}`} mb={4}>
              {t(`keys.scopes.${scope}`)}
            </Title>
            <Table striped withRowBorders={false} verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w="40%">{t('keys.keys')}</Table.Th>
                  <Table.Th>{t('keys.action')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {actionsIn([scope]).map((action) => (
                  <Table.Tr key={action}>
                    <Table.Td>
                      <Group gap={4}>
                        {(action === 'score' ? ['1', '…', '9'] : KEYMAP[action].keys).map((k, i) => (
                          <Kbd key={i} size="xs">
                            {k === '…' ? k : keyLabel(k, mac)}
                          </Kbd>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>{t(`keys.actions.${action}`)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </section>
        ))}
      </Stack>
    </ConsoleModal>
  );
}

/** `s`: skip the item with a reason (1-5 pick one, Enter confirms). */
export function SkipDialog({ opened, onClose, onSkip, busy }: { opened: boolean; onClose(): void; onSkip(reason: SkipReason): void; busy: boolean }) {
  const t = useTranslations('review');
  const [reason, setReason] = useState<SkipReason | null>(null);
  useShortcuts(
    ['skip'],
    {
      skipReason: (key) => setReason(SKIP_REASONS[Number(key) - 1] ?? null),
      confirmSkip: () => reason && !busy && onSkip(reason),
    },
    opened,
  );
  return (
    <ConsoleModal opened={opened} onClose={onClose} title={t('skip.title')} closeLabel={t('skip.cancel')}>
      <Stack gap="md">
        <Radio.Group label={t('skip.reason')} description={t('skip.reasonHint')} value={reason} onChange={(v) => setReason(v as SkipReason)}>
          <Stack gap="xs" mt="xs">
            {SKIP_REASONS.map((r, i) => (
              <Radio
                key={r}
                value={r}
                aria-keyshortcuts={String(i + 1)}
                // The focus starts in the reasons, so Enter confirms (on the close button it would close).
                data-autofocus={i === 0 ? true : undefined}
                label={
                  <Group component="span" gap={6} wrap="nowrap">
                    {t(`skip.reasons.${r}`)}
                    <Kbd size="xs" aria-hidden="true">
                      {i + 1}
                    </Kbd>
                  </Group>
                }
              />
            ))}
          </Stack>
        </Radio.Group>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('skip.cancel')}
          </Button>
          <Button color="orange" disabled={!reason} loading={busy} onClick={() => reason && onSkip(reason)} rightSection={<KeyHint action="confirmSkip" />}>
            {t('skip.confirm')}
          </Button>
        </Group>
      </Stack>
    </ConsoleModal>
  );
}
