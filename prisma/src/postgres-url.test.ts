import { describe, expect, it } from 'vitest';
import { postgresTarget, redactUrl } from './postgres-url.js';

describe('postgresTarget', () => {
  it('passes a plain URL through', () => {
    expect(postgresTarget('postgres://u:p@db:5432/app')).toEqual({
      poolConfig: { connectionString: 'postgres://u:p@db:5432/app' },
      schema: undefined,
      display: 'postgres://u:***@db:5432/app',
    });
  });

  it('turns ?schema=NAME into the adapter schema and the search_path, keeping other parameters', () => {
    const target = postgresTarget('postgresql://u@db/app?schema=tenant-1&sslmode=disable&options=-c%20statement_timeout%3D5000');
    expect(target.schema).toBe('tenant-1');
    expect(target.poolConfig).toEqual({
      connectionString: 'postgresql://u@db/app?sslmode=disable',
      options: '-c statement_timeout=5000 -c search_path="tenant-1"',
    });
  });

  it('rejects other protocols and odd schema names', () => {
    expect(() => postgresTarget('mysql://u@db/app')).toThrow(/postgres:\/\//);
    expect(() => postgresTarget('not a url')).toThrow(/not a valid URL/);
    expect(() => postgresTarget('postgres://u@db/app?schema=a%22;drop')).toThrow(/schema name/);
  });

  it('never prints the password', () => {
    expect(redactUrl('postgres://user:s3cret@host/db')).toBe('postgres://user:***@host/db');
    expect(redactUrl('postgres://user:s3cret@host/db')).not.toContain('s3cret');
  });
});
