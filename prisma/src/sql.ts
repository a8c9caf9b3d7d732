// SQL fragments with bound values: Prisma's own `Prisma.sql` / `Prisma.join`, importable without
// loading the client. Their `text` ($1, $2 …) and `values` run on a pg pool as they are, and the
// same objects go to `$queryRaw`.
export { Sql, empty, join, raw, sql } from '@prisma/client-runtime-utils';
