// Bun macro: runs at bundle time and inlines drizzle/ (SQL, hashes, journal) into the code, so
// the compiled binary applies migrations without any file beside it.
import { join } from 'node:path'
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator'

export function embeddedMigrations(): MigrationMeta[] {
  return readMigrationFiles({ migrationsFolder: join(import.meta.dir, '../../drizzle') })
}

/** The PostgreSQL migrations (drizzle/postgres/), inlined the same way. */
export function embeddedPgMigrations(): MigrationMeta[] {
  return readMigrationFiles({ migrationsFolder: join(import.meta.dir, '../../drizzle/postgres') })
}
