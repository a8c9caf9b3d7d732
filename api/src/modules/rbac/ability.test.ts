import { describe, expect, it } from 'vitest';
import { abilityFor } from './ability.js';

const me = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const conv = (userId: string) => ({ __caslSubjectType__: 'Conversation', userId }) as never;

describe('abilities built from the rule data', () => {
  it('denies everything to anonymous callers', () => {
    const a = abilityFor(null);
    expect(a.can('read', 'Conversation')).toBe(false);
    expect(a.can('read', 'Model')).toBe(false);
  });

  it('lets a user manage their own conversations only', () => {
    const a = abilityFor({ kind: 'user', userId: me, role: 'USER' });
    expect(a.can('update', conv(me))).toBe(true);
    expect(a.can('read', conv(other))).toBe(false);
    expect(a.can('create', 'User')).toBe(false);
  });

  it('gives compliance officers nothing of the chat', () => {
    const a = abilityFor({ kind: 'user', userId: me, role: 'COMPLIANCE' });
    expect(a.can('read', 'Conversation')).toBe(false);
    expect(a.can('create', 'Message')).toBe(false);
  });

  it('lets reviewers read but not change others’ conversations', () => {
    const a = abilityFor({ kind: 'user', userId: me, role: 'REVIEWER' });
    expect(a.can('read', conv(other))).toBe(true);
    expect(a.can('update', conv(other))).toBe(false);
  });

  it('narrows an API key to its scopes and never grants blanket rules', () => {
    const chat = abilityFor({ kind: 'apiKey', userId: me, role: 'ADMIN', apiKeyId: 'k', scopes: ['chat'] });
    expect(chat.can('create', 'Message')).toBe(true);
    expect(chat.can('create', 'Rating')).toBe(false);
    expect(chat.can('create', 'User')).toBe(false); // the admin's `manage User` is not a chat scope
    expect(chat.can('read', 'ApiKey')).toBe(false);
    const none = abilityFor({ kind: 'apiKey', userId: me, role: 'USER', apiKeyId: 'k', scopes: [] });
    expect(none.rules).toEqual([]);
  });
});
