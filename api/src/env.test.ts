import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.js';

describe('api configuration', () => {
  it('has working embedded defaults', () => {
    const env = parseEnv({ INIT_CWD: '/srv/dialoop' });
    expect(env).toMatchObject({ API_PORT: 4000, DIALOOP_DATA_DIR: '/srv/dialoop/data', INFERENCE_URL: ['http://127.0.0.1:8000'], DEMO_ACCOUNTS: true, introspection: true });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('refuses the default demo password and a missing JWT secret in production', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required[\s\S]*default demo password/);
    const ok = parseEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DEMO_ACCOUNTS: 'false' });
    expect(ok.introspection).toBe(false);
  });

  it('parses several upstreams and rejects bad values with the variable named', () => {
    expect(parseEnv({ INFERENCE_URL: 'http://a:1/, https://b:2' }).INFERENCE_URL).toEqual(['http://a:1', 'https://b:2']);
    expect(() => parseEnv({ INFERENCE_URL: 'ftp://x' })).toThrow(/INFERENCE_URL/);
    expect(() => parseEnv({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
  });
});
