// PostgreSQL client benchmark: one request's life in the queue (insert it, claim it with the
// queue's own claim statement, finish it) through postgres.js and Bun's built-in SQL, each raw and
// under Drizzle, in one run on fresh databases of one server. The raw clients are the baseline:
// what is left above them is Drizzle's cost. Server: EBMBOT_BENCH_DATABASE_URL, else the local one.
import { SQL } from 'bun'
import { and, eq } from 'drizzle-orm'
import { drizzle as bunSqlDrizzle } from 'drizzle-orm/bun-sql'
import { drizzle as postgresJsDrizzle } from 'drizzle-orm/postgres-js'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import postgres from 'postgres'
import { CLAIM_SQL, withParams } from '../src/queue/pg/claim-sql.ts'
import { runs } from '../src/queue/pg/schema.ts'
import { QUICK, fmt, fmtInt, nowMs, summarize, table } from './lib/stats.ts'

const SERVER = process.env.EBMBOT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const N = QUICK ? 300 : 3000
const T0 = Date.UTC(2026, 0, 1)
const INSERT = `INSERT INTO runs (namespace, job, job_type, state, due_at, queued_at, door, requested_by,
  channel, thread_ts, request_text, params, command)
  VALUES ('b', $1, $1, 'pending', $2, $2, 'local', 'U1', 'C1', '1.0', 'b j', '{"arg":"value"}', 'echo') RETURNING *`
const FINISH = `UPDATE runs SET state = 'succeeded', finished_at = $1, exit_code = 0
  WHERE id = $2 AND state = 'running' AND owner = $3 RETURNING *`

/** One request's life: returns when it is finished. */
type Cycle = (i: number) => Promise<void>
interface Client {
  name: string
  open(url: string): { cycle: Cycle; close(): Promise<void> }
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

const clients: Client[] = [
  {
    name: 'postgres.js, raw',
    open(url) {
      const c = postgres(url, { max: 1, onnotice: () => {} })
      return {
        cycle: async (i) => {
          await c.unsafe(INSERT, [`t${i}`, T0 + i], { prepare: true })
          const [run] = await c.unsafe(CLAIM_SQL, [T0 + i, 'w', 4], { prepare: true })
          await c.unsafe(FINISH, [T0 + i, run!.id, 'w'], { prepare: true })
        },
        close: () => c.end(),
      }
    },
  },
  {
    name: 'postgres.js, Drizzle',
    open(url) {
      const c = postgres(url, { max: 1, onnotice: () => {} })
      const db = postgresJsDrizzle({ client: c })
      return { cycle: (i) => drizzleCycle(db, i), close: () => c.end() }
    },
  },
  {
    name: 'Bun SQL, raw',
    open(url) {
      const c = new SQL({ url, max: 1 })
      return {
        cycle: async (i) => {
          await c.unsafe(INSERT, [`t${i}`, T0 + i])
          const [run] = await c.unsafe(CLAIM_SQL, [T0 + i, 'w', 4])
          await c.unsafe(FINISH, [T0 + i, run.id, 'w'])
        },
        close: () => c.close(),
      }
    },
  },
  {
    name: 'Bun SQL, Drizzle',
    open(url) {
      const c = new SQL({ url, max: 1 })
      const db = bunSqlDrizzle({ client: c })
      return { cycle: (i) => drizzleCycle(db, i), close: () => c.close() }
    },
  },
]

type AnyPg = ReturnType<typeof postgresJsDrizzle> | ReturnType<typeof bunSqlDrizzle>

/** The same three statements through Drizzle's query builder (the claim as its SQL text). */
async function drizzleCycle(db: AnyPg, i: number): Promise<void> {
  const base = { namespace: 'b', door: 'local', requestedBy: 'U1', channel: 'C1', threadTs: '1.0' }
  await (db as ReturnType<typeof postgresJsDrizzle>)
    .insert(runs)
    .values({
      ...base,
      job: `t${i}`,
      jobType: `t${i}`,
      state: 'pending',
      dueAt: T0 + i,
      queuedAt: T0 + i,
      requestText: 'b j',
      params: { arg: 'value' },
      command: 'echo',
    })
    .returning()
  const claimed = await (db as ReturnType<typeof postgresJsDrizzle>).execute(
    withParams(CLAIM_SQL, [T0 + i, 'w', 4]),
  )
  const id = Number((claimed as unknown as { id: number }[])[0]!.id)
  await (db as ReturnType<typeof postgresJsDrizzle>)
    .update(runs)
    .set({ state: 'succeeded', finishedAt: T0 + i, exitCode: 0 })
    .where(and(eq(runs.id, id), eq(runs.state, 'running'), eq(runs.owner, 'w')))
    .returning()
}

async function freshDatabase(admin: postgres.Sql, name: string): Promise<string> {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`)
  await admin.unsafe(`CREATE DATABASE ${name}`)
  const url = withDatabase(SERVER, name)
  const c = postgres(url, { max: 1, onnotice: () => {} })
  for (const m of readMigrationFiles({ migrationsFolder: 'drizzle/postgres' }))
    for (const s of m.sql) if (s.trim()) await c.unsafe(s)
  await c.end()
  return url
}

export async function postgresClientsBench(): Promise<void> {
  const admin = postgres(SERVER, { max: 1, onnotice: () => {} })
  const rows: (string | number)[][] = []
  let baseline = 0
  try {
    // Two rounds, alternating clients, so a busy moment of the machine does not favour one.
    const results = new Map<string, number[]>()
    for (let round = 0; round < 2; round++)
      for (const [k, client] of clients.entries()) {
        const url = await freshDatabase(admin, `ebmbot_bench_${k}`)
        const c = client.open(url)
        for (let i = 0; i < 50; i++) await c.cycle(-1 - i) // warm up (prepare, JIT)
        const lat: number[] = []
        const start = nowMs()
        for (let i = 0; i < N; i++) {
          const t = nowMs()
          await c.cycle(i)
          lat.push(nowMs() - t)
        }
        const wall = nowMs() - start
        await c.close()
        results.set(client.name, [...(results.get(client.name) ?? []), N / (wall / 1000)])
        if (round === 1) {
          const s = summarize(lat)
          const perSec = Math.max(...results.get(client.name)!)
          if (k === 0) baseline = perSec
          rows.push([
            client.name,
            fmtInt(perSec),
            fmt(s.p50, 3),
            fmt(s.p99, 3),
            fmt(perSec / baseline, 2),
          ])
        }
      }
    for (let k = 0; k < clients.length; k++)
      await admin.unsafe(`DROP DATABASE IF EXISTS ebmbot_bench_${k}`)
  } finally {
    await admin.end()
  }
  console.log(
    `\n## PostgreSQL clients: insert, claim, finish (${fmtInt(N)} requests, one connection)\n`,
  )
  console.log(
    table(['client', 'requests/s (best of 2)', 'p50 ms', 'p99 ms', 'vs postgres.js raw'], rows),
  )
}
