/**
 * PII redaction for preference datasets exported from chat logs (English and Chinese).
 *
 * `redactPii` replaces e-mail addresses, phone numbers, Chinese resident ID card numbers and
 * bank card numbers by fixed placeholders and counts what it replaced. Everything else is kept
 * exactly as it was (no Unicode normalisation, no whitespace changes).
 *
 * Passes run in a fixed order, each on the output of the previous one:
 *   1. e-mail   – first, so `13812345678@qq.com` becomes `[EMAIL]`, not `[PHONE]@qq.com`;
 *   2. ID card  – before bank cards, so an 18-digit ID is never taken for a card;
 *   3. phone    – strict shapes only (separators, prefixes), never inside a longer digit run;
 *   4. bank card – 13–19 digits that pass the Luhn check.
 *
 * Known limits: any 13–19 digit number passes Luhn with probability 1/10, so an unlucky
 * digits-only order number or timestamp of that length is redacted as `[BANK_CARD]`; a 15-digit
 * number whose digits 7–12 form a valid YYMMDD is redacted as `[ID_CARD]`.
 */

export type PiiKind = 'email' | 'phone' | 'idCard' | 'bankCard';

export interface RedactionResult {
  /** The input with every detected item replaced by its placeholder. */
  text: string;
  /** How many items of each kind were replaced. */
  found: Record<PiiKind, number>;
}

/** The placeholder written in place of each kind. */
export const PII_PLACEHOLDERS: Readonly<Record<PiiKind, string>> = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  idCard: '[ID_CARD]',
  bankCard: '[BANK_CARD]',
};

/**
 * Left boundary for number-like items: not preceded by an ASCII letter/digit/underscore (so not
 * inside a longer digit run or an order ID like `ORD13812345678`), not by `A-`/`1.` (the tail of
 * `SN-…`, a decimal or a dotted version) and not by `1:` (a time). Chinese characters and full-width
 * punctuation are not excluded, so `手机号13812345678` still matches.
 */
const LEFT = String.raw`(?<![0-9A-Za-z_])(?<![0-9A-Za-z_][.\-])(?<![0-9]:)`;
/** Right boundary, the mirror image of {@link LEFT}. */
const RIGHT = String.raw`(?![0-9A-Za-z_])(?![.\-][0-9A-Za-z_])(?!:[0-9])`;

/**
 * E-mail: local part of the usual ASCII characters (plus-addressing included), an ASCII `@` or a
 * full-width `＠`, one or more dot-separated domain labels (subdomains), then an alphabetic TLD.
 * Chinese characters are outside every class, so `请发到foo@bar.com谢谢` yields `foo@bar.com`.
 */
const EMAIL_RE = /[A-Za-z0-9._%+-]+[@＠](?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}/g;

/** 18-digit ID: 17 digits then a digit or X/x; the date and the check digit are verified afterwards. */
const ID18_RE = new RegExp(`${LEFT}[1-9]\\d{16}[0-9Xx]${RIGHT}`, 'g');
/** Old 15-digit ID: 6-digit area code, YYMMDD (19YY), 3-digit sequence; the date is verified afterwards. */
const ID15_RE = new RegExp(`${LEFT}[1-9]\\d{14}${RIGHT}`, 'g');

/** Phone shapes, tried in this order at each position. */
const PHONE_SOURCES = [
  // Chinese mobile: optional +86 / 0086 / 86 prefix, then 1[3-9]x xxxx xxxx, either contiguous or
  // 3-4-4 with the same separator (space or hyphen) both times.
  String.raw`(?:(?:\+|00)?86[ \-]?)?1[3-9]\d([ \-]?)\d{4}\1\d{4}`,
  // Chinese landline: area code 0xx / 0xxx, a hyphen (or the area code in parentheses), 7–8 digits.
  String.raw`(?:0\d{2,3}-|\(0\d{2,3}\) ?)\d{7,8}`,
  // North American: optional +1 / 1 prefix, area code (2–9 first) bare or in parentheses, then
  // 3 + 4 digits. A separator is required, so bare 10-digit runs (Unix timestamps) do not match.
  String.raw`(?:\+?1[ .\-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .\-])\d{3}[ .\-]\d{4}`,
  // International: + country code then 2–5 groups split by spaces/hyphens, or one contiguous run;
  // the total digit count (8–15, E.164) is checked afterwards.
  String.raw`\+[1-9]\d{0,2}(?:[ \-]\d{1,4}){2,5}|\+[1-9]\d{7,14}`,
];
const PHONE_RE = new RegExp(`${LEFT}(?:${PHONE_SOURCES.map((s) => `(?:${s})`).join('|')})${RIGHT}`, 'g');

