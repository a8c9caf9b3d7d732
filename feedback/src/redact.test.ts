import { describe, expect, it } from 'vitest';
import { isValidIdCard15, isValidIdCard18, passesLuhn, redactPii, type PiiKind } from './redact.js';

const none: Record<PiiKind, number> = { email: 0, phone: 0, idCard: 0, bankCard: 0 };
const counts = (partial: Partial<Record<PiiKind, number>>): Record<PiiKind, number> => ({ ...none, ...partial });

describe('redactPii: positive cases', () => {
  // [input, expected text, expected counts]
  const cases: Array<[string, string, Partial<Record<PiiKind, number>>]> = [
    // e-mail
    ['Mail me at john.doe@example.com please.', 'Mail me at [EMAIL] please.', { email: 1 }],
    ['Use jane+newsletter@mail.corp.example.co.uk today', 'Use [EMAIL] today', { email: 1 }],
    ['请发到foo@bar.com谢谢', '请发到[EMAIL]谢谢', { email: 1 }],
    ['邮箱：13812345678@qq.com，', '邮箱：[EMAIL]，', { email: 1 }],
    ['全角：user＠example.cn。', '全角：[EMAIL]。', { email: 1 }],
    ['<a.b@x.io>, c_d@y.org.', '<[EMAIL]>, [EMAIL].', { email: 2 }],
    // Chinese mobile
    ['我的手机号是13812345678，谢谢', '我的手机号是[PHONE]，谢谢', { phone: 1 }],
    ['电话:+86 139 1234 5678。', '电话:[PHONE]。', { phone: 1 }],
    ['call +8615012345678 now', 'call [PHONE] now', { phone: 1 }],
    ['联系 86-186-1234-5678 或 0086 17712345678', '联系 [PHONE] 或 [PHONE]', { phone: 2 }],
    ['手机 138 1234 5678 / 138-1234-5678', '手机 [PHONE] / [PHONE]', { phone: 2 }],
    // Chinese landline
    ['座机010-12345678，分机无', '座机[PHONE]，分机无', { phone: 1 }],
    ['深圳 0755-8600123 或 (021) 62345678', '深圳 [PHONE] 或 [PHONE]', { phone: 2 }],
    // North American / international
    ['Call +1 (555) 123-4567 today.', 'Call [PHONE] today.', { phone: 1 }],
    ['Call 555-123-4567 or (212) 555-0199.', 'Call [PHONE] or [PHONE].', { phone: 2 }],
    ['Reach me on 1-800-555-0100 or 415.555.2671', 'Reach me on [PHONE] or [PHONE]', { phone: 2 }],
    ['London: +44 20 7946 0958.', 'London: [PHONE].', { phone: 1 }],
    ['Paris +33 1 23 45 67 89, Berlin +4930123456', 'Paris [PHONE], Berlin [PHONE]', { phone: 2 }],
    // Chinese ID card (18-digit, check digit X, digit; leap day; 15-digit)
    ['身份证号11010519491231002X', '身份证号[ID_CARD]', { idCard: 1 }],
    ['ID: 11010519491231002x.', 'ID: [ID_CARD].', { idCard: 1 }],
    ['身份证440308199901011234，', '身份证[ID_CARD]，', { idCard: 1 }],
    ['born on a leap day: 320106200002294562', 'born on a leap day: [ID_CARD]', { idCard: 1 }],
    ['旧身份证110105491231002号', '旧身份证[ID_CARD]号', { idCard: 1 }],
    // bank card
    ['Card 4111 1111 1111 1111 exp 12/26', 'Card [BANK_CARD] exp 12/26', { bankCard: 1 }],
    ['卡号4111-1111-1111-1111，', '卡号[BANK_CARD]，', { bankCard: 1 }],
    ['银行卡6222021234567890128转账', '银行卡[BANK_CARD]转账', { bankCard: 1 }],
    ['工行 6222 0212 3456 7890 128 收款', '工行 [BANK_CARD] 收款', { bankCard: 1 }],
    ['农行卡号：6228480012345671。', '农行卡号：[BANK_CARD]。', { bankCard: 1 }],
    ['Visa 4111111111119 (13 digits)', 'Visa [BANK_CARD] (13 digits)', { bankCard: 1 }],
    ['card 4111 1111 1111 1111 22 items', 'card [BANK_CARD] 22 items', { bankCard: 1 }],
    // several kinds at once
    [
      '我的手机号是13812345678，身份证号11010519491231002X，卡号6217000000000000004，邮箱a+b@c.cn',
      '我的手机号是[PHONE]，身份证号[ID_CARD]，卡号[BANK_CARD]，邮箱[EMAIL]',
      { phone: 1, idCard: 1, bankCard: 1, email: 1 },
    ],
    [
      'Contact jo@ex.com / 555-123-4567; card 5432-1098-7654-3212; CN ID 440308199901011234.',
      'Contact [EMAIL] / [PHONE]; card [BANK_CARD]; CN ID [ID_CARD].',
      { email: 1, phone: 1, bankCard: 1, idCard: 1 },
    ],
  ];

  it.each(cases)('%s', (input, text, found) => {
    expect(redactPii(input)).toEqual({ text, found: counts(found) });
  });
});

