// `migrate --to` at the queue level: an SQLite queue filled through the bot's own operations
// (finished, running, pending and awaiting runs, suppressions, outbox, threads, out of office,
// deliveries seen) copied into a real PostgreSQL schema, which then answers the same history and
// status, claims the pending requests, delivers the outbox and gives new rows unused ids. And
// what it refuses: a bot alive on the file, a non-empty target without --force; a dry run or a
// failing copy writes nothing.
import { Database } from 'bun:sqlite'
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { getTableColumns, getTableName, is } from 'drizzle-orm'
import { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { join } from 'node:path'
import postgres from 'postgres'
import { COPIED_TABLES, CopyRefused, copySqliteToPostgres } from '../src/queue/copy-to-postgres.ts'
import { openQueue } from '../src/queue/db.ts'
import { openPgQueue } from '../src/queue/pg/open.ts'
import type { Queue } from '../src/queue/queue.ts'
import type { RequestInput } from '../src/queue/schedule.ts'
import * as liteSchema from '../src/queue/schema.ts'
import { dropSchemas, freshSchemaUrl } from './support/postgres.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

const opened: Queue[] = []
afterEach(() => {
  for (const q of opened.splice(0)) q.close()
})

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const MIN = 60_000

const req = (jobType: string, extra: Partial<RequestInput> = {}): RequestInput => {
  const [namespace, job] = jobType.split('_') as [string, string]
  return {
    namespace,
    job,
    jobType,
    door: 'slack',
    requestedBy: 'U1',
    channel: 'CGENERAL',
    threadTs: '100.1',
    messageTs: '100.1',
    requestText: `${namespace} ${job}`,
    params: {},
    command: `echo ${job}`,
    delaySeconds: 0,
    ...extra,
  }
}

/** No bot process is alive except the worker named (as a live serve would be). */
const aliveOnly =
  (...ids: string[]) =>
  (w: liteSchema.Worker) =>
    !w.stoppedAt && ids.includes(w.id)

/** An SQLite queue as a bot that crashed mid-run leaves it: every table holds rows. */
async function filledSqlite(): Promise<string> {
  const file = join(tempDir(), 'ebmbot.db')
  const q = openQueue(file)
  try {
    await q.registerWorker(T0, { id: 'old', host: 'bothost', pid: 111, pidStart: '5' })
    await q.registerWorker(T0, { id: 'crashed', host: 'bothost', pid: 222, pidStart: '6' })
    // Two finished runs, one with a params JSON value and a quiet flag.
    for (const [n, state] of [
      ['1', 'succeeded'],
      ['2', 'failed'],
    ] as const) {
      await q.scheduleRequest(
        T0,
        req('demo_quick', { params: { n }, requestText: `demo quick ${n}` }),
      )
      const run = (await q.claimNext(T0 + 1, 'old', 4))!
      await q.recordStart(run.id, 'old', {
        pid: 4000,
        pidStart: '7',
        stdoutPath: `/state/logs/${run.id}/stdout`,
        stderrPath: `/state/logs/${run.id}/stderr`,
      })
      await q.finishRun(T0 + 2, run.id, 'old', { state, exitCode: state === 'failed' ? 3 : 0 })
    }
    await q.setQuiet(2, true)
    await q.markStopped(T0 + 3, 'old')
    // Run 3 was running when the bot died; run 4 waits behind it; run 5 is due in ten minutes.
    await q.scheduleRequest(T0 + 4, req('demo_sleeper', { threadTs: '200.1', messageTs: '200.1' }))
    await q.claimNext(T0 + 5, 'crashed', 4)
    await q.scheduleRequest(T0 + 6, req('demo_sleeper', { threadTs: '300.1', isDm: true }))
    await q.scheduleRequest(
      T0 + 7,
      req('op_deploy', { delaySeconds: 600, params: { env: 'prod' } }),
    )
    // Run 6 waits for an approver.
    await q.requestApproval(T0 + 8, req('prod_hotfix'), T0 + 60 * MIN)
    // Three suppressions; the last is cancelled (deleted): its id must never come back.
    await q.addSuppression(T0, 'op_backup', T0 - MIN, T0 + 120 * MIN, 'U2')
    await q.addSuppression(T0, 'demo_quick', T0 + 60 * MIN, T0 + 90 * MIN, 'U2')
    await q.addSuppression(T0, 'demo_gone', T0, T0 + MIN, 'U2')
    await q.cancelSuppressions('demo_gone')
    // The outbox: a sent message with its result, a pending report, a pending reply.
    const [sent] = await q.enqueueOutgoing(
      T0,
      'slack',
      [{ kind: 'message', channel: 'CGENERAL', threadTs: '100.1', text: 'Starting run 1' }],
      1,
    )
    await q.markSent(T0 + 1, sent!.id, { ts: '100.2' })
    await q.enqueueOutgoing(
      T0 + 9,
      'slack',
      [
        {
          kind: 'message',
          channel: 'CGENERAL',
          threadTs: '100.1',
          text: 'Run 2 failed: ✗ "exit 3"',
        },
      ],
      2,
    )
    await q.enqueueOutgoing(T0 + 9, 'slack', [
      { kind: 'message', channel: 'CLOGS', threadTs: null, text: 'a line for the logs channel' },
    ])
    // Deliveries seen, a Metaflow thread, out of office.
    await q.markSeen(T0, 'slack-event', 'Ev1', 1)
    await q.markSeen(T0, 'github', 'delivery-9')
    await q.followInThread(
      T0,
      { door: 'slack', channel: 'CGENERAL', threadTs: '400.1' },
      { flow: 'TrainFlow', runId: '1234', watching: true, lastStatus: 'running', ebmbotRunId: 1 },
    )
    await q.setAway(T0, { startsOn: '2026-12-24', endsOn: '2026-12-31' }, 'U3')
    // A schedule seen, a slot fired, the next one skipped, and the schedule paused.
    await q.seeSchedule(T0 - 60 * MIN, 'demo/nightly')
    await q.takeSlot(T0, { schedule: 'demo/nightly', slotAt: T0, outcome: 'fired', by: 'old' })
    await q.takeSlot(T0, {
      schedule: 'demo/nightly',
      slotAt: T0 + 1440 * MIN,
      outcome: 'skipped',
      by: 'U2',
    })
    await q.pauseSchedule(T0 + 1, 'demo/nightly', 'U2')
  } finally {
    q.close()
  }
  return file
}

async function countsIn(url: string): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const out: Record<string, number> = {}
    const tables = await sql<{ t: string }[]>`
      SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema()`
    for (const { t } of tables) {
      const [row] = await sql.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${t}"`)
      out[t] = row!.n
    }
    return out
  } finally {
    await sql.end()
  }
}

