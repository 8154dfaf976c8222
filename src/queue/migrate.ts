// Applies the embedded Drizzle migrations, in drizzle-kit's own bookkeeping table.
import type { Database } from 'bun:sqlite'
import type { MigrationMeta } from 'drizzle-orm/migrator'
import { embeddedMigrations } from './migrations-macro.ts' with { type: 'macro' }

const MIGRATIONS: MigrationMeta[] = embeddedMigrations()

/**
 * Drizzle's own SQLite migrator reads the last applied migration before it opens its
 * transaction, so two processes starting at once (chat beside serve, two instances) can both
 * apply the same migration and one fails. Taking the write lock first (BEGIN IMMEDIATE) makes
 * the second wait, then find nothing to do. Returns how many migrations were applied.
 */
export function runMigrations(sqlite: Database, migrations: MigrationMeta[] = MIGRATIONS): number {
  let applied = 0
  sqlite.run('BEGIN IMMEDIATE')
  try {
    sqlite.run(
      'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)',
    )
    const last = sqlite
      .query<{ created_at: number }, []>(
        'SELECT created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1',
      )
      .get()
    for (const m of migrations) {
      if (last && Number(last.created_at) >= m.folderMillis) continue
      for (const stmt of m.sql) if (stmt.trim()) sqlite.run(stmt)
      sqlite.run('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)', [
        m.hash,
        m.folderMillis,
      ])
      applied++
    }
    sqlite.run('COMMIT')
  } catch (e) {
    sqlite.run('ROLLBACK')
    throw e
  }
  return applied
}
