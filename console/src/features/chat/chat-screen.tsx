'use client';
import { Alert, Box, Button, Checkbox, Grid, Group, Loader, NumberInput, Popover, ScrollArea, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { ChatConversationQuery, ChatMessageFragment } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { conversationsKey, ConversationList } from './conversation-list';
import { CancelMutation, ContinueMutation, ConversationQuery, EditAndResendMutation, ModelsQuery, RegenerateMutation, SendMessageMutation } from './documents';
import { MessageItem, type MessageActions } from './message-item';
import { follow, forget } from './streams';
import { pathThrough, ROOT } from './tree';

const conversationKey = (id: string) => ['chat', 'conversation', id] as const;
type Conversation = NonNullable<ChatConversationQuery['conversation']>;

/** The chat screen: your conversations on the left, the chosen branch of one on the right, streaming. */
export function ChatScreen({ conversationId }: { conversationId?: string }) {
  const t = useTranslations('chat');
  const router = useRouter();
  const qc = useQueryClient();
  const [draft, setDraft] = useState('');
  const [model, setModel] = useState<string | null>(null);
  const [params, setParams] = useState<{ maxTokens?: number; temperature?: number; ignoreEos?: boolean }>({});
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [actionError, setActionError] = useState<unknown>(null);
  const bottom = useRef<HTMLDivElement>(null);

  const models = useQuery({ queryKey: ['chat', 'models'], queryFn: () => gql(ModelsQuery), staleTime: 60_000 });
  const conversation = useQuery({
    queryKey: conversationKey(conversationId ?? ''),
    queryFn: () => gql(ConversationQuery, { id: conversationId! }),
    enabled: Boolean(conversationId),
  });
  const conv = conversation.data?.conversation ?? null;
  const messages = useMemo(() => conv?.messages ?? [], [conv]);
  const path = useMemo(() => pathThrough(messages, chosen), [messages, chosen]);
  const streamingNow = path.some((s) => s.message.status === 'STREAMING' || s.message.status === 'QUEUED');

  /** Puts a message into the cached conversation (new, or changed). */
  const upsert = useCallback(
    (id: string, ...list: ChatMessageFragment[]) =>
      qc.setQueryData<ChatConversationQuery>(conversationKey(id), (old) => {
        if (!old?.conversation) return old;
        const byId = new Map(old.conversation.messages.map((m) => [m.id, m]));
        for (const m of list) byId.set(m.id, { ...byId.get(m.id), ...m });
        return { conversation: { ...old.conversation, messages: [...byId.values()] } };
      }),
    [qc],
  );

  // Every reply still streaming is followed; when it ends, the stored message is read again.
  useEffect(() => {
    if (!conversationId) return;
    for (const m of messages) {
      if (m.status !== 'STREAMING' && m.status !== 'QUEUED') continue;
      follow(m.id, () => {
        void qc.invalidateQueries({ queryKey: conversationKey(conversationId) }).then(() => forget(m.id));
        void qc.invalidateQueries({ queryKey: conversationsKey });
      });
    }
  }, [messages, conversationId, qc]);

  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [path.length]);

  const send = useMutation({
    mutationFn: (content: string) => {
      const parent = path.at(-1)?.message;
      return gql(SendMessageMutation, { input: { content, conversationId: conversationId ?? null, parentId: parent?.id ?? null, model, params: Object.keys(params).length ? params : null } });
    },
    onSuccess: ({ sendMessage: p }) => {
      setDraft('');
      const id = p.conversation.id;
      const existing = qc.getQueryData<ChatConversationQuery>(conversationKey(id));
      if (existing?.conversation) upsert(id, p.userMessage, p.assistantMessage);
      else qc.setQueryData<ChatConversationQuery>(conversationKey(id), { conversation: { id, title: p.conversation.title, lockedAt: null, messages: [p.userMessage, p.assistantMessage] } as Conversation });
      void qc.invalidateQueries({ queryKey: conversationsKey });
      if (id !== conversationId) router.replace(`/chat/${id}`);
    },
  });

  /** A new reply beside another (regenerated, or continued), shown once it is stored. */
  const siblingInput = { model, params: Object.keys(params).length ? params : null };
  const addSibling = (created: Promise<ChatMessageFragment>) => {
    setActionError(null);
    created
      .then((m) => {
        upsert(conversationId!, m);
        setChosen((c) => ({ ...c, [m.parentId ?? ROOT]: m.id }));
      })
      .catch(setActionError);
  };

  const actions: MessageActions = {
    select: (id) => {
      const m = messages.find((x) => x.id === id);
      if (m) setChosen((c) => ({ ...c, [m.parentId ?? ROOT]: id }));
    },
    stop: (id) => {
      setActionError(null);
      gql(CancelMutation, { messageId: id }).catch(setActionError);
    },
    regenerate: (id) => addSibling(gql(RegenerateMutation, { messageId: id, input: siblingInput }).then((d) => d.regenerate)),
    continue: (id) => addSibling(gql(ContinueMutation, { messageId: id, input: siblingInput }).then((d) => d.continueGeneration)),
    editAndResend: (id, content) => {
      setActionError(null);
      gql(EditAndResendMutation, { messageId: id, content, model })
        .then(({ editAndResend: p }) => {
          upsert(conversationId!, p.userMessage, p.assistantMessage);
          setChosen((c) => ({ ...c, [p.userMessage.parentId ?? ROOT]: p.userMessage.id }));
        })
        .catch(setActionError);
    },
    rated: (id, rating) => {
      const m = messages.find((x) => x.id === id);
      if (m) upsert(conversationId!, { ...m, myRating: rating });
    },
  };

  const submit = () => {
    const content = draft.trim();
    if (!content || send.isPending || streamingNow) return;
    send.mutate(content);
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const modelOptions = (models.data?.models ?? []).map((m) => ({ value: m.id, label: m.id }));

  return (
    <Grid gap="md" h="calc(100vh - 56px - 2 * var(--mantine-spacing-md))" styles={{ inner: { height: '100%' } }}>
      <Grid.Col span={{ base: 12, md: 3 }} h={{ md: '100%' }}>
        <ConversationList activeId={conversationId} />
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 9 }} h="100%">
        <Stack h="100%" gap="sm">
          <Group justify="space-between" wrap="nowrap">
            <Title order={1} size="h3" style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
              {conv?.title ?? t('newChat')}
            </Title>
            <Group gap="xs" align="flex-end" wrap="nowrap">
              <Select size="xs" w={200} label={t('model')} data={modelOptions} value={model} onChange={setModel} placeholder={t('defaultModel')} clearable />
              <Popover width={260} position="bottom-end" withArrow>
                <Popover.Target>
                  <Button size="xs" variant="default">
                    {t('advanced')}
                  </Button>
                </Popover.Target>
                <Popover.Dropdown>
                  <Stack gap="xs">
                    <NumberInput size="xs" label={t('maxTokens')} min={1} max={4096} value={params.maxTokens ?? ''} onChange={(v) => setParams((p) => ({ ...p, maxTokens: typeof v === 'number' ? v : undefined }))} />
                    <NumberInput size="xs" label={t('temperature')} min={0} max={2} step={0.1} decimalScale={2} value={params.temperature ?? ''} onChange={(v) => setParams((p) => ({ ...p, temperature: typeof v === 'number' ? v : undefined }))} />
                    <Checkbox size="xs" label={t('ignoreEos')} checked={params.ignoreEos ?? false} onChange={(e) => { const checked = e.currentTarget.checked; setParams((p) => ({ ...p, ignoreEos: checked || undefined })); }} />
                  </Stack>
                </Popover.Dropdown>
              </Popover>
            </Group>
          </Group>
          {conversation.error && <ErrorNotice error={conversation.error} />}
          {conversationId && conversation.isSuccess && !conv && <Alert color="gray">{t('notFound')}</Alert>}
          {actionError !== null && <ErrorNotice error={actionError} />}
          <ScrollArea style={{ flex: 1 }} type="auto" offsetScrollbars>
            <Box role="log" aria-label={t('transcript')} aria-live="polite" aria-relevant="additions text">
              <Stack gap="md" p="xs">
                {conversation.isLoading && <Loader size="sm" aria-label={t('loading')} />}
                {!conversationId && (
                  <Text c="dimmed" ta="center" mt="xl">
                    {t('empty')}
                  </Text>
                )}
                {path.map((s) => (
                  <MessageItem key={s.message.id} message={s.message} siblings={s.siblings} index={s.index} actions={actions} busy={streamingNow} />
                ))}
                <div ref={bottom} />
              </Stack>
            </Box>
          </ScrollArea>
          {send.error && <ErrorNotice error={send.error} />}
          {conv?.lockedAt && <Alert color="orange">{t('locked')}</Alert>}
          <Group align="flex-end" wrap="nowrap" gap="xs">
            <Textarea
              label={t('message')}
              placeholder={t('messagePlaceholder')}
              value={draft}
              onChange={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={onKey}
              autosize
              minRows={1}
              maxRows={8}
              style={{ flex: 1 }}
              disabled={Boolean(conv?.lockedAt)}
            />
            <Button onClick={submit} loading={send.isPending} disabled={!draft.trim() || streamingNow}>
              {t('send')}
            </Button>
          </Group>
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
