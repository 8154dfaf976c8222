// Is the database usable? A fresh connection to the same file takes the write lock and lets it
// go: that fails when the file is gone or replaced (our open handle would write to a deleted
// inode and lose everything on restart), unreadable, or locked by someone for longer than a
// request may wait, which are exactly the cases where nothing could be queued.
import { Database } from 'bun:sqlite'

export interface ProbeResult {
  ok: boolean
  detail: { ms?: number; error?: string }
}

export function probeDatabase(file: string, timeoutMs = 500): ProbeResult {
  const started = performance.now()
  let db: Database | undefined
  try {
    db = new Database(file, { readwrite: true, create: false })
    db.run(`PRAGMA busy_timeout = ${Math.trunc(timeoutMs)}`)
    db.run('BEGIN IMMEDIATE')
    db.query('SELECT count(*) FROM runs').get()
    db.run('ROLLBACK')
    return { ok: true, detail: { ms: Math.round(performance.now() - started) } }
  } catch (e) {
    return { ok: false, detail: { error: e instanceof Error ? e.message : String(e) } }
  } finally {
    db?.close()
  }
}

/** Our own connection answers (not only the file): a closed or broken handle throws. */
export function ping(sqlite: Database): void {
  sqlite.query('select 1').get()
}
