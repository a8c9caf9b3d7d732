'use client';
import { Button, Grid, Group, Paper, Stack, TagsInput, Text, Textarea } from '@mantine/core';
import { memo, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useTranslations } from 'use-intl';
import type { ReviewInput } from '@/gql/graphql';
import { buildInput, MAX_COMMENT, MAX_TAG_LENGTH, MAX_TAGS } from './answer';
import { CorrectionControls } from './correction';
import { ShortcutsDialog } from './dialogs';
import type { Draft, Item } from './draft';
import { PromptView } from './item-parts';
import { ariaKeys, KeyHint, useMac } from './key-hint';
import { isTextEntry, useShortcuts, type KeyScope } from './keymap';
import type { KindProps } from './kind-props';
import { PairwiseControls } from './pairwise';
import { RankingControls } from './ranking';
import { RubricControls } from './rubric';

export interface ReviewFormProps {
  item: Item;
  draft: Draft;
  update: KindProps['update'];
  onSubmit(input: ReviewInput): void;
  submitting: boolean;
  /** "Submit review", or "Decide" when adjudicating. */
  submitLabel: string;
  /** False while the page shows a dialog of its own or cannot take a review (a lost lease). */
  keysEnabled: boolean;
  /** Labelling offers a skip; adjudication does not. */
  onSkip?: () => void;
  /** Shown between the prompt and the candidates (the reviews, when adjudicating). */
  context?: ReactNode;
}

export const scopesFor = (item: Pick<Item, 'kind'>, skip: boolean): KeyScope[] => ['general', item.kind.toLowerCase() as KeyScope, ...(skip ? (['skip'] as const) : [])];

/** One item to decide: the prompt, the kind's controls, tags and a comment, and the submit; keyboard first. */
export function ReviewForm({ item, draft, update, onSubmit, submitting, submitLabel, keysEnabled, onSkip, context }: ReviewFormProps) {
  const t = useTranslations('review');
  const mac = useMac();
  const [help, setHelp] = useState(false);
  const [tried, setTried] = useState(false);
  const tags = useRef<HTMLInputElement>(null);
  const comment = useRef<HTMLTextAreaElement>(null);
  const built = buildInput(item, draft);
  const live = keysEnabled && !help && !submitting;

  const submit = () => {
    if (built.ok && !submitting) onSubmit(built.input);
    setTried(true);
  };

  useShortcuts(
    ['general'],
    {
      showHelp: () => setHelp(true),
      submit,
      submitFromField: submit,
      ...(onSkip ? { skip: onSkip } : {}),
      focusTags: () => tags.current?.focus(),
      focusComment: () => comment.current?.focus(),
      leaveField: (_key, e) => {
        if (isTextEntry(e.target) && e.target instanceof HTMLElement) e.target.blur();
      },
    },
    live,
  );

  const props: KindProps = { item, draft, update, keysEnabled: live };
  return (
    <Stack gap="lg">
      <PromptView item={item} />
      {context}
      {item.kind === 'PAIRWISE' && <PairwiseControls {...props} />}
      {item.kind === 'RANKING' && <RankingControls {...props} />}
      {item.kind === 'RUBRIC' && <RubricControls {...props} />}
      {item.kind === 'CORRECTION' && <CorrectionControls {...props} />}

      <Notes tags={draft.tags} comment={draft.comment} update={update} tagsRef={tags} commentRef={comment} />

      <Group justify="space-between" wrap="wrap" gap="sm">
        <Text size="sm" c={tried && !built.ok ? 'red.8' : 'dimmed'} role="status" aria-live="polite">
          {built.ok ? t('form.ready') : t(`missing.${built.missing}`)}
        </Text>
        <Group gap="xs" wrap="wrap">
          <Button variant="subtle" onClick={() => setHelp(true)} aria-keyshortcuts={ariaKeys('showHelp', mac)} rightSection={<KeyHint action="showHelp" />}>
            {t('form.shortcuts')}
          </Button>
          {onSkip && (
            <Button variant="default" onClick={onSkip} aria-keyshortcuts={ariaKeys('skip', mac)} rightSection={<KeyHint action="skip" />}>
              {t('form.skip')}
            </Button>
          )}
          <Button
            onClick={submit}
            loading={submitting}
            variant={built.ok ? 'filled' : 'light'}
            aria-keyshortcuts={ariaKeys(item.kind === 'CORRECTION' ? 'submitFromField' : 'submit', mac)}
            rightSection={<KeyHint action={item.kind === 'CORRECTION' ? 'submitFromField' : 'submit'} />}
          >
            {submitLabel}
          </Button>
        </Group>
      </Group>

      <ShortcutsDialog opened={help} onClose={() => setHelp(false)} scopes={scopesFor(item, Boolean(onSkip))} />
    </Stack>
  );
}

/** Tags and a comment, sent with any kind of review (re-rendered only when they change). */
const Notes = memo(function Notes({
  tags: tagsValue,
  comment: commentValue,
  update,
  tagsRef,
  commentRef,
}: {
  tags: string[];
  comment: string;
  update: KindProps['update'];
  tagsRef: RefObject<HTMLInputElement | null>;
  commentRef: RefObject<HTMLTextAreaElement | null>;
}) {
  const t = useTranslations('review');
  const mac = useMac();
  return (
    <Paper withBorder p="md" component="section" aria-label={t('form.notes')}>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <TagsInput
            ref={tagsRef}
            label={
              <Group component="span" gap={4} wrap="nowrap">
                {t('form.tags')}
                <KeyHint action="focusTags" />
              </Group>
            }
            description={t('form.tagsHint', { max: MAX_TAGS })}
            value={tagsValue}
            onChange={(v) => update({ tags: v.map((x) => x.slice(0, MAX_TAG_LENGTH)) })}
            splitChars={[',', '，']}
            maxTags={MAX_TAGS}
            clearable
            clearButtonProps={{ 'aria-label': t('form.clearTags') }}
            aria-keyshortcuts={ariaKeys('focusTags', mac)}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Textarea
            ref={commentRef}
            label={
              <Group component="span" gap={4} wrap="nowrap">
                {t('form.comment')}
                <KeyHint action="focusComment" />
              </Group>
            }
            description={t('form.commentHint')}
            value={commentValue}
            onChange={(e) => update({ comment: e.currentTarget.value })}
            maxLength={MAX_COMMENT}
            autosize
            minRows={2}
            maxRows={6}
            aria-keyshortcuts={ariaKeys('focusComment', mac)}
          />
        </Grid.Col>
      </Grid>
    </Paper>
  );
});