describe('redactPii: negative cases (left byte-for-byte)', () => {
  const cases: string[] = [
    'In 2024 we shipped 1999 units.',
    '价格¥1999，原价￥2599.00，$1,299.99',
    'Order ORD13812345678 and SN-13812345678 and A1B2C3D4E5F6',
    '订单号ORD20240115000123已发货',
    'Meeting at 12:30, ends 12:30:45.',
    '日期2024-01-15 12:30:45，或 2024/01/15，或 2024.01.15',
    'Unix time 1705300245 or ms 1705300245000',
    'timestamp 20240115123045',
    'version 1.2.3 and v10.4.12-beta',
    'ID with wrong checksum 110105194912310021',
    'checksum right but Feb 30: 110105194902300020',
    '15 digits with month 13: 110105491332002',
    'card failing Luhn 4111 1111 1111 1112 / 4111111111111112',
    'pi 3.1415926535897932 and 1234567890123456',
    'short numbers 42, 555, 12345, 1234567, 第3章第12节',
    'too short for a mobile 1381234567 and too long 138123456789',
    'inside a longer run 9913812345678999',
    'score +5 and +1999 and +12 3',
    'UUID 550e8400-e29b-41d4-a716-446655440000',
    'IP 192.168.100.1 and 10.0.0.255',
    'no pii here at all: foo@ and @bar and a@b',
  ];

  it.each(cases)('%s', (input) => {
    expect(redactPii(input)).toEqual({ text: input, found: none });
  });

  it('returns the empty string unchanged', () => {
    expect(redactPii('')).toEqual({ text: '', found: none });
  });
});

describe('redactPii: details', () => {
  it('counts repeated items and keeps the surrounding text exactly', () => {
    const input = '  A: 13812345678\n\tB: 13912345678\r\n（C）：13712345678  ';
    expect(redactPii(input)).toEqual({
      text: '  A: [PHONE]\n\tB: [PHONE]\r\n（C）：[PHONE]  ',
      found: counts({ phone: 3 }),
    });
  });

  it('prefers ID card over bank card for an 18-digit ID', () => {
    // 440308199901011234 is a valid ID; whatever its Luhn status, it must be an ID card.
    expect(redactPii('440308199901011234').found).toEqual(counts({ idCard: 1 }));
  });

  it('does not normalise full-width characters elsewhere', () => {
    const input = 'ＡＢＣ１２３４５６７８９０１ 全角数字';
    expect(redactPii(input)).toEqual({ text: input, found: none });
  });
});

describe('validators', () => {
  it('isValidIdCard18 checks date and MOD 11-2 check digit', () => {
    expect(isValidIdCard18('11010519491231002X')).toBe(true);
    expect(isValidIdCard18('11010519491231002x')).toBe(true);
    expect(isValidIdCard18('440308199901011234')).toBe(true);
    expect(isValidIdCard18('110105194912310021')).toBe(false); // wrong check digit
    expect(isValidIdCard18('110105194902300020')).toBe(false); // 30 February
    expect(isValidIdCard18('110105180012310027')).toBe(false); // before 1900
  });

  it('isValidIdCard15 checks the YYMMDD date', () => {
    expect(isValidIdCard15('110105491231002')).toBe(true);
    expect(isValidIdCard15('110105491332002')).toBe(false);
    expect(isValidIdCard15('110105000229002')).toBe(false); // 1900-02-29 does not exist
  });

  it('passesLuhn', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('6222021234567890128')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(passesLuhn('')).toBe(false);
  });
});

describe('the fast path', () => {
  it('skips text with no @ and no 8 digits, and still finds every shape written with separators', () => {
    expect(redactPii('Plain text, 2026-11-28, order 1234567.').text).toBe('Plain text, 2026-11-28, order 1234567.');
    for (const phone of ['(415) 555-0123', '138 1234 5678', '+1 415-555-0123', '+86 138-1234-5678', '010-12345678', '(010) 1234567', '+44 20 7946 0958']) {
      expect(redactPii(`call ${phone} today`).found.phone, phone).toBe(1);
    }
    expect(redactPii('card 4111 1111 1111 1111').found.bankCard).toBe(1);
  });
});
