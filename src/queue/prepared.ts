// Statements on the hot path (every command, every dispatcher pass) are prepared once per
// connection: drizzle builds a query in about 0.3 ms, runs a prepared one in about 0.01 ms
// (bench/queue.ts). Keyed by the SQLite connection, so one prepared at the top level also serves
// inside a transaction (drizzle's transactions share their connection's session). A prepared
// query is made `lean` (below) as it is stored.
import { Column, is, Param, Placeholder, SQL, sql } from 'drizzle-orm'
import { SQLitePreparedQuery } from 'drizzle-orm/sqlite-core'
import type { Db } from './db.ts'

const cache = new WeakMap<object, Map<string, unknown>>()

const connectionOf = (db: Db): object =>
  (db as unknown as { session: { client: object } }).session.client

export function prepared<T>(db: Db, key: string, build: (db: Db) => T): T {
  const conn = connectionOf(db)
  let statements = cache.get(conn)
  if (!statements) cache.set(conn, (statements = new Map()))
  let stmt = statements.get(key) as T | undefined
  if (stmt === undefined) statements.set(key, (stmt = lean(build(db))))
  return stmt
}

/**
 * A LIMIT written into the statement's text rather than bound. SQLite reads a bound LIMIT's
 * value while planning, so binding it again expires the statement and every call prepared it
 * anew (a history page: 45 µs instead of 27 µs); a literal is prepared once.
 */
export const literalLimit = (n: number): number =>
  sql.raw(String(Math.trunc(n))) as unknown as number

type Decoder = { mapFromDriverValue(value: unknown): unknown }
type Row = unknown[]

/** What drizzle's bun-sqlite prepared query holds; `lean` reads it once, at preparation. */
interface BunPrepared {
  stmt: { values(...params: unknown[]): Row[] }
  query: { params: unknown[] }
  fields?: { path: string[]; field: unknown }[]
  customResultMapper?: unknown
  get(values?: Record<string, unknown>): unknown
  all(values?: Record<string, unknown>): unknown
}

/**
 * The same prepared query, its `get` and `all` without drizzle's work on every call: it filled
 * the placeholders by searching the parameters and mapped each row column by column through
 * generic checks (7 µs a run row, more than SQLite took to find it). Here the parameters' order
 * and the row's shape are read once: a row is built by one function made for its columns, and
 * only the columns that need decoding (JSON, booleans) are decoded. Queries with joins or nested
 * selections keep drizzle's own methods.
 */
export function lean<Q>(query: Q): Q {
  const q = query as unknown as BunPrepared
  if (!is(query, SQLitePreparedQuery) || !q.stmt || !q.query) return query
  const fields = q.fields
  // Its map of joined tables matters only to nested (joined) selections, kept as they are.
  if (!fields || q.customResultMapper) return query
  if (fields.some((f) => f.path.length !== 1 || !/^[A-Za-z_$][\w$]*$/.test(f.path[0]!)))
    return query
  const bind = binder(q.query.params)
  const decoders = fields.map((f) => decoderOf(f.field))
  // One object literal per row, its keys in the select's order: every row gets the same shape.
  const props = fields.map((f, i) =>
    decoders[i]
      ? `${f.path[0]}: r[${i}] === null ? null : d[${i}].mapFromDriverValue(r[${i}])`
      : `${f.path[0]}: r[${i}]`,
  )
  const toObject = new Function('d', `return (r) => ({ ${props.join(', ')} })`)(decoders) as (
    r: Row,
  ) => unknown
  const stmt = q.stmt
  Object.assign(q, {
    get: (values?: Record<string, unknown>) => {
      const row = stmt.values(...bind(values))[0]
      return row ? toObject(row) : undefined
    },
    all: (values?: Record<string, unknown>) => stmt.values(...bind(values)).map(toObject),
  })
  return query
}

/** A column or expression's decoder; undefined where it gives back what SQLite returned. */
function decoderOf(field: unknown): Decoder | undefined {
  if (is(field, Column))
    return field.mapFromDriverValue === Column.prototype.mapFromDriverValue ? undefined : field
  // As drizzle's own row mapping does: an expression's decoder, or an aliased one's.
  const expr = (is(field, SQL) ? field : (field as { sql?: unknown }).sql) as { decoder?: Decoder }
  return expr?.decoder
}

/** The values in the statement's parameter order, encoded as the columns they are bound to. */
interface Slot {
  /** the placeholder bound here, or none for a value fixed in the query */
  name?: string
  value?: unknown
  encoder?: { mapToDriverValue(value: unknown): unknown }
}

function binder(params: unknown[]): (values?: Record<string, unknown>) => unknown[] {
  const slots: Slot[] = params.map((p) =>
    is(p, Placeholder)
      ? { name: p.name }
      : is(p, Param) && is(p.value, Placeholder)
        ? { name: p.value.name, encoder: p.encoder }
        : { value: p },
  )
  if (slots.every((s) => s.name === undefined)) {
    const fixed = slots.map((s) => s.value)
    return () => fixed
  }
  return (values = {}) =>
    slots.map(({ name, value, encoder }) => {
      if (name === undefined) return value
      if (!(name in values)) throw new Error(`No value for placeholder "${name}" was provided`)
      return encoder ? encoder.mapToDriverValue(values[name]) : values[name]
    })
}
