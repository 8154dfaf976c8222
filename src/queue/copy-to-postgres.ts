// `ebmbot migrate --to postgres://…`: copies an SQLite queue into PostgreSQL, every table, ids
// kept. One PostgreSQL transaction holds the migrations, the copy and the sequence moves, so a
// failure (or a dry run) leaves the server as it was. The SQLite side is read in one snapshot.
import { existsSync } from 'node:fs'
import { getTableColumns, getTableName, gt, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import postgres, { type TransactionSql } from 'postgres'
import type { Database } from 'bun:sqlite'
import type { PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core'
import { type Db, openQueue } from './db.ts'
import type { SqliteQueue } from './sqlite-queue.ts'
import { applyPgMigrations } from './pg/migrate.ts'
import { safeLocation } from './pg/open.ts'
import * as pg from './pg/schema.ts'
import * as lite from './schema.ts'
import type { Worker } from './schema.ts'

/** Every table of the SQLite queue, in copy order, with its PostgreSQL twin. */
export const COPIED_TABLES: readonly { from: SQLiteTable; to: PgTable; ids: boolean }[] = [
  { from: lite.runs, to: pg.runs, ids: true },
  { from: lite.suppressions, to: pg.suppressions, ids: true },
  { from: lite.outbox, to: pg.outbox, ids: true },
  { from: lite.workers, to: pg.workers, ids: false },
  { from: lite.seen, to: pg.seen, ids: false },
  { from: lite.metaflowThreads, to: pg.metaflowThreads, ids: true },
  { from: lite.supportAway, to: pg.supportAway, ids: false },
  { from: lite.scheduleSlots, to: pg.scheduleSlots, ids: false },
  { from: lite.scheduleState, to: pg.scheduleState, ids: false },
]

/** Why the copy did not happen, in words for the operator (exit 1, nothing written). */
export class CopyRefused extends Error {}

interface TableCopy {
  table: string
  rows: number
  /** the id the next new row gets in PostgreSQL (tables with generated ids) */
  nextId?: number
}

export interface CopyResult {
  from: string
  to: string
  tables: TableCopy[]
  /** PostgreSQL migrations applied first */
  migrations: number
  /** rows that were in PostgreSQL before and were deleted (with --force) */
  cleared: TableCopy[]
  dryRun: boolean
}

export interface CopyOptions {
  sqliteFile: string
  url: string
  /** replace whatever the PostgreSQL queue holds */
  force?: boolean
  /** do everything, then roll back */
  dryRun?: boolean
  /** whether a worker row is a bot process alive now (the caller knows processes and clocks) */
  alive: (w: Worker) => boolean
  /** rows per INSERT; 37 columns × 500 stays well below PostgreSQL's 65,535 parameters */
  batch?: number
}

class DryRun extends Error {}

const describeWorker = (w: Worker) => `${w.id} (pid ${w.pid} on ${w.host})`

export async function copySqliteToPostgres(opts: CopyOptions): Promise<CopyResult> {
  const { sqliteFile, url } = opts
  if (!existsSync(sqliteFile))
    throw new CopyRefused(
      `no SQLite queue at ${sqliteFile}: pass --db FILE, or set EBMBOT_STATE_DIR to the state folder serve uses`,
    )
  // Opened as serve opens it: an older file is brought to the current schema first.
  const source = openQueue(sqliteFile)
  const liveOnSqlite = async () => (await allWorkers(source.db)).filter(opts.alive)
  const client = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const running = await liveOnSqlite()
    if (running.length)
      throw new CopyRefused(
        `the bot is running on ${sqliteFile} (${running.map(describeWorker).join(', ')}): stop it first, so nothing changes while the queue is copied`,
      )
    const result: CopyResult = {
      from: sqliteFile,
      to: safeLocation(url),
      tables: [],
      migrations: 0,
      cleared: [],
      dryRun: !!opts.dryRun,
    }
    try {
      await client.begin(async (tx) => {
        result.migrations = await applyPgMigrations(tx)
        // Drizzle only builds the INSERTs (mapping JSON and booleans as the queue does); they run
        // on the transaction's connection.
        const builder = drizzle({ client })
        const names = COPIED_TABLES.map((t) => `"${getTableName(t.to)}"`).join(', ')
        // Nobody reads or writes the queue meanwhile; an instance starting now waits for the end.
        await tx.unsafe(`LOCK TABLE ${names} IN ACCESS EXCLUSIVE MODE`)
        const before = (await countRows(tx)).filter((t) => t.rows > 0)
        if (before.length) {
          const live = (await pgWorkers(tx)).filter(opts.alive)
          if (live.length)
            throw new CopyRefused(
              `an instance is serving the PostgreSQL queue (${live.map(describeWorker).join(', ')}): stop every instance before copying into it`,
            )
          if (!opts.force)
            throw new CopyRefused(
              `the PostgreSQL queue is not empty (${before.map((t) => `${t.table}: ${t.rows}`).join(', ')}); copying would mix two histories. --force deletes those rows and replaces them with the SQLite queue`,
            )
          await tx.unsafe(`TRUNCATE ${names} RESTART IDENTITY`)
          result.cleared = before
        }
        const copied = await copyTables(source, tx, builder, opts.batch ?? 500)
        await advanceSequences(tx, source.sqlite, copied)
        result.tables = copied
        const after = await countRows(tx)
        for (const t of copied) {
          const n = after.find((a) => a.table === t.table)?.rows ?? 0
          if (n !== t.rows)
            throw new Error(`${t.table}: copied ${t.rows} rows but PostgreSQL holds ${n}`)
        }
        // A bot that started on the SQLite file during the copy may have changed it since.
        const late = await liveOnSqlite()
        if (late.length)
          throw new CopyRefused(
            `the bot started on ${sqliteFile} during the copy (${late.map(describeWorker).join(', ')}): nothing was written; stop it and run migrate again`,
          )
        if (opts.dryRun) throw new DryRun()
      })
    } catch (e) {
      if (!(e instanceof DryRun)) throw e
    }
    return result
  } finally {
    source.close()
    await client.end({ timeout: 5 })
  }
}

const allWorkers = (db: Db) => db.select().from(lite.workers).all()

async function countRows(tx: TransactionSql): Promise<TableCopy[]> {
  const out: TableCopy[] = []
  for (const t of COPIED_TABLES) {
    const table = getTableName(t.to)
    const [row] = await tx.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table}"`)
    out.push({ table, rows: row?.n ?? 0 })
  }
  return out
}

