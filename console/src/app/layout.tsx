import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/charts/styles.css';
import './globals.css';
import { ColorSchemeScript, mantineHtmlProps } from '@mantine/core';
import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { env } from '@/env';
import { DEFAULT_LOCALE, LOCALE_COOKIE, TIME_ZONE_COOKIE, isLocale, timeZoneOr } from '@/lib/i18n/messages';
import { Providers } from '@/components/providers';

export const metadata: Metadata = { title: 'Dialoop console', description: 'Chat, review and improve the assistant' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const jar = await cookies();
  const saved = jar.get(LOCALE_COOKIE)?.value;
  const locale = isLocale(saved) ? saved : DEFAULT_LOCALE;
  const timeZone = timeZoneOr(jar.get(TIME_ZONE_COOKIE)?.value);
  return (
    <html lang={locale === 'zh' ? 'zh-CN' : 'en'} {...mantineHtmlProps}>
      <head>
        <ColorSchemeScript defaultColorScheme="light" />
      </head>
      <body>
        <Providers locale={locale} timeZone={timeZone} apiUrl={env().publicApiUrl}>
          {children}
        </Providers>
      </body>
    </html>
  );
}
