'use client';
import { Button, Menu, Text } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'use-intl';
import { resetSocket } from '@/lib/graphql/client';
import { signOut } from '@/lib/session/client';
import type { SessionPayload } from '@/lib/session/types';

export function UserMenu({ user }: { user: SessionPayload['user'] }) {
  const t = useTranslations('common');
  const router = useRouter();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="subtle" size="compact-sm">
          {user.name ?? user.email}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="xs">{user.email}</Text>
          <Text size="xs" c="dimmed">
            {t(`roles.${user.role}`)}
          </Text>
        </Menu.Label>
        <Menu.Item
          onClick={async () => {
            resetSocket();
            await signOut();
            router.replace('/signin');
          }}
        >
          {t('signOut')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
