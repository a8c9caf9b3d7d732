import { Prisma } from '@dialoop/db';

/**
 * `INSERT INTO table (…) SELECT … FROM json_to_recordset(rows)`: many rows in one statement with
 * one parameter, written as a part of a larger statement (a data-modifying CTE). `columns` maps
 * each column to its SQL type; a row's missing or null value stores NULL. Ends without WHERE or
 * RETURNING, which the caller may add.
 */
export function insertJsonRows(table: string, columns: Record<string, string>, rows: readonly object[]): Prisma.Sql {
  const names = Object.keys(columns).map((c) => `"${c}"`).join(', ');
  const types = Object.entries(columns).map(([c, t]) => `"${c}" ${t}`).join(', ');
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}" (${names})`)} SELECT ${Prisma.raw(names)} FROM json_to_recordset(${JSON.stringify(rows)}::json) AS x(${Prisma.raw(types)})`;
}
