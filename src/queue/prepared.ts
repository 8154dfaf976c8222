// Statements on the hot path (every command, every dispatcher pass) are prepared once per
// connection: drizzle builds a query in about 0.3 ms, runs a prepared one in about 0.01 ms
// (bench/queue.ts). Keyed by the SQLite connection, so one prepared at the top level also serves
// inside a transaction (drizzle's transactions share their connection's session).
import type { Db } from './db.ts'

const cache = new WeakMap<object, Map<string, unknown>>()

const connectionOf = (db: Db): object =>
  (db as unknown as { session: { client: object } }).session.client

export function prepared<T>(db: Db, key: string, build: (db: Db) => T): T {
  const conn = connectionOf(db)
  let statements = cache.get(conn)
  if (!statements) cache.set(conn, (statements = new Map()))
  let stmt = statements.get(key) as T | undefined
  if (stmt === undefined) statements.set(key, (stmt = build(db)))
  return stmt
}
