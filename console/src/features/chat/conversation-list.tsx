'use client';
import { ActionIcon, Button, Group, Loader, Menu, NavLink, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { useFormatter, useNow, useTranslations } from 'use-intl';
import { ConsoleModal } from '@/components/ui/console-modal';
import { ErrorNotice } from '@/components/ui/error-notice';
import { gql } from '@/lib/graphql/client';
import { ConversationsQuery, DeleteMutation, RenameMutation } from './documents';

export const conversationsKey = ['chat', 'conversations'] as const;

/** Your conversations, newest activity first, with search (titles and every message, on the api), rename and delete. */
export function ConversationList({ activeId }: { activeId: string | undefined }) {
  const t = useTranslations('chat');
  const format = useFormatter();
  const now = useNow({ updateInterval: 60_000 });
  const router = useRouter();
  const qc = useQueryClient();
  const [search, setSearch] = useState('');
  const [renaming, setRenaming] = useState<{ id: string; title: string } | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; title: string } | null>(null);
  const [query] = useDebouncedValue(search.trim().slice(0, 200), 250);
  const list = useInfiniteQuery({
    queryKey: [...conversationsKey, query],
    queryFn: ({ pageParam }) => gql(ConversationsQuery, { after: pageParam, search: query || null }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.conversations.pageInfo.hasNextPage ? last.conversations.pageInfo.endCursor : undefined),
  });
  const rename = useMutation({
    mutationFn: (v: { id: string; title: string }) => gql(RenameMutation, v),
    onSuccess: () => {
      setRenaming(null);
      void qc.invalidateQueries({ queryKey: ['chat'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => gql(DeleteMutation, { id }),
    onSuccess: (_d, id) => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: conversationsKey });
      if (id === activeId) router.push('/chat');
    },
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.conversations.edges.map((e) => e.node)) ?? [], [list.data]);

  return (
    <Stack gap="xs" h="100%">
      <Button component={Link} href="/chat" variant="light">
        {t('newChat')}
      </Button>
      <TextInput
        type="search"
        aria-label={t('search')}
        placeholder={t('searchHint')}
        value={search}
        maxLength={200}
        onChange={(e) => setSearch(e.currentTarget.value)}
        rightSection={list.isFetching && query ? <Loader size="xs" aria-label={t('searching')} /> : null}
      />
      {list.error && <ErrorNotice error={list.error} />}
      <ScrollArea style={{ flex: 1 }} type="auto">
        <nav aria-label={t('conversations')}>
          {rows.map((c) => (
            <Group key={c.id} gap={0} wrap="nowrap">
              <NavLink
                component={Link}
                href={`/chat/${c.id}`}
                active={c.id === activeId}
                aria-current={c.id === activeId ? 'page' : undefined}
                label={c.title}
                description={format.relativeTime(new Date(Math.min(Date.parse(c.updatedAt), now.getTime())), now)}
                styles={{ label: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' } }}
                style={{ minWidth: 0 }}
              />
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon variant="subtle" color="gray" aria-label={t('conversationActions', { title: c.title })}>
                    ⋯
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => setRenaming({ id: c.id, title: c.title })}>{t('rename')}</Menu.Item>
                  <Menu.Item color="red" onClick={() => setDeleting({ id: c.id, title: c.title })}>
                    {t('delete')}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
          ))}
          {!list.isLoading && rows.length === 0 && (
            <Text size="sm" c="dimmed" p="xs">
              {query ? t('noMatch') : t('noConversations')}
            </Text>
          )}
          {list.hasNextPage && (
            <Button variant="subtle" size="xs" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
              {t('loadMore')}
            </Button>
          )}
        </nav>
      </ScrollArea>
      <ConsoleModal opened={renaming !== null} onClose={() => setRenaming(null)} title={t('renameTitle')} closeLabel={t('cancel')}>
        {renaming && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              rename.mutate(renaming);
            }}
          >
            <Stack>
              {rename.error && <ErrorNotice error={rename.error} />}
              <TextInput label={t('title')} value={renaming.title} onChange={(e) => setRenaming({ ...renaming, title: e.currentTarget.value })} data-autofocus />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setRenaming(null)}>
                  {t('cancel')}
                </Button>
                <Button type="submit" loading={rename.isPending}>
                  {t('save')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </ConsoleModal>
      <ConsoleModal opened={deleting !== null} onClose={() => setDeleting(null)} title={t('deleteTitle')} closeLabel={t('cancel')}>
        {deleting && (
          <Stack>
            {remove.error && <ErrorNotice error={remove.error} />}
            <Text size="sm">{t('deleteConfirm', { title: deleting.title })}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDeleting(null)}>
                {t('cancel')}
              </Button>
              <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(deleting.id)}>
                {t('delete')}
              </Button>
            </Group>
          </Stack>
        )}
      </ConsoleModal>
    </Stack>
  );
}
