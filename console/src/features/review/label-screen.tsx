'use client';
import { Alert, Badge, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslations } from 'use-intl';
import { ErrorNotice } from '@/components/ui/error-notice';
import type { ReviewInput, ReviewKind, SkipReason } from '@/gql/graphql';
import { gql } from '@/lib/graphql/client';
import { ApiError } from '@/lib/graphql/execute';
import { skipInput } from './answer';
import { SkipDialog } from './dialogs';
import { ClaimReviewItemMutation, LabelItemQuery, MyReviewClaimsQuery, ReleaseClaimMutation, SubmitAndNextMutation } from './documents';
import { useDraft, type Item } from './draft';
import { Empty, ItemBadges, LeaseCountdown } from './item-parts';
import { labelHref } from './kinds';
import { PreviousItem } from './previous-item';
import { ReviewForm } from './review-form';

/**
 * The api's answer to a submit (or release) without a live lease — expired, released, or never
 * held: `CONFLICT` ("Your claim on this item has expired: claim again", review.service.ts).
 */
export const LEASE_LOST_CODE = 'CONFLICT';

type State =
  | { phase: 'loading' }
  | { phase: 'item'; item: Item; expiresAt: string }
  | { phase: 'empty' }
  /** The URL names an item the reviewer holds no lease on (any more). */
  | { phase: 'notHeld'; item: Item }
  | { phase: 'failed'; error: unknown };

/** Whether the caller still holds a live lease on the item. */
async function stillHeld(itemId: string): Promise<boolean> {
  try {
    return (await gql(MyReviewClaimsQuery)).myReviewClaims.some((c) => c.item.id === itemId);
  } catch {
    return false;
  }
}

const setUrl = (kind: ReviewKind, itemId?: string) => {
  const href = labelHref(kind, itemId);
  if (`${window.location.pathname}${window.location.search}` !== href) window.history.replaceState(null, '', href);
};

/**
 * Labelling, one item after another of one kind: claims the next item (or reopens the one in the
 * URL), keeps the draft, submits, and shows the next item at once without a page load.
 */
