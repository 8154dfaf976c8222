// One IMMEDIATE transaction around a statement's reads and its single write, without drizzle's
// transaction object (built anew on every call, it cost more than the statements it wrapped).
// Inside a unit of work the unit's transaction already holds the write lock, and one write
// statement is all or nothing by itself, so nothing more is opened there.
import type { Database } from 'bun:sqlite'
import type { Db } from './db.ts'

const connectionOf = (db: Db): Database =>
  (db as unknown as { session: { client: Database } }).session.client

export function immediate<T>(db: Db, fn: () => T): T {
  const conn = connectionOf(db)
  if (conn.inTransaction) return fn()
  conn.run('BEGIN IMMEDIATE')
  try {
    const result = fn()
    conn.run('COMMIT')
    return result
  } catch (e) {
    if (conn.inTransaction) conn.run('ROLLBACK')
    throw e
  }
}

/**
 * Several writes as one: a savepoint inside an open transaction (a unit of work, which may go on
 * after a failure here), else an IMMEDIATE transaction; no drizzle transaction object either way.
 */
export function allOrNothing<T>(db: Db, fn: () => T): T {
  const conn = connectionOf(db)
  if (!conn.inTransaction) return immediate(db, fn)
  conn.run('SAVEPOINT all_or_nothing')
  try {
    const result = fn()
    conn.run('RELEASE all_or_nothing')
    return result
  } catch (e) {
    conn.run('ROLLBACK TO all_or_nothing')
    conn.run('RELEASE all_or_nothing')
    throw e
  }
}
