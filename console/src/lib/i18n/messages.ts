import enAudit from '@/messages/en/audit.json';
import enChat from '@/messages/en/chat.json';
import enCommon from '@/messages/en/common.json';
import enDatasets from '@/messages/en/datasets.json';
import enModels from '@/messages/en/models.json';
import enReview from '@/messages/en/review.json';
import enSafety from '@/messages/en/safety.json';
import enSystem from '@/messages/en/system.json';
import enTraining from '@/messages/en/training.json';
import enUsers from '@/messages/en/users.json';
import zhAudit from '@/messages/zh/audit.json';
import zhChat from '@/messages/zh/chat.json';
import zhCommon from '@/messages/zh/common.json';
import zhDatasets from '@/messages/zh/datasets.json';
import zhModels from '@/messages/zh/models.json';
import zhReview from '@/messages/zh/review.json';
import zhSafety from '@/messages/zh/safety.json';
import zhSystem from '@/messages/zh/system.json';
import zhTraining from '@/messages/zh/training.json';
import zhUsers from '@/messages/zh/users.json';

/** Every string the console shows, one namespace per feature; `messages.test.ts` checks both languages have every key. */
export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
export const LOCALE_COOKIE = 'dialoop_locale';
/** The browser's time zone (a preference, not a secret), so the server renders times as the browser will. */
export const TIME_ZONE_COOKIE = 'dialoop_tz';
/** The time zone a cookie names, if Intl knows it (an unknown or malformed cookie means UTC). */
export function timeZoneOr(cookie: string | undefined, fallback = 'UTC'): string {
  if (!cookie) return fallback;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: decodeURIComponent(cookie) }).resolvedOptions().timeZone;
  } catch {
    return fallback;
  }
}

export const MESSAGES = {
  en: { common: enCommon, chat: enChat, review: enReview, audit: enAudit, users: enUsers, datasets: enDatasets, training: enTraining, models: enModels, safety: enSafety, system: enSystem },
  zh: { common: zhCommon, chat: zhChat, review: zhReview, audit: zhAudit, users: zhUsers, datasets: zhDatasets, training: zhTraining, models: zhModels, safety: zhSafety, system: zhSystem },
} as const;

export type Messages = (typeof MESSAGES)['en'];

export const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

/** BCP 47 tags for Intl formatting. */
export const INTL_LOCALE: Record<Locale, string> = { en: 'en-US', zh: 'zh-CN' };
