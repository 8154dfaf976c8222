// Opens the SQLite queue: WAL for concurrent readers, a busy timeout so writers wait instead of
// failing, and migrations applied before anything else touches it. The database and its folder
// are the bot's alone (0600, 0700) whatever the umask: they hold who asked for what.
import { Database } from 'bun:sqlite'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
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

/** Narrows a mode; a path someone else owns (a shared folder set up by hand) is left as it is. */
function restrict(path: string, mode: number): void {
  try {
    chmodSync(path, mode)
  } catch {
    // not ours to change
  }
}

export function openQueue(
  file: string,
  opts: { busyTimeoutMs?: number; migrate?: boolean } = {},
): SqliteQueue {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  restrict(dirname(file), 0o700)
  const sqlite = new Database(file, { create: true, strict: true })
  const waitMs = Math.trunc(opts.busyTimeoutMs ?? 5000)
  // Migrations wait for another process's lock the plain way: nothing else runs before them.
  sqlite.run(`PRAGMA busy_timeout = ${waitMs}`)
  sqlite.run('PRAGMA journal_mode = WAL')
  // SQLite gives the -wal and -shm files the database file's mode.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) restrict(f, 0o600)
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
