// Scheduling rules on both backends (a real SQLite file, a real PostgreSQL schema): one pending
// per type, earliest start kept, queueing behind a running job, cancel, remove, suppressions and
// their boundaries, and the claim order; then what only one backend has (SQLite's file, its plan).
import { Database, type SQLQueryBindings } from 'bun:sqlite'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { fillPlaceholders } from 'drizzle-orm'
import { join } from 'node:path'
import { claimSql } from '../src/queue/claim.ts'
import { openQueue } from '../src/queue/db.ts'
import type { Queue } from '../src/queue/queue.ts'
import type { RequestInput } from '../src/queue/schedule.ts'
import type { SqliteQueue } from '../src/queue/sqlite-queue.ts'
import { backends } from './support/backends.ts'
import { dropSchemas } from './support/postgres.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)

const req = (jobType: string, extra: Partial<RequestInput> = {}): RequestInput => {
  const [namespace, job] = jobType.split('_') as [string, string]
  return {
    namespace,
    job,
    jobType,
    door: 'local',
    requestedBy: 'U1',
    channel: 'C1',
    threadTs: '1.0',
    requestText: jobType,
    params: {},
    command: 'true',
    delaySeconds: 0,
    ...extra,
  }
}

for (const backend of backends)
  describe(backend.name, () => {
    let q: Queue
    const opened: Queue[] = []
    beforeEach(async () => {
      q = await backend.open()
      opened.push(q)
    })
    afterEach(() => {
      for (const x of opened.splice(0)) x.close()
    })
    const claim = (now: number, owner: string, max: number) => q.claimNext(now, owner, max)

    describe('schedule', () => {
      test('a new request is pending, due after its delay', async () => {
        const { run, replaced, behind } = await q.scheduleRequest(
          T0,
          req('op_deploy', { delaySeconds: 60 }),
        )
        expect(run).toMatchObject({ state: 'pending', dueAt: T0 + 60_000, queuedAt: T0 })
        expect(replaced).toBe(false)
        expect(behind).toBeUndefined()
      })
      test('a newer request replaces the pending one: same number, newer params, earliest start', async () => {
        const first = (
          await q.scheduleRequest(T0, req('op_deploy', { delaySeconds: 60, params: { env: 'a' } }))
        ).run
        const again = await q.scheduleRequest(
          T0 + 10_000,
          req('op_deploy', {
            delaySeconds: 60,
            params: { env: 'b' },
            requestedBy: 'U2',
            isDm: true,
          }),
        )
        expect(again.replaced).toBe(true)
        expect(again.previous).toMatchObject({
          id: first.id,
          requestedBy: 'U1',
          params: { env: 'a' },
        })
        expect(again.run).toMatchObject({
          id: first.id,
          dueAt: T0 + 60_000,
          params: { env: 'b' },
          requestedBy: 'U2',
          isDm: true,
        })
        const now = await q.scheduleRequest(T0 + 20_000, req('op_deploy', { delaySeconds: 0 }))
        expect(now.run.dueAt).toBe(T0 + 20_000)
        expect((await q.snapshot(T0)).scheduled).toHaveLength(1)
      })
      test('while one runs, exactly one more is queued behind it', async () => {
        await q.scheduleRequest(T0, req('op_deploy'))
        const running = (await claim(T0, 'w1', 4))!
        const second = await q.scheduleRequest(T0 + 1, req('op_deploy'))
        const third = await q.scheduleRequest(T0 + 2, req('op_deploy'))
        expect(second.behind?.id).toBe(running.id)
        expect(third.run.id).toBe(second.run.id)
        expect(await claim(T0 + 3, 'w1', 4)).toBeUndefined() // never two runs of one type
        await q.finishRun(T0 + 4, running.id, 'w1', { state: 'succeeded', exitCode: 0 })
        expect((await claim(T0 + 5, 'w1', 4))?.id).toBe(second.run.id)
      })
      test('requests for one type arriving at once from two connections leave one pending', async () => {
        const other = await backend.another(q)
        opened.push(other)
        const all = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? other : q).scheduleRequest(
              T0 + i,
              req('op_deploy', { params: { n: `${i}` } }),
            ),
          ),
        )
        expect(new Set(all.map((r) => r.run.id)).size).toBe(1)
        expect((await q.snapshot(T0)).scheduled).toHaveLength(1)
      })
    })

    describe('claim', () => {
      test('earliest due first, then lowest number; not before due', async () => {
        const late = (await q.scheduleRequest(T0, req('a_x', { delaySeconds: 30 }))).run
        const b = (await q.scheduleRequest(T0, req('b_x'))).run
        const c = (await q.scheduleRequest(T0, req('c_x'))).run
        expect((await claim(T0, 'w', 9))?.id).toBe(b.id)
        expect((await claim(T0, 'w', 9))?.id).toBe(c.id)
        expect(await claim(T0 + 29_999, 'w', 9)).toBeUndefined()
        expect((await claim(T0 + 30_000, 'w', 9))?.id).toBe(late.id)
      })
      test('different types run in parallel up to the limit', async () => {
        for (const t of ['a_x', 'b_x', 'c_x']) await q.scheduleRequest(T0, req(t))
        expect(await claim(T0, 'w', 2)).toBeDefined()
        expect(await claim(T0, 'w', 2)).toBeDefined()
        expect(await claim(T0, 'w', 2)).toBeUndefined()
      })
      test('two connections claiming at once never take one row twice, nor pass the limit together', async () => {
        const other = await backend.another(q)
        opened.push(other)
        for (let i = 0; i < 20; i++) await q.scheduleRequest(T0, req(`t${i}_x`))
        // Concurrent claims, limit 7: the count of running rows is shared by both connections.
        const got = (
          await Promise.all(
            Array.from({ length: 30 }, (_, i) => (i % 2 ? other : q).claimNext(T0, `w${i % 2}`, 7)),
          )
        ).filter((r) => r !== undefined)
        expect(got).toHaveLength(7)
        expect(new Set(got.map((r) => r.id)).size).toBe(7)
        expect(await q.runningRuns()).toHaveLength(7)
        // The unique index refuses a second running row of a type even to a writer that skips the claim.
        await expect(
          backend.exec(
            other,
            `INSERT INTO runs (namespace, job, job_type, state, due_at, queued_at, door, requested_by, channel, request_text, params, command) VALUES ('t','x',?, 'running', 0, 0, 'local', 'u', 'c', '', '{}', 'true')`,
            [got[0]!.jobType],
          ),
        ).rejects.toThrow(/UNIQUE|unique/)
      })
    })

    describe('cancel and remove', () => {
      test('cancel job drops the pending request (kept as cancelled), never the running one', async () => {
        await q.scheduleRequest(T0, req('op_deploy'))
        const running = (await claim(T0, 'w', 4))!
        const pending = (await q.scheduleRequest(T0, req('op_deploy'))).run
        expect((await q.cancelPending(T0, 'op_deploy', 'U9'))?.id).toBe(pending.id)
        expect(await q.getRun(pending.id)).toMatchObject({
          state: 'cancelled',
          cancelledBy: 'U9',
          finishedAt: T0,
        })
        expect((await q.getRun(running.id))?.state).toBe('running')
        expect(await q.cancelPending(T0, 'op_deploy', 'U9')).toBeUndefined()
      })
      test('remove job id: pending removed, running flagged for its owner, finished or unknown refused', async () => {
        const a = (await q.scheduleRequest(T0, req('a_x'))).run
        expect(await q.removeJob(T0, a.id, 'U2')).toMatchObject({
          kind: 'removed',
          run: { state: 'cancelled', cancelledBy: 'U2' },
        })
        expect((await q.removeJob(T0, a.id, 'U2')).kind).toBe('unknown')
        expect((await q.removeJob(T0, 999, 'U2')).kind).toBe('unknown')
        await q.scheduleRequest(T0, req('b_x'))
        const b = (await claim(T0, 'w', 4))!
        expect(await q.removeJob(T0, b.id, 'U3')).toMatchObject({
          kind: 'stopping',
          run: { state: 'running', cancelRequestedBy: 'U3' },
        })
      })
      test('remove honours the guard (guests on restricted namespaces)', async () => {
        const a = (await q.scheduleRequest(T0, req('op_x'))).run
        expect((await q.removeJob(T0, a.id, 'G1', () => false)).kind).toBe('refused')
        expect((await q.getRun(a.id))?.state).toBe('pending')
      })
    })

    describe('suppressions', () => {
      const at = (h: number, m = 0) => Date.UTC(2026, 10, 23, h, m)
      test('hold a due request during the window, release it at the end boundary', async () => {
        await q.addSuppression(T0, 'op_deploy', at(12), at(13), 'U1')
        await q.scheduleRequest(at(12), req('op_deploy'))
        expect(await claim(at(12), 'w', 4)).toBeUndefined() // active from its start
        expect(await claim(at(13) - 1, 'w', 4)).toBeUndefined()
        expect(await claim(at(13), 'w', 4)).toBeDefined() // over at its end
      })
      test('a future window holds nothing yet; other types are unaffected', async () => {
        await q.addSuppression(T0, 'op_deploy', at(14), at(15), 'U1')
        await q.scheduleRequest(T0, req('op_deploy'))
        await q.scheduleRequest(T0, req('op_other'))
        expect((await claim(T0, 'w', 4))?.jobType).toBe('op_deploy')
        expect((await claim(T0, 'w', 4))?.jobType).toBe('op_other')
      })
      test('cancelling suppressions of a type releases a held request at once', async () => {
        await q.addSuppression(T0, 'op_deploy', at(11), at(13), 'U1')
        await q.addSuppression(T0, 'op_deploy', at(12, 30), at(13, 30), 'U1')
        await q.scheduleRequest(T0, req('op_deploy'))
        expect(await claim(T0, 'w', 4)).toBeUndefined()
        expect(await q.cancelSuppressions('op_deploy')).toBe(2)
        expect(await claim(T0, 'w', 4)).toBeDefined()
      })
      test('an ended window is not listed; active and future ones are', async () => {
        await q.addSuppression(T0, 'a_x', at(9), at(10), 'U1')
        await q.addSuppression(T0, 'a_x', at(11), at(13), 'U1')
        await q.addSuppression(T0, 'a_x', at(15), at(16), 'U1')
        expect((await q.snapshot(T0)).suppressions.map((s) => s.startAt)).toEqual([at(11), at(15)])
      })
    })

    describe('durability', () => {
      test('requests and suppressions survive reopening; numbers are never reused', async () => {
        const a = (await q.scheduleRequest(T0, req('a_x'))).run
        await q.removeJob(T0, a.id, 'U1')
        await q.addSuppression(T0, 'b_x', T0, T0 + 1000, 'U1')
        const b = (await q.scheduleRequest(T0, req('b_x'))).run
        const again = await backend.another(q)
        q.close()
        opened.push(again)
        expect((await again.getRun(b.id))?.state).toBe('pending')
        expect((await again.snapshot(T0)).suppressions).toHaveLength(1)
        const c = (await again.scheduleRequest(T0, req('c_x'))).run
        expect(c.id).toBeGreaterThan(b.id)
      })
    })
  })

