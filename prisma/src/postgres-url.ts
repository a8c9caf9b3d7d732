import type pg from 'pg';

export interface PostgresTarget {
  /** For `new pg.Pool(...)`: the URL without `schema`, and `search_path` set when a schema is given. */
  poolConfig: pg.PoolConfig;
  /** The `?schema=NAME` of the URL (Prisma's convention), if any. */
  schema: string | undefined;
  /** The URL with its password hidden, for messages and logs. */
  display: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;

/**
 * Reads a PostgreSQL URL the way Prisma does: `?schema=NAME` selects the schema. pg does not know
 * that parameter, so it is removed and becomes the connection's `search_path` (for raw SQL) as well
 * as the adapter's schema (for Prisma's generated queries).
 */
export function postgresTarget(databaseUrl: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('The database URL is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`The database URL must start with postgres:// or postgresql://, not ${url.protocol}//`);
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`Unsupported schema name in the database URL: ${JSON.stringify(schema)}`);
  }
  // pg lets URL parameters override the config object, so an `options` parameter of the URL is
  // merged here rather than silently replacing ours.
  const urlOptions = url.searchParams.get('options') ?? undefined;
  url.searchParams.delete('schema');
  url.searchParams.delete('options');
  const options = [urlOptions, schema === undefined ? undefined : `-c search_path="${schema}"`]
    .filter((part): part is string => part !== undefined && part !== '')
    .join(' ');

  return {
    poolConfig: {
      connectionString: url.toString(),
      ...(options === '' ? {} : { options }),
    },
    schema,
    display: redactUrl(databaseUrl),
  };
}

export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '<invalid URL>';
  }
}