export function LabelScreen({ kind }: { kind: ReviewKind }) {
  const t = useTranslations('review');
  const router = useRouter();
  const qc = useQueryClient();
  const [state, setState] = useState<State>({ phase: 'loading' });
  const [leaseLost, setLeaseLost] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [skipOpen, setSkipOpen] = useState(false);
  const [previous, setPrevious] = useState<Item | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const started = useRef(false);
  const item = state.phase === 'item' ? state.item : null;
  const { draft, restored, update, discard } = useDraft(item);

  const claimNext = useCallback(async () => {
    setLeaseLost(null);
    setActionError(null);
    setNotice(null);
    try {
      const { claimReviewItem: claim } = await gql(ClaimReviewItemMutation, { kind });
      void qc.invalidateQueries({ queryKey: ['review', 'queue'] });
      if (!claim) {
        setUrl(kind);
        setState({ phase: 'empty' });
        return;
      }
      setUrl(kind, claim.item.id);
      setState({ phase: 'item', item: claim.item, expiresAt: claim.expiresAt });
    } catch (err) {
      setState({ phase: 'failed', error: err });
    }
  }, [kind, qc]);

  const reopen = useCallback(
    async (id: string) => {
      try {
        const d = await gql(LabelItemQuery, { id });
        const found = d.reviewItem;
        if (found.kind !== kind) {
          router.replace(labelHref(found.kind, found.id));
          return;
        }
        const claim = d.myReviewClaims.find((c) => c.item.id === id && c.status === 'CLAIMED');
        setState(claim ? { phase: 'item', item: found, expiresAt: claim.expiresAt } : { phase: 'notHeld', item: found });
      } catch (err) {
        setState({ phase: 'failed', error: err });
      }
    },
    [kind, router],
  );

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const id = new URLSearchParams(window.location.search).get('item');
    void (id ? reopen(id) : claimNext());
  }, [claimNext, reopen]);

  /** Submits, and shows the next item of the kind from the same answer (no second round trip). */
  const send = async (input: ReviewInput) => {
    if (!item || !draft || busy) return;
    // The request goes out before any state changes, so no render delays it.
    const request = gql(SubmitAndNextMutation, { itemId: item.id, input, kind });
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      const { submitReview: claim, next } = await request;
      if (claim.status === 'CLAIMED' && input.kind === 'RUBRIC' && input.candidateId) {
        // A rubric is one submit per candidate: the lease stays (and `next` is this same item) until every candidate is scored.
        rubricScored(String(input.candidateId), 'rubric.scoredNext');
        return;
      }
      discard();
      setSkipOpen(false);
      setLeaseLost(null);
      setPrevious(claim.status === 'SUBMITTED' ? item : null);
      if (next && next.item.id !== item.id) {
        setUrl(kind, next.item.id);
        setState({ phase: 'item', item: next.item, expiresAt: next.expiresAt });
      } else {
        setUrl(kind);
        setState({ phase: 'empty' });
      }
      void qc.invalidateQueries({ queryKey: ['review', 'queue'] });
    } catch (err) {
      if (err instanceof ApiError && err.code === LEASE_LOST_CODE) {
        // The same code refuses a rubric candidate scored before (on another device, say, whose draft is not here): the lease is still live then.
        if (input.kind === 'RUBRIC' && input.candidateId && (await stillHeld(item.id))) {
          rubricScored(String(input.candidateId), 'rubric.alreadyScored');
          return;
        }
        setSkipOpen(false);
        setLeaseLost(err.message);
      } else setActionError(err);
    } finally {
      setBusy(false);
    }
  };

  /** Marks a rubric candidate scored and moves on to the next one still open. */
  const rubricScored = (candidateId: string, message: 'rubric.scoredNext' | 'rubric.alreadyScored') => {
    if (!item || !draft) return;
    const scored = [...new Set([...draft.scored, candidateId])];
    const following = item.candidates.find((c) => !scored.includes(c.id));
    const done = item.candidates.find((c) => c.id === candidateId);
    update({ scored, candidateId: following?.id ?? null, tags: [], comment: '' });
    setNotice(t(message, { done: t('item.candidate', { label: done?.label ?? '?' }), next: t('item.candidate', { label: following?.label ?? '?' }) }));
  };

  const skip = (reason: SkipReason) => {
    if (!draft) return;
    const built = skipInput(reason, draft);
    if (built.ok) void send(built.input);
  };

  const release = async () => {
    if (!item) return;
    setBusy(true);
    setActionError(null);
    try {
      await gql(ReleaseClaimMutation, { itemId: item.id });
      void qc.invalidateQueries({ queryKey: ['review'] });
      router.push('/review');
    } catch (err) {
      if (err instanceof ApiError && err.code === LEASE_LOST_CODE) setLeaseLost(err.message);
      else setActionError(err);
      setBusy(false);
    }
  };

  const heading = (
    <Title order={1} size="h2">
      {t(`kinds.${item?.kind ?? kind}.title`)}
    </Title>
  );

  if (state.phase === 'loading') {
    return (
      <Stack>
        {heading}
        <Center mih={240}>
          <Loader aria-label={t('label.loading')} />
        </Center>
      </Stack>
    );
  }

  if (state.phase === 'empty') {
    return (
      <Stack gap="lg">
        {heading}
        {previous && <PreviousItem item={previous} onDismiss={() => setPrevious(null)} />}
        <Empty title={t('label.emptyTitle')} description={t('label.emptyBody')}>
          <Button component={Link} href="/review">
            {t('label.backToQueue')}
          </Button>
          <Button variant="default" onClick={() => void claimNext()}>
            {t('label.checkAgain')}
          </Button>
        </Empty>
      </Stack>
    );
  }

  if (state.phase === 'failed' || state.phase === 'notHeld') {
    return (
      <Stack gap="lg">
        {heading}
        {state.phase === 'failed' ? (
          <ErrorNotice error={state.error} />
        ) : (
          <Alert color="orange" role="alert" title={t('label.notHeldTitle')}>
            {t('label.notHeldBody')}
          </Alert>
        )}
        <Group>
          <Button onClick={() => void claimNext()}>{t('label.claimNextItem')}</Button>
          <Button component={Link} href="/review" variant="default">
            {t('label.backToQueue')}
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    // data-item-id: which item the page shows (bench:console times the change from one to the next).
    <Stack gap="md" maw={1400} data-item-id={state.item.id}>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={6}>
          {heading}
          <ItemBadges item={state.item} />
        </Stack>
        <Group gap="xs" wrap="nowrap">
          {leaseLost === null ? (
            <LeaseCountdown expiresAt={state.expiresAt} />
          ) : (
            <Badge size="lg" color="red.8" variant="filled" tt="none">
              {t('lease.none')}
            </Badge>
          )}
          <Button variant="default" onClick={() => void release()} disabled={busy}>
            {t('label.release')}
          </Button>
          <Button component={Link} href="/review" variant="subtle">
            {t('label.backToQueue')}
          </Button>
        </Group>
      </Group>

      {previous && previous.id !== state.item.id && <PreviousItem item={previous} onDismiss={() => setPrevious(null)} />}
      {restored && !leaseLost && (
        <Alert color="blue" variant="light" role="status" py="xs">
          {t('label.restored')}
        </Alert>
      )}
      {notice && (
        <Alert color="teal" variant="light" role="status" py="xs">
          {notice}
        </Alert>
      )}
      {leaseLost !== null && (
        <Alert color="orange" role="alert" title={t('label.leaseLostTitle')}>
          <Stack gap="xs">
            <Text size="sm">{t('label.leaseLostBody')}</Text>
            <Text size="xs" c="dimmed">
              {t('label.apiSaid', { message: leaseLost })}
            </Text>
            <Group gap="xs">
              <Button size="sm" onClick={() => void claimNext()}>
                {t('label.claimNextItem')}
              </Button>
              <Button size="sm" component={Link} href="/review" variant="default">
                {t('label.backToQueue')}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {actionError !== null && <ErrorNotice error={actionError} />}

      {draft && (
        <ReviewForm
          key={state.item.id}
          item={state.item}
          draft={draft}
          update={update}
          onSubmit={(input) => void send(input)}
          submitting={busy}
          submitLabel={t('form.submit')}
          keysEnabled={!skipOpen && leaseLost === null}
          onSkip={() => setSkipOpen(true)}
        />
      )}
      <SkipDialog key={`skip-${state.item.id}`} opened={skipOpen} onClose={() => setSkipOpen(false)} onSkip={skip} busy={busy} />
    </Stack>
  );
}
