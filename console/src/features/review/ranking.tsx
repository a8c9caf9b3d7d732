'use client';
import { ActionIcon, Badge, Box, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type Announcements, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslations } from 'use-intl';
import { move } from './answer';
import { PlainText } from './item-parts';
import { ariaKeys, useMac } from './key-hint';
import { useShortcuts } from './keymap';
import type { KindProps } from './kind-props';

type Candidate = KindProps['item']['candidates'][number];

/**
 * The candidates as a list to put in order, best first: drag and drop (pointer, or the handle's
 * Space + arrows), the Move buttons, or ↑/↓ (j/k) to focus a reply and Shift+↑/↓ (Alt+↑/↓) to move it.
 */
export function RankingControls({ item, draft, update, keysEnabled }: KindProps) {
  const t = useTranslations('review');
  const byId = useMemo(() => new Map(item.candidates.map((c) => [c.id, c])), [item.candidates]);
  const order = useMemo(() => draft.ranking ?? item.candidates.map((c) => c.id), [draft.ranking, item.candidates]);
  const rows = useRef(new Map<string, HTMLLIElement>());
  const refocus = useRef<string | null>(null);
  const [dragging, setDragging] = useState(false);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    // Space picks up and drops (Enter stays the page's "submit"), arrows move, Escape cancels.
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates, keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space', 'Tab'] } }),
  );

  const reorder = (id: string, delta: number) => {
    const index = order.indexOf(id);
    refocus.current = id;
    update({ ranking: move(order, index, delta) });
  };

  useEffect(() => {
    if (!refocus.current) return;
    rows.current.get(refocus.current)?.focus();
    refocus.current = null;
  }, [order]);

  const focusedIndex = () => {
    const active = document.activeElement;
    return order.findIndex((id) => {
      const row = rows.current.get(id);
      return row && active instanceof Node && row.contains(active);
    });
  };
  const focusAt = (i: number) => {
    const id = order[Math.min(Math.max(i, 0), order.length - 1)];
    if (id) rows.current.get(id)?.focus();
  };

  useShortcuts(
    ['ranking'],
    {
      focusPrevious: () => {
        const i = focusedIndex();
        focusAt(i < 0 ? order.length - 1 : i - 1);
      },
      focusNext: () => focusAt(focusedIndex() + 1),
      moveUp: () => {
        const i = focusedIndex();
        if (i >= 0) reorder(order[i]!, -1);
      },
      moveDown: () => {
        const i = focusedIndex();
        if (i >= 0) reorder(order[i]!, 1);
      },
    },
    keysEnabled && !dragging,
  );

  const name = (id: string | number) => t('item.candidate', { label: byId.get(String(id))?.label ?? '?' });
  const announcements: Announcements = {
    onDragStart: ({ active }) => t('ranking.announce.start', { name: name(active.id), position: order.indexOf(String(active.id)) + 1 }),
    onDragOver: ({ active, over }) => (over ? t('ranking.announce.over', { name: name(active.id), position: order.indexOf(String(over.id)) + 1 }) : undefined),
    onDragEnd: ({ active, over }) => (over ? t('ranking.announce.end', { name: name(active.id), position: order.indexOf(String(over.id)) + 1 }) : t('ranking.announce.cancel', { name: name(active.id) })),
    onDragCancel: ({ active }) => t('ranking.announce.cancel', { name: name(active.id) }),
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    setDragging(false);
    if (!over || active.id === over.id) return;
    const from = order.indexOf(String(active.id));
    const to = order.indexOf(String(over.id));
    update({ ranking: move(order, from, to - from) });
  };

  return (
    <Box component="section" aria-labelledby="review-ranking-heading">
      <Title order={2} size="h4" id="review-ranking-heading">
        {t('ranking.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('ranking.hint')}
      </Text>
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragStart={() => setDragging(true)}
        onDragEnd={onDragEnd}
        onDragCancel={() => setDragging(false)}
        accessibility={{ announcements, screenReaderInstructions: { draggable: t('ranking.instructions') } }}
      >
        <SortableContext items={order} strategy={verticalListSortingStrategy}>
          <Stack component="ol" gap="sm" m={0} p={0} aria-label={t('ranking.list')} style={{ listStyle: 'none' }}>
            {order.map((id, index) => {
              const c = byId.get(id);
              if (!c) return null;
              return (
                <SortableRow
                  key={id}
                  candidate={c}
                  rank={index + 1}
                  first={index === 0}
                  last={index === order.length - 1}
                  rowRef={(el) => {
                    if (el) rows.current.set(id, el);
                    else rows.current.delete(id);
                  }}
                  onMove={(delta) => reorder(id, delta)}
                />
              );
            })}
          </Stack>
        </SortableContext>
      </DndContext>
    </Box>
  );
}

function SortableRow({ candidate, rank, first, last, rowRef, onMove }: { candidate: Candidate; rank: number; first: boolean; last: boolean; rowRef(el: HTMLLIElement | null): void; onMove(delta: number): void }) {
  const t = useTranslations('review');
  const mac = useMac();
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: candidate.id, attributes: { roleDescription: t('ranking.roleDescription') } });
  const name = t('item.candidate', { label: candidate.label });
  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      tabIndex={0}
      aria-label={t('ranking.row', { rank, name })}
      ref={(el: HTMLLIElement | null) => {
        setNodeRef(el);
        rowRef(el);
      }}
      style={{
        transform: CSS.Transform.toString(transform),
        transition,
        position: 'relative',
        zIndex: isDragging ? 2 : undefined,
        boxShadow: isDragging ? 'var(--mantine-shadow-md)' : undefined,
        outlineOffset: 2,
      }}
    >
      <Group align="flex-start" wrap="nowrap" gap="sm">
        <Tooltip label={t('ranking.drag', { name })} openDelay={400}>
          <ActionIcon ref={setActivatorNodeRef} variant="subtle" color="gray" size="lg" aria-label={t('ranking.drag', { name })} style={{ cursor: 'grab', touchAction: 'none' }} {...attributes} {...listeners}>
            <span aria-hidden="true">⠿</span>
          </ActionIcon>
        </Tooltip>
        <Badge size="lg" variant="light" circle aria-hidden="true" mt={4}>
          {rank}
        </Badge>
        <Box style={{ flex: 1, minWidth: 0 }}>
          <Group justify="space-between" wrap="nowrap" mb={4}>
            <Text fw={600} size="sm">
              {name}
            </Text>
            {candidate.model && (
              <Text size="xs" c="dimmed" truncate>
                {candidate.model}
              </Text>
            )}
          </Group>
          <PlainText>{candidate.content}</PlainText>
        </Box>
        <Stack gap={4}>
          <ActionIcon variant="default" aria-label={t('ranking.moveUp', { name })} aria-keyshortcuts={ariaKeys('moveUp', mac)} disabled={first} onClick={() => onMove(-1)}>
            <span aria-hidden="true">↑</span>
          </ActionIcon>
          <ActionIcon variant="default" aria-label={t('ranking.moveDown', { name })} aria-keyshortcuts={ariaKeys('moveDown', mac)} disabled={last} onClick={() => onMove(1)}>
            <span aria-hidden="true">↓</span>
          </ActionIcon>
        </Stack>
      </Group>
    </Paper>
  );
}