describe('what is copied', () => {
  test('every table of the SQLite queue is copied, into a PostgreSQL table with the same columns', () => {
    const q = openQueue(join(tempDir(), 'fresh.db'))
    opened.push(q)
    const inFile = q.sqlite
      .query<{ name: string }, []>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations'`,
      )
      .all()
      .map((r) => r.name)
      .sort()
    const inSchema = Object.values(liteSchema)
      .filter((v) => is(v, SQLiteTable))
      .map((t) => getTableName(t as SQLiteTable))
      .sort()
    const copied = COPIED_TABLES.map((t) => getTableName(t.from)).sort()
    expect(copied).toEqual(inFile)
    expect(copied).toEqual(inSchema)
    for (const t of COPIED_TABLES) {
      expect(getTableName(t.to)).toBe(getTableName(t.from))
      const names = (cols: Record<string, { name: string }>) =>
        Object.entries(cols)
          .map(([k, c]) => `${k}:${c.name}`)
          .sort()
      expect(names(getTableColumns(t.to))).toEqual(names(getTableColumns(t.from)))
    }
  })
})

describe('copy', () => {
  test('PostgreSQL answers the same history and status, claims the pending requests and delivers the outbox', async () => {
    const file = await filledSqlite()
    const url = await freshSchemaUrl()
    const r = await copySqliteToPostgres({ sqliteFile: file, url, alive: aliveOnly(), batch: 2 })
    expect(r.dryRun).toBe(false)
    expect(Object.fromEntries(r.tables.map((t) => [t.table, t.rows]))).toEqual({
      runs: 6,
      suppressions: 2,
      outbox: 3,
      workers: 2,
      seen: 2,
      metaflow_threads: 1,
      support_away: 1,
      schedule_slots: 2,
      schedule_state: 1,
    })
    // Run ids go on after the last one; the cancelled suppression's id 3 is not handed out again.
    expect(r.tables.find((t) => t.table === 'runs')?.nextId).toBe(7)
    expect(r.tables.find((t) => t.table === 'suppressions')?.nextId).toBe(4)

    const lite = openQueue(file)
    const pg = await openPgQueue(url)
    opened.push(lite, pg)
    // Every row of every table reads back the same through the queue's own statements.
    expect(await pg.listHistory({}, 50, 0)).toEqual(await lite.listHistory({}, 50, 0))
    for (let id = 1; id <= 6; id++) expect(await pg.getRun(id)).toEqual(await lite.getRun(id))
    const now = T0 + 10
    expect(await pg.snapshot(now)).toEqual(await lite.snapshot(now))
    expect(await pg.nextWakeAt(now)).toBe(await lite.nextWakeAt(now))
    expect(await pg.openSuppressions(now)).toEqual(await lite.openSuppressions(now))
    expect(await pg.pendingOutgoing('slack')).toEqual(await lite.pendingOutgoing('slack'))
    expect(await pg.getOutgoing(1)).toEqual(await lite.getOutgoing(1))
    expect(await pg.getWorker('crashed')).toEqual(await lite.getWorker('crashed'))
    expect(await pg.getWorker('old')).toEqual(await lite.getWorker('old'))
    expect(await pg.seenRun('slack-event', 'Ev1')).toEqual({ runId: 1 })
    expect(await pg.isSeen('github', 'delivery-9')).toBe(true)
    expect(await pg.getThread('CGENERAL', '400.1')).toEqual(
      await lite.getThread('CGENERAL', '400.1'),
    )
    expect(await pg.threadsToWatch()).toHaveLength(1)
    expect(await pg.getAway()).toEqual({
      startsOn: '2026-12-24',
      endsOn: '2026-12-31',
      setBy: 'U3',
    })
    expect(await pg.seeSchedule(now, 'demo/nightly')).toEqual(
      await lite.seeSchedule(now, 'demo/nightly'),
    )
    expect(await pg.lastSlotBefore('demo/nightly', T0 + 2880 * MIN)).toEqual(
      await lite.lastSlotBefore('demo/nightly', T0 + 2880 * MIN),
    )
    // Once per slot holds on the copied rows: the fired slot is not fired again.
    expect(
      await pg.takeSlot(now, { schedule: 'demo/nightly', slotAt: T0, outcome: 'fired', by: 'new' }),
    ).toBe(false)
    expect(await pg.threadRun('CGENERAL', '200.1')).toMatchObject({ id: 3, state: 'running' })

    // The bot carries on: the crashed run is recorded lost, then the one waiting behind it starts.
    expect(await pg.runningRuns()).toMatchObject([{ id: 3, owner: 'crashed' }])
    expect(
      await pg.finishRun(now, 3, 'crashed', { state: 'lost', detail: 'restarted' }),
    ).toMatchObject({ id: 3, state: 'lost' })
    expect(await pg.claimNext(now + 1, 'new', 4)).toMatchObject({ id: 4, jobType: 'demo_sleeper' })
    // Run 5 is not due yet, run 6 waits for its approver: nothing more to claim.
    expect(await pg.claimNext(now + 2, 'new', 4)).toBeUndefined()
    expect(await pg.claimNext(T0 + 11 * MIN, 'new', 4)).toMatchObject({
      id: 5,
      params: { env: 'prod' },
    })
    // The outbox delivers what was pending, in order, then has nothing left.
    const pending = await pg.pendingOutgoing('slack')
    expect(pending.map((m) => (m.payload as { text: string }).text)).toEqual([
      'Run 2 failed: ✗ "exit 3"',
      'a line for the logs channel',
    ])
    for (const m of pending) await pg.markSent(now + 3, m.id, { ts: `5${m.id}.0` })
    expect(await pg.pendingOutgoing('slack')).toEqual([])
    // New rows take new ids: no collision with anything copied.
    const next = await pg.scheduleRequest(now + 4, req('demo_quick', { params: { n: '3' } }))
    expect(next.run.id).toBe(7)
    expect((await pg.addSuppression(now, 'demo_x', now, now + MIN, 'U1')).id).toBe(4)
    const [out] = await pg.enqueueOutgoing(now, 'slack', [
      { kind: 'message', channel: 'CGENERAL', text: 'new' },
    ])
    expect(out!.id).toBe(4)
    const thread = await pg.followInThread(
      now,
      { door: 'slack', channel: 'CGENERAL', threadTs: '500.1' },
      { flow: 'F', runId: null, watching: false, lastStatus: null, ebmbotRunId: null },
    )
    expect(thread.id).toBe(2)
    // One pending per type and one running per type still hold on the copied rows.
    expect((await pg.scheduleRequest(now + 5, req('demo_sleeper'))).behind).toMatchObject({ id: 4 })
  })

  test('an empty SQLite queue copies into an empty one, and new ids start at 1', async () => {
    const file = join(tempDir(), 'ebmbot.db')
    openQueue(file).close()
    const url = await freshSchemaUrl()
    const r = await copySqliteToPostgres({ sqliteFile: file, url, alive: aliveOnly() })
    expect(r.tables.every((t) => t.rows === 0)).toBe(true)
    const pg = await openPgQueue(url)
    opened.push(pg)
    expect((await pg.scheduleRequest(T0, req('demo_quick'))).run.id).toBe(1)
  })

  test('a dry run reports the counts and leaves PostgreSQL untouched, not even the tables', async () => {
    const file = await filledSqlite()
    const url = await freshSchemaUrl()
    const r = await copySqliteToPostgres({
      sqliteFile: file,
      url,
      dryRun: true,
      alive: aliveOnly(),
    })
    expect(r.dryRun).toBe(true)
    expect(r.tables.find((t) => t.table === 'runs')?.rows).toBe(6)
    expect(r.migrations).toBeGreaterThan(0)
    expect(await countsIn(url)).toEqual({})
  })

  test('a row PostgreSQL refuses fails the whole copy: nothing is written, and the error names the table', async () => {
    const file = await filledSqlite()
    // PostgreSQL text cannot hold a NUL character; SQLite's can.
    const raw = new Database(file)
    raw.run(`UPDATE runs SET request_text = 'demo' || char(0) || 'quick' WHERE id = 6`)
    raw.close()
    const url = await freshSchemaUrl()
    const copy = copySqliteToPostgres({ sqliteFile: file, url, alive: aliveOnly() })
    await expect(copy).rejects.toThrow(/copying runs \(rows 1–6\) failed/)
    expect(await countsIn(url)).toEqual({})
  })
})