/**
 * Each table in rowid order, a batch at a time (a million runs never sit in memory at once),
 * all inside one SQLite read transaction: one consistent snapshot across tables. Rows go through
 * both Drizzle schemas, which share their column keys, so booleans and JSON arrive as such.
 */
async function copyTables(
  source: SqliteQueue,
  tx: TransactionSql,
  builder: PgDatabase<PgQueryResultHKT>,
  batch: number,
) {
  const out: TableCopy[] = []
  source.sqlite.run('BEGIN')
  try {
    for (const t of COPIED_TABLES) {
      const fields = { ...getTableColumns(t.from), rowid__: sql<number>`rowid` }
      let last = 0
      let rows = 0
      for (;;) {
        const page = source.db
          .select(fields)
          .from(t.from)
          .where(gt(sql`rowid`, last))
          .orderBy(sql`rowid`)
          .limit(batch)
          .all() as Record<string, unknown>[]
        if (!page.length) break
        last = page[page.length - 1]!.rowid__ as number
        const values = page.map(({ rowid__, ...row }) => row)
        try {
          const q = builder
            .insert(t.to)
            .values(values as never)
            .toSQL()
          await tx.unsafe(q.sql, q.params as never[])
        } catch (e) {
          throw new Error(
            `copying ${getTableName(t.from)} (rows ${rows + 1}–${rows + page.length}) failed: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`,
          )
        }
        rows += page.length
      }
      out.push({ table: getTableName(t.from), rows })
    }
  } finally {
    source.sqlite.run('COMMIT')
  }
  return out
}

/**
 * Moves each identity past the highest id SQLite ever handed out (its AUTOINCREMENT counter
 * also remembers ids of rows since deleted), so a new row never takes an id that meant
 * something else: "run 42" keeps meaning one run.
 */
async function advanceSequences(tx: TransactionSql, sqlite: Database, copied: TableCopy[]) {
  const counters = new Map<string, number>()
  try {
    for (const r of sqlite
      .query<{ name: string; seq: number }, []>('SELECT name, seq FROM sqlite_sequence')
      .all())
      counters.set(r.name, Number(r.seq))
  } catch {
    // no AUTOINCREMENT row was ever written: nothing to remember
  }
  for (const t of COPIED_TABLES) {
    if (!t.ids) continue
    const table = getTableName(t.to)
    const [row] = await tx.unsafe<{ top: number }[]>(
      `SELECT coalesce(max(id), 0)::int AS top FROM "${table}"`,
    )
    const top = Math.max(row?.top ?? 0, counters.get(table) ?? 0)
    await tx.unsafe(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), $1, $2)`, [
      Math.max(top, 1),
      top > 0,
    ])
    const entry = copied.find((c) => c.table === table)
    if (entry) entry.nextId = top + 1
  }
}

const pgWorkers = (tx: TransactionSql) =>
  tx<Worker[]>`SELECT id, host, pid, pid_start AS "pidStart", started_at::float8 AS "startedAt",
    heartbeat_at::float8 AS "heartbeatAt", stopped_at::float8 AS "stoppedAt" FROM workers`
