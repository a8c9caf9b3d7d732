import { fileURLToPath } from 'node:url';

/** Folder of this package (prisma/), wherever it is installed or run from. */
export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const schemaPath = fileURLToPath(new URL('../schema.prisma', import.meta.url));
/** Prisma's migration folders (`<timestamp>_<name>/migration.sql`) and `migration_lock.toml`. */
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));
