'use client';
import { Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useFormatter, useTranslations } from 'use-intl';

interface Measures { exactRate: number; exactItems: number; tokenLimitRate: number; degenerateRate: number }
/** metrics.guards as the api records it (feedback's guardsOf on the job's guards.json). */
export interface RunGuardsData {
  prompts: number;
  testPrompts: number;
  parent: Measures;
  model: Measures;
  exact: { deltaPp: number; limitPp: number; ok: boolean };
  tokenLimit: { deltaPp: number; limitPp: number; ok: boolean };
  newPhrase: { phrase: string | null; sharePct: number; limitPct: number; ok: boolean };
}

/** The loop's three guards for a finished run: the parent's and the new model's measure on the same prompts, the change and its limit. */
export function RunGuards({ guards: g }: { guards: RunGuardsData }) {
  const t = useTranslations('training.guards');
  const format = useFormatter();
  const pct = (x: number) => format.number(x, { style: 'percent', maximumFractionDigits: 1 });
  const exact = (m: Measures) => (m.exactItems > 0 ? pct(m.exactRate) : '—');
  // guardsOf names a loop this way, in English: shown translated.
  const phrase = g.newPhrase.phrase === 'a reply that loops' ? t('loops') : g.newPhrase.phrase ? `“${g.newPhrase.phrase}”` : null;
  const pp = (x: number) => t('pp', { value: format.number(x, { maximumFractionDigits: 1, signDisplay: 'exceptZero' }) });
  const verdict = (ok: boolean) => (
    <Badge variant="light" color={ok ? 'teal' : 'red'} styles={{ root: { overflow: 'visible' }, label: { overflow: 'visible' } }}>
      {ok ? t('ok') : t('exceeded')}
    </Badge>
  );
  return (
    <Stack gap="xs" component="section" aria-labelledby="training-guards">
      <Title order={3} size="h5" id="training-guards">
        {t('title')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('about', { prompts: g.prompts, test: g.testPrompts, exact: g.parent.exactItems })}
      </Text>
      <Table.ScrollContainer minWidth={560}>
        <Table striped withTableBorder verticalSpacing="xs" aria-labelledby="training-guards">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('guard')}</Table.Th>
              <Table.Th ta="right">{t('parent')}</Table.Th>
              <Table.Th ta="right">{t('model')}</Table.Th>
              <Table.Th ta="right">{t('change')}</Table.Th>
              <Table.Th ta="right">{t('limit')}</Table.Th>
              <Table.Th>{t('result')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody style={{ fontVariantNumeric: 'tabular-nums' }}>
            <Table.Tr>
              <Table.Td>{t('exact')}</Table.Td>
              <Table.Td ta="right">{exact(g.parent)}</Table.Td>
              <Table.Td ta="right">{exact(g.model)}</Table.Td>
              <Table.Td ta="right">{g.parent.exactItems > 0 ? pp(g.exact.deltaPp) : '—'}</Table.Td>
              <Table.Td ta="right">{t('atLeast', { value: pp(g.exact.limitPp) })}</Table.Td>
              <Table.Td>{verdict(g.exact.ok)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td>{t('tokenLimit')}</Table.Td>
              <Table.Td ta="right">{pct(g.parent.tokenLimitRate)}</Table.Td>
              <Table.Td ta="right">{pct(g.model.tokenLimitRate)}</Table.Td>
              <Table.Td ta="right">{pp(g.tokenLimit.deltaPp)}</Table.Td>
              <Table.Td ta="right">{t('atMost', { value: pp(g.tokenLimit.limitPp) })}</Table.Td>
              <Table.Td>{verdict(g.tokenLimit.ok)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td>
                {t('newPhrase')}
                {phrase && (
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {phrase}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">—</Table.Td>
              <Table.Td ta="right">{pct(g.newPhrase.sharePct / 100)}</Table.Td>
              <Table.Td ta="right">—</Table.Td>
              <Table.Td ta="right">{t('atMost', { value: pct(g.newPhrase.limitPct / 100) })}</Table.Td>
              <Table.Td>{verdict(g.newPhrase.ok)}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
