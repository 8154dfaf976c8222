// Statements on PostgreSQL's hot path (every webhook, every command, every dispatcher pass) are
// built by drizzle once and prepared on the server once per connection. Built per call, drizzle's
// query building took more of the bot's CPU than anything else on a webhook; a built statement
// costs only its parameters and its rows' mapping. A statement built once runs on whichever
// connection it is given: the pool, or a unit of work's transaction, so it never leaves the
// transaction it was called in.
import { is } from 'drizzle-orm'
import { PgTransaction } from 'drizzle-orm/pg-core'
import type { PgDb } from './db.ts'

/** What drizzle's postgres.js prepared query reads its connection from. */
interface OnConnection {
  client: unknown
}

const clientOf = (db: PgDb): unknown => (db as unknown as { session: OnConnection }).session.client

interface Executable<R> {
  execute(values?: Record<string, unknown>): Promise<R>
}

/**
 * `build` makes the query (with `sql.placeholder`s for what varies) and calls `.prepare(name)`;
 * it runs on the first call. Each call runs it on `db`'s own connection with `values`.
 */
export function pgPrepared<R, V extends Record<string, unknown> = Record<string, unknown>>(
  build: (db: PgDb) => Executable<R>,
): (db: PgDb, values?: V) => Promise<R> {
  let query: (Executable<R> & OnConnection) | undefined
  return (db, values) => {
    query ??= build(db) as Executable<R> & OnConnection
    // The same query, its connection swapped: drizzle bound the one it was built on.
    const onDb = Object.create(query) as Executable<R> & OnConnection
    onDb.client = clientOf(db)
    return onDb.execute(values)
  }
}

interface RawClient {
  unsafe(
    text: string,
    params: unknown[],
    opts: { prepare: boolean },
  ): { execute(): Promise<unknown[]> }
}

/**
 * A statement written in SQL (`$n` parameters), prepared once per connection, run on `db`'s.
 * Sent when called (postgres.js waits for a first `then` otherwise), so statements issued
 * together go out in the order they were called.
 */
export const pgRaw =
  <Row>(text: string) =>
  (db: PgDb, params: unknown[]): Promise<Row[]> =>
    (clientOf(db) as RawClient).unsafe(text, params, { prepare: true }).execute() as Promise<Row[]>

/** True inside a unit of work: a statement's own transaction would only add a savepoint. */
export const inTransaction = (db: PgDb): boolean => is(db, PgTransaction)
