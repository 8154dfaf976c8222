// Opens the SQLite queue: WAL for concurrent readers, a busy timeout so writers wait instead of
// failing, and migrations applied before anything else touches it.
import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { drizzle } from 'drizzle-orm/bun-sqlite'
import { runMigrations } from './migrate.ts'
import * as schema from './schema.ts'
import { SqliteQueue } from './sqlite-queue.ts'

function connect(sqlite: Database) {
  return drizzle({ client: sqlite, schema })
}
export type Db = ReturnType<typeof connect>

export function openQueue(
  file: string,
  opts: { busyTimeoutMs?: number; migrate?: boolean } = {},
): SqliteQueue {
  mkdirSync(dirname(file), { recursive: true })
  const sqlite = new Database(file, { create: true, strict: true })
  sqlite.run(`PRAGMA busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`)
  sqlite.run('PRAGMA journal_mode = WAL')
  // NORMAL is durable across process crashes in WAL mode (only power loss can drop the last commit).
  sqlite.run('PRAGMA synchronous = NORMAL')
  sqlite.run('PRAGMA foreign_keys = ON')
  if (opts.migrate !== false) runMigrations(sqlite)
  return new SqliteQueue(sqlite, connect(sqlite), file)
}

/** SQLite gave up waiting for another connection's lock (SQLITE_BUSY after the busy timeout). */
export function isBusy(e: unknown): boolean {
  for (let x: unknown = e; x; x = (x as { cause?: unknown }).cause) {
    const code = (x as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true
    if (x instanceof Error && /database is locked/.test(x.message)) return true
  }
  return false
}
