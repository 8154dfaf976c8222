// PostgreSQL migrations: instances starting at once migrate once (the advisory lock), and the
// migrated schema has the SQLite one's tables, columns and indexes, partial unique ones included.
import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import postgres from 'postgres'
import { openQueue } from '../src/queue/db.ts'
import { pgMigrationCount, runPgMigrations } from '../src/queue/pg/migrate.ts'
import { dropSchemas, freshSchemaUrl } from './support/postgres.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

const client = (url: string) => postgres(url, { max: 1, onnotice: () => {} })

test('three connections migrating one database at once apply each migration once', async () => {
  const url = await freshSchemaUrl()
  const clients = [client(url), client(url), client(url)]
  try {
    const applied = await Promise.all(clients.map((c) => runPgMigrations(c)))
    expect(applied.sort()).toEqual([0, 0, pgMigrationCount()])
    const [row] = await clients[0]!<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM "__drizzle_migrations"`
    expect(row?.n).toBe(pgMigrationCount())
    // A later start finds nothing to do.
    expect(await runPgMigrations(clients[1]!)).toBe(0)
  } finally {
    await Promise.all(clients.map((c) => c.end()))
  }
})

test('the PostgreSQL schema has the same tables, columns and indexes as the SQLite one', async () => {
  const url = await freshSchemaUrl()
  const pg = client(url)
  const lite = openQueue(join(tempDir(), 'q.db'))
  try {
    await runPgMigrations(pg)
    const [current] = await pg<{ schema: string }[]>`SELECT current_schema() AS schema`
    const schema = current!.schema
    const pgColumns = await pg<{ t: string; c: string }[]>`
      SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = ${schema} AND table_name <> '__drizzle_migrations'`
    const tables = (
      lite.sqlite
        .query(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations'`,
        )
        .all() as { name: string }[]
    ).map((r) => r.name)
    const liteColumns = tables.flatMap((t) =>
      (lite.sqlite.query(`PRAGMA table_info(${t})`).all() as { name: string }[]).map(
        (c) => `${t}.${c.name}`,
      ),
    )
    expect(pgColumns.map((r) => `${r.t}.${r.c}`).sort()).toEqual(liteColumns.sort())
    const pgIndexes = await pg<{ name: string; def: string }[]>`
      SELECT indexname AS name, indexdef AS def FROM pg_indexes
      WHERE schemaname = ${schema} AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_pk'`
    const liteIndexes = (
      lite.sqlite
        .query(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
        .all() as { name: string }[]
    ).map((r) => r.name)
    expect(pgIndexes.map((r) => r.name).sort()).toEqual(liteIndexes.sort())
    const def = (name: string) => pgIndexes.find((r) => r.name === name)?.def ?? ''
    expect(def('runs_one_pending_per_type')).toMatch(
      /UNIQUE INDEX .*\(job_type\) WHERE \(state = 'pending'::text\)/,
    )
    expect(def('runs_one_running_per_type')).toMatch(
      /UNIQUE INDEX .*\(job_type\) WHERE \(state = 'running'::text\)/,
    )
    expect(def('runs_claim_idx')).toMatch(/\(due_at, id\) WHERE \(state = 'pending'::text\)/)
  } finally {
    lite.close()
    await pg.end()
  }
})
