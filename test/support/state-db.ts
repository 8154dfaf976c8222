// Reading a bot's state database from a test, the way an operator would with sqlite3: a separate
// connection per look, closed at once, so the test never holds a lock the bot needs.
import { Database } from 'bun:sqlite'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export interface RunRow {
  id: number
  state: string
  job_type: string
  request_text: string
  pid: number | null
  owner: string | null
  detail: string | null
  stdout_path: string | null
  params: string
}

export interface OutboxRowLite {
  id: number
  run_id: number | null
  state: string
  door: string
  payload: string
}

export const dbFile = (stateDir: string) => join(stateDir, 'ebmbot.db')

/**
 * A read-write connection to a bot's database, for a test that changes it by hand. It waits for
 * the bot's own writes (busy timeout), as sqlite3 with `.timeout` would, instead of failing at once.
 */
export function openStateDb(stateDir: string): Database {
  const db = new Database(dbFile(stateDir))
  db.run('PRAGMA busy_timeout = 5000')
  return db
}

/**
 * Runs one query. Read-write by default: after a kill -9 the WAL may need recovering, which a
 * read-only connection cannot do. Pass `readonly` while a bot is alive.
 */
export function query<T>(
  stateDir: string,
  sql: string,
  params: (string | number)[] = [],
  opts: { readonly?: boolean } = {},
): T[] {
  const file = dbFile(stateDir)
  if (!existsSync(file)) return []
  const db = new Database(file, opts.readonly ? { readonly: true } : {})
  try {
    db.run('PRAGMA busy_timeout = 5000') // as in openStateDb
    return db.query(sql).all(...params) as T[]
  } catch (e) {
    if (/no such table/.test(String(e))) return [] // the bot has not migrated the new file yet
    throw e
  } finally {
    db.close()
  }
}

export const runs = (stateDir: string, opts: { readonly?: boolean } = {}) =>
  query<RunRow>(stateDir, 'SELECT * FROM runs ORDER BY id', [], opts)
export const outboxRows = (stateDir: string, opts: { readonly?: boolean } = {}) =>
  query<OutboxRowLite>(stateDir, 'SELECT * FROM outbox ORDER BY id', [], opts)

/** The run numbers a local chat session acknowledged, in the order it printed them. */
export function acknowledgedRuns(stdout: string): number[] {
  return [...stdout.matchAll(/\(🤞 accepted: run (\d+)\)/g)].map((m) => Number(m[1]))
}

/**
 * The durability promise, checked against the rows: the k-th acknowledgement of a session is the
 * k-th command it was sent (a session handles lines in order and prints acknowledgements in the
 * order they were stored), so its run must exist and carry exactly that command's text.
 * Returns what is broken, one line each; empty when the promise held.
 */
export function unbackedAcks(
  sent: string[],
  acked: number[],
  rows: Pick<RunRow, 'id' | 'request_text'>[],
): string[] {
  const byId = new Map(rows.map((r) => [r.id, r]))
  const problems: string[] = []
  if (acked.length > sent.length)
    problems.push(`${acked.length} acknowledgements for ${sent.length} commands`)
  acked.forEach((id, k) => {
    const row = byId.get(id)
    if (!row)
      problems.push(`"${sent[k]}" was acknowledged as run ${id}, which is not in the database`)
    else if (row.request_text !== sent[k])
      problems.push(`"${sent[k]}" was acknowledged as run ${id}, which holds "${row.request_text}"`)
  })
  return problems
}
