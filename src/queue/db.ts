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

/** How long one SQLite call may block the process waiting for another's lock. */
const BLOCKING_WAIT_MS = 20

export function openQueue(
  file: string,
  opts: { busyTimeoutMs?: number; migrate?: boolean } = {},
): SqliteQueue {
  mkdirSync(dirname(file), { recursive: true })
  const sqlite = new Database(file, { create: true, strict: true })
  const waitMs = Math.trunc(opts.busyTimeoutMs ?? 5000)
  // Migrations wait for another process's lock the plain way: nothing else runs before them.
  sqlite.run(`PRAGMA busy_timeout = ${waitMs}`)
  sqlite.run('PRAGMA journal_mode = WAL')
  // NORMAL is durable across process crashes in WAL mode (only power loss can drop the last commit).
  sqlite.run('PRAGMA synchronous = NORMAL')
  sqlite.run('PRAGMA foreign_keys = ON')
  if (opts.migrate !== false) runMigrations(sqlite)
  // From here on SQLite's own wait for a lock is short, because it holds the whole process (the
  // Slack socket misses its pongs, /healthz stops answering); the queue waits out the rest of
  // `waitMs` asynchronously (sqlite-queue.ts).
  sqlite.run(`PRAGMA busy_timeout = ${Math.min(waitMs, BLOCKING_WAIT_MS)}`)
  return new SqliteQueue(sqlite, connect(sqlite), file, waitMs)
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
