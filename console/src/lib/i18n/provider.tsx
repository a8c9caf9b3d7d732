'use client';
import { IntlProvider } from 'use-intl';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { INTL_LOCALE, LOCALE_COOKIE, MESSAGES, TIME_ZONE_COOKIE, type Locale } from './messages';

const LocaleContext = createContext<{ locale: Locale; setLocale(l: Locale): void }>({ locale: 'en', setLocale: () => undefined });

/** The language, switchable at any time; kept in a plain cookie (a preference, not a secret) so the server renders it too. */
export function LocaleProvider({ initial, initialTimeZone, children }: { initial: Locale; initialTimeZone: string; children: ReactNode }) {
  const [locale, setState] = useState<Locale>(initial);
  const setLocale = useCallback((l: Locale) => {
    document.cookie = `${LOCALE_COOKIE}=${l}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    setState(l);
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  // Times are shown in the browser's time zone. The server renders in the one the browser last told
  // it (a preference cookie, UTC before that), and so does the browser's first render, so that the
  // two agree; a different zone is taken (and remembered) right after.
  const [timeZone, setTimeZone] = useState(initialTimeZone);
  useEffect(() => {
    const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!here || here === initialTimeZone) return;
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(here)}; path=/; max-age=31536000; samesite=lax`;
    setTimeZone(here);
  }, [initialTimeZone]);
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
