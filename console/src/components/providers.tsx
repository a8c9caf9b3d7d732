'use client';
import { MantineProvider, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { configureApi } from '@/lib/graphql/client';
import { ApiError } from '@/lib/graphql/execute';
import { LocaleProvider } from '@/lib/i18n/provider';
import type { Locale } from '@/lib/i18n/messages';

const theme = createTheme({
  fontFamily: 'var(--dialoop-font)',
  headings: { fontFamily: 'var(--dialoop-font)' },
  primaryColor: 'indigo',
  // Shade 6 with white text is below WCAG AA contrast; 7 passes.
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: 'md',
});

// Inputs' error text in red 6 on white is below WCAG AA contrast (4.0:1); red 8 passes.
const cssVariables: CSSVariablesResolver = (t) => ({ variables: {}, light: { '--mantine-color-error': t.colors.red[8]! }, dark: {} });

export function Providers({ locale, timeZone, apiUrl, children }: { locale: Locale; timeZone: string; apiUrl: string; children: ReactNode }) {
  configureApi(apiUrl);
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            refetchOnWindowFocus: false,
            // Typed refusals (forbidden, not found, bad input) are answers, not blips to retry.
            retry: (count, err) => count < 2 && (!(err instanceof ApiError) || err.code === 'NETWORK_ERROR'),
          },
        },
      }),
  );
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables} defaultColorScheme="light">
      <Notifications position="top-right" />
      <LocaleProvider initial={locale} initialTimeZone={timeZone}>
        <QueryClientProvider client={client}>{children}</QueryClientProvider>
      </LocaleProvider>
    </MantineProvider>
  );
}
