import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.js';

describe('api configuration', () => {
  it('has working embedded defaults', () => {
    const env = parseEnv({ INIT_CWD: '/srv/dialoop' });
    expect(env).toMatchObject({ API_PORT: 4000, DIALOOP_DATA_DIR: '/srv/dialoop/data', INFERENCE_URL: ['http://127.0.0.1:8000'], DEMO_ACCOUNTS: true, introspection: true });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('refuses the default demo password, missing secrets and an unaudited api in production', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required[\s\S]*PSEUDONYM_KEY is required[\s\S]*AUDIT_SIGNING_KEY is required[\s\S]*default demo password/);
    const secrets = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), PSEUDONYM_KEY: 'y'.repeat(32), AUDIT_SIGNING_KEY: '01'.repeat(32), DEMO_ACCOUNTS: 'false' };
    expect(parseEnv(secrets).introspection).toBe(false);
    expect(() => parseEnv({ ...secrets, AUDIT: 'off' })).toThrow(/AUDIT: production refuses AUDIT=off/);
  });

  it('checks the audit settings: a signing key that is Ed25519, a trail kept at least as long as the data', () => {
    expect(() => parseEnv({ AUDIT_SIGNING_KEY: 'abcd' })).toThrow(/AUDIT_SIGNING_KEY: an Ed25519 key is/);
    expect(() => parseEnv({ AUDIT_RETENTION_DAYS: '30' })).toThrow(/AUDIT_RETENTION_DAYS: the trail must outlive/);
    expect(() => parseEnv({ AUDIT_RETENTION_DAYS: '30', CONVERSATION_RETENTION_DAYS: '90' })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(parseEnv({ AUDIT_RETENTION_DAYS: '2555', CONVERSATION_RETENTION_DAYS: '365' }).AUDIT_RETENTION_DAYS).toBe(2555);
  });

  it('yields parsed values, so nothing downstream parses configuration again', () => {
    const env = parseEnv({ AUDIT_SIGNING_KEY: '01'.repeat(32), REVIEW_RUBRIC: '[{"id":"clarity","label":"Clarity","min":0,"max":3}]' });
    expect(env.AUDIT_SIGNING_KEY?.asymmetricKeyType).toBe('ed25519');
    expect(env.AUDIT_PREVIOUS_PUBLIC_KEYS).toEqual([]);
    expect(env.REVIEW_RUBRIC).toEqual([{ id: 'clarity', label: 'Clarity', min: 0, max: 3 }]);
    expect(parseEnv({}).REVIEW_RUBRIC.map((c) => c.id)).toEqual(['helpfulness', 'harmlessness', 'honesty']);
    expect(() => parseEnv({ REVIEW_RUBRIC: '[{"id":"x","label":"X","min":3,"max":1}]' })).toThrow(/REVIEW_RUBRIC: a JSON list/);
    expect(() => parseEnv({ REVIEW_RUBRIC: 'not json' })).toThrow(/REVIEW_RUBRIC: a JSON list/);
    expect(() => parseEnv({ AUDIT_PREVIOUS_PUBLIC_KEYS: 'nonsense' })).toThrow(/AUDIT_PREVIOUS_PUBLIC_KEYS/);
  });

  it('parses several upstreams and rejects bad values with the variable named', () => {
    expect(parseEnv({ INFERENCE_URL: 'http://a:1/, https://b:2' }).INFERENCE_URL).toEqual(['http://a:1', 'https://b:2']);
    expect(() => parseEnv({ INFERENCE_URL: 'ftp://x' })).toThrow(/INFERENCE_URL/);
    expect(() => parseEnv({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
  });
});
