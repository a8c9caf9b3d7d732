'use client';
import { SegmentedControl } from '@mantine/core';
import { useTranslations } from 'use-intl';
import { useLocale } from '@/lib/i18n/provider';
import { isLocale } from '@/lib/i18n/messages';

export function LanguageSwitch() {
  const t = useTranslations('common');
  const { locale, setLocale } = useLocale();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('language')}
      value={locale}
      onChange={(v) => isLocale(v) && setLocale(v)}
      data={[
        { value: 'en', label: 'English' },
        { value: 'zh', label: '中文' },
      ]}
    />
  );
}