describe('refusals', () => {
  test('a bot alive on the SQLite file is refused by name, and nothing is written', async () => {
    const file = await filledSqlite()
    const url = await freshSchemaUrl()
    const copy = copySqliteToPostgres({ sqliteFile: file, url, alive: aliveOnly('crashed') })
    await expect(copy).rejects.toThrow(CopyRefused)
    await expect(copy).rejects.toThrow(
      /the bot is running on .*ebmbot\.db \(crashed \(pid 222 on bothost\)\): stop it first/,
    )
    expect(await countsIn(url)).toEqual({})
  })

  test('a file that is not there is refused (no empty queue is made and copied)', async () => {
    const file = join(tempDir(), 'missing', 'ebmbot.db')
    const copy = copySqliteToPostgres({
      sqliteFile: file,
      url: await freshSchemaUrl(),
      alive: aliveOnly(),
    })
    await expect(copy).rejects.toThrow(/no SQLite queue at .*missing\/ebmbot\.db: pass --db FILE/)
  })

  test('a PostgreSQL queue with rows is refused, listing them; --force replaces them', async () => {
    const file = await filledSqlite()
    const url = await freshSchemaUrl()
    const pg = await openPgQueue(url)
    opened.push(pg)
    for (const n of ['a', 'b']) {
      await pg.scheduleRequest(T0, req(`other_${n}`))
      await pg.claimNext(T0, 'elsewhere', 4)
    }
    for (let i = 0; i < 8; i++) await pg.scheduleRequest(T0, req(`other_many${i}`))
    const refused = copySqliteToPostgres({ sqliteFile: file, url, alive: aliveOnly() })
    await expect(refused).rejects.toThrow(
      /the PostgreSQL queue is not empty \(runs: 10\); copying would mix two histories\. --force deletes/,
    )
    expect((await countsIn(url)).runs).toBe(10)

    const r = await copySqliteToPostgres({ sqliteFile: file, url, force: true, alive: aliveOnly() })
    expect(r.cleared).toEqual([{ table: 'runs', rows: 10 }])
    expect((await pg.listHistory({}, 50, 0)).total).toBe(6)
    expect((await pg.getRun(1))?.requestText).toBe('demo quick 1')
    expect((await pg.scheduleRequest(T0, req('demo_quick'))).run.id).toBe(7)
  })

  test('--force still refuses while an instance serves the PostgreSQL queue', async () => {
    const file = await filledSqlite()
    const url = await freshSchemaUrl()
    const pg = await openPgQueue(url)
    opened.push(pg)
    await pg.registerWorker(T0, { id: 'pg-live', host: 'otherhost', pid: 9, pidStart: null })
    const copy = copySqliteToPostgres({
      sqliteFile: file,
      url,
      force: true,
      alive: aliveOnly('pg-live'),
    })
    await expect(copy).rejects.toThrow(
      /an instance is serving the PostgreSQL queue \(pg-live \(pid 9 on otherhost\)\)/,
    )
    expect(await pg.getWorker('pg-live')).toBeDefined()
    expect((await countsIn(url)).runs).toBe(0)
  })
})