describe('sqlite only', () => {
  let q: SqliteQueue
  beforeEach(() => {
    q = openQueue(join(tempDir(), 'q.db'))
  })
  afterEach(() => q.close())
  test.each([
    ['skipping nothing', false],
    ['skipping job types', true],
  ])('the claim %s uses its index (no full scan or temp sort)', (_, skipping) => {
    // The plan of the very statement claimNext prepares, so a change to it is checked too.
    const { sql, params } = claimSql(q.db, skipping)
    const values = fillPlaceholders(params, {
      now: T0,
      owner: 'w',
      max: 4,
      skip: '["op_deploy"]',
    }) as SQLQueryBindings[]
    const plan = q.sqlite.query(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[]
    const text = plan.map((p) => p.detail).join('\n')
    expect(text).toContain('runs_claim_idx')
    expect(text).not.toContain('TEMP B-TREE')
    expect(text).not.toMatch(/^SCAN \w+$/m) // a table scan; scanning a partial index is fine
  })
  test('the file is in WAL mode (readers do not block the writer) and writers wait for a lock', () => {
    expect(q.sqlite.query('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    expect(
      (q.sqlite.query('PRAGMA busy_timeout').get() as { timeout: number }).timeout,
    ).toBeGreaterThan(0)
    // WAL is a property of the file: any later connection, the CLI's included, finds it.
    const plain = new Database(q.file, { readonly: true })
    expect(plain.query('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    plain.close()
  })
})