/**
 * Bank card: groups of 4 split by one consistent separator (space or hyphen) with an optional
 * short last group (12–19 digits as written), or 13–19 contiguous digits. Length and Luhn are
 * checked afterwards.
 */
const CARD_RE = new RegExp(
  `${LEFT}(?:\\d{4}([ \\-])\\d{4}(?:\\1\\d{4}){1,2}(?:\\1\\d{1,3})?|\\d{13,19})${RIGHT}`,
  'g',
);

/** A cheap first look: an @ (or ＠), or 8 digits with at most 3 of `( ) . + -` or spaces between each two. */
const MAYBE_PII_RE = /[@＠]|\d(?:[ ().+-]{0,3}\d){7}/;

/** ISO 7064 MOD 11-2 weights for the first 17 digits of an 18-digit ID. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** Check character indexed by (weighted sum mod 11). */
const ID_CHECK_CHARS = '10X98765432';

/** True when year/month/day form a real calendar date (leap years included). */
function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/** 18-digit ID: birth date YYYYMMDD in 1900–2099 and a correct MOD 11-2 check character. */
export function isValidIdCard18(id: string): boolean {
  if (!/^\d{17}[0-9Xx]$/.test(id)) return false;
  const year = Number(id.slice(6, 10));
  if (year < 1900 || year > 2099) return false;
  if (!isValidDate(year, Number(id.slice(10, 12)), Number(id.slice(12, 14)))) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK_CHARS[sum % 11] === id[17]?.toUpperCase();
}

/** Old 15-digit ID: the YYMMDD at positions 7–12 is a valid date in the 1900s. */
export function isValidIdCard15(id: string): boolean {
  if (!/^\d{15}$/.test(id)) return false;
  return isValidDate(1900 + Number(id.slice(6, 8)), Number(id.slice(8, 10)), Number(id.slice(10, 12)));
}

/** Luhn (mod 10) check over a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** A 13–19 digit number (separators ignored) that passes Luhn. */
function isBankCard(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits);
}

/**
 * Redacts e-mails, phone numbers, Chinese ID card numbers and bank card numbers.
 *
 * Pure and deterministic; text that is not redacted is returned unchanged.
 *
 * @example
 * redactPii('我的手机号是13812345678，身份证号11010519491231002X');
 * // → { text: '我的手机号是[PHONE]，身份证号[ID_CARD]', found: { email: 0, phone: 1, idCard: 1, bankCard: 0 } }
 */
export function redactPii(text: string): RedactionResult {
  const found: Record<PiiKind, number> = { email: 0, phone: 0, idCard: 0, bankCard: 0 };
  // Every shape below holds an @ or at least 8 digits with at most 3 separators between two of
  // them: text with neither (most text) skips the five patterns.
  if (!MAYBE_PII_RE.test(text)) return { text, found };
  const redact = (kind: PiiKind): string => {
    found[kind]++;
    return PII_PLACEHOLDERS[kind];
  };

  let out = text.replace(EMAIL_RE, () => redact('email'));
  out = out.replace(ID18_RE, (m) => (isValidIdCard18(m) ? redact('idCard') : m));
  out = out.replace(ID15_RE, (m) => (isValidIdCard15(m) ? redact('idCard') : m));
  out = out.replace(PHONE_RE, (m) => {
    if (m.startsWith('+')) {
      const digitCount = m.replace(/\D/g, '').length;
      if (digitCount < 8 || digitCount > 15) return m;
    }
    return redact('phone');
  });
  out = out.replace(CARD_RE, (m, sep: string | undefined) => {
    if (isBankCard(m)) return redact('bankCard');
    // `4111 1111 1111 1111 22`: the short last group may be a separate number; retry without it.
    if (sep !== undefined) {
      const cut = m.lastIndexOf(sep);
      const head = m.slice(0, cut);
      if (m.length - cut - 1 < 4 && isBankCard(head)) return redact('bankCard') + m.slice(cut);
    }
    return m;
  });

  return { text: out, found };
}
