// pnpm db:migration NAME — writes migrations/<timestamp>_NAME/migration.sql for the changes in
// schema.prisma that the existing migrations do not make yet (computed against an in-memory
// PGlite; no database is needed). Prints "no changes" and writes nothing when there are none.
import { relative } from 'node:path';
import { createMigration } from '../src/migrations.js';

const name = process.argv.slice(2).join(' ').trim();
if (name === '' || name.startsWith('-')) {
  console.error('usage: pnpm db:migration NAME   (e.g. pnpm db:migration add_message_pins)');
  process.exit(2);
}

const created = await createMigration({ name });
if (created === null) {
  console.log('no changes: the migrations already match schema.prisma');
} else {
  console.log(`created ${relative(process.cwd(), created.path)}`);
  console.log('Review it, then apply it with `pnpm db:migrate`.');
}
