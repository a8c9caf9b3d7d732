'use client';
import { Stack, Tabs, Text, Title } from '@mantine/core';
import { useTranslations } from 'use-intl';
import { useUrlParam } from '@/lib/url-param';
import { ActivityPanel } from './activity-panel';
import { EscalationsPanel } from './escalations-panel';
import { RulesPanel } from './rules-panel';
import { TermsPanel } from './terms-panel';
import { TryPanel } from './try-panel';

const TABS = ['terms', 'try', 'rules', 'escalations', 'activity'] as const;
type Tab = (typeof TABS)[number];

/** Admins keep the safety filter: the term list, a text tried against it, rewrite rules, monitoring's escalations and what the filter caught. */
export function SafetyScreen() {
  const t = useTranslations('safety');
  const [param, setParam] = useUrlParam('tab');
  const tab: Tab = TABS.includes(param as Tab) ? (param as Tab) : 'terms';
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('title')}
        </Title>
        <Text c="dimmed">{t('subtitle')}</Text>
      </div>
      <Tabs value={tab} onChange={(v) => setParam(v === 'terms' ? null : v)} keepMounted={false}>
        <Tabs.List mb="md">
          {TABS.map((k) => (
            <Tabs.Tab key={k} value={k}>
              {t(`tabs.${k}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="terms">
          <TermsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="try">
          <TryPanel />
        </Tabs.Panel>
        <Tabs.Panel value="rules">
          <RulesPanel />
        </Tabs.Panel>
        <Tabs.Panel value="escalations">
          <EscalationsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="activity">
          <ActivityPanel />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
