'use client';
import { IntlProvider } from 'use-intl';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { INTL_LOCALE, LOCALE_COOKIE, MESSAGES, type Locale } from './messages';

const LocaleContext = createContext<{ locale: Locale; setLocale(l: Locale): void }>({ locale: 'en', setLocale: () => undefined });

/** The language, switchable at any time; kept in a plain cookie (a preference, not a secret) so the server renders it too. */
export function LocaleProvider({ initial, children }: { initial: Locale; children: ReactNode }) {
  const [locale, setState] = useState<Locale>(initial);
  const setLocale = useCallback((l: Locale) => {
    document.cookie = `${LOCALE_COOKIE}=${l}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    setState(l);
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  const timeZone = typeof Intl !== 'undefined' ? Intl.DateTimeFormat().resolvedOptions().timeZone : 'UTC';
  return (
    <LocaleContext.Provider value={value}>
      <IntlProvider
        locale={INTL_LOCALE[locale]}
        messages={MESSAGES[locale]}
        timeZone={timeZone}
        now={undefined}
        onError={(err) => {
          // A missing key shows its path (and fails the browser tests, which watch the console).
          console.error(`[i18n] ${err.message}`);
        }}
      >
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export const useLocale = () => useContext(LocaleContext);
