// Applies the embedded PostgreSQL migrations under an advisory lock: instances starting at once
// migrate one after the other, and all but the first find nothing to do.
import type { MigrationMeta } from 'drizzle-orm/migrator'
import type { Sql, TransactionSql } from 'postgres'
import { embeddedPgMigrations } from '../migrations-macro.ts' with { type: 'macro' }
import { LOCK } from './db.ts'

const MIGRATIONS: MigrationMeta[] = embeddedPgMigrations()

/**
 * One transaction: take the lock, read the last applied migration, apply the newer ones and
 * record them (PostgreSQL's DDL is transactional, so a failed migration leaves nothing behind).
 * The bookkeeping table is drizzle-kit's, in the connection's schema. Returns how many were applied.
 */
export async function runPgMigrations(
  client: Sql,
  migrations: MigrationMeta[] = MIGRATIONS,
): Promise<number> {
  return client.begin((tx) => applyPgMigrations(tx, migrations))
}

/** The migrations inside the caller's transaction (`migrate --to` copies in the same one). */
export async function applyPgMigrations(
  tx: TransactionSql,
  migrations: MigrationMeta[] = MIGRATIONS,
): Promise<number> {
  await tx`SELECT pg_advisory_xact_lock(${LOCK.migrate}, 0)`
  await tx`CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)`
  const [last] = await tx<{ created_at: string }[]>`
    SELECT created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1`
  let applied = 0
  for (const m of migrations) {
    if (last && Number(last.created_at) >= m.folderMillis) continue
    for (const stmt of m.sql) if (stmt.trim()) await tx.unsafe(stmt)
    await tx`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (${m.hash}, ${m.folderMillis})`
    applied++
  }
  return applied
}

export const pgMigrationCount = () => MIGRATIONS.length
