// Scheduling rules on a real SQLite file: one pending per type, earliest start kept, queueing
// behind a running job, cancel, remove, suppressions and their boundaries, and the claim order.
import { Database, type SQLQueryBindings } from 'bun:sqlite'
import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { fillPlaceholders } from 'drizzle-orm'
import { join } from 'node:path'
import { cancelPending, removeJob } from '../src/queue/cancel.ts'
import { claimNext, claimSql } from '../src/queue/claim.ts'
import { openQueue } from '../src/queue/db.ts'
import type { SqliteQueue } from '../src/queue/sqlite-queue.ts'
import { finishRun } from '../src/queue/finish.ts'
import { getRun, snapshot } from '../src/queue/read.ts'
import { scheduleRequest, type RequestInput } from '../src/queue/schedule.ts'
import { addSuppression, cancelSuppressions } from '../src/queue/suppress.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
let q: SqliteQueue
const claimOn = (on: SqliteQueue) => (now: number, owner: string, max: number) =>
  claimNext(on.db, now, owner, max)
let claim: ReturnType<typeof claimOn>
beforeEach(() => {
  q = openQueue(join(tempDir(), 'q.db'))
  claim = claimOn(q)
})

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

describe('schedule', () => {
  test('a new request is pending, due after its delay', () => {
    const { run, replaced, behind } = scheduleRequest(
      q.db,
      T0,
      req('op_deploy', { delaySeconds: 60 }),
    )
    expect(run).toMatchObject({ state: 'pending', dueAt: T0 + 60_000, queuedAt: T0 })
    expect(replaced).toBe(false)
    expect(behind).toBeUndefined()
  })
  test('a newer request replaces the pending one: same number, newer params, earliest start', () => {
    const first = scheduleRequest(
      q.db,
      T0,
      req('op_deploy', { delaySeconds: 60, params: { env: 'a' } }),
    ).run
    const again = scheduleRequest(
      q.db,
      T0 + 10_000,
      req('op_deploy', { delaySeconds: 60, params: { env: 'b' }, requestedBy: 'U2', isDm: true }),
    )
    expect(again.replaced).toBe(true)
    expect(again.run).toMatchObject({
      id: first.id,
      dueAt: T0 + 60_000,
      params: { env: 'b' },
      requestedBy: 'U2',
      isDm: true,
    })
    const now = scheduleRequest(q.db, T0 + 20_000, req('op_deploy', { delaySeconds: 0 }))
    expect(now.run.dueAt).toBe(T0 + 20_000)
    expect(snapshot(q.db, T0).scheduled).toHaveLength(1)
  })
  test('while one runs, exactly one more is queued behind it', () => {
    scheduleRequest(q.db, T0, req('op_deploy'))
    const running = claim(T0, 'w1', 4)!
    const second = scheduleRequest(q.db, T0 + 1, req('op_deploy'))
    const third = scheduleRequest(q.db, T0 + 2, req('op_deploy'))
    expect(second.behind?.id).toBe(running.id)
    expect(third.run.id).toBe(second.run.id)
    expect(claim(T0 + 3, 'w1', 4)).toBeUndefined() // never two runs of one type
    finishRun(q.db, T0 + 4, running.id, 'w1', { state: 'succeeded', exitCode: 0 })
    expect(claim(T0 + 5, 'w1', 4)?.id).toBe(second.run.id)
  })
})

describe('claim', () => {
  test('earliest due first, then lowest number; not before due', () => {
    const late = scheduleRequest(q.db, T0, req('a_x', { delaySeconds: 30 })).run
    const b = scheduleRequest(q.db, T0, req('b_x')).run
    const c = scheduleRequest(q.db, T0, req('c_x')).run
    expect(claim(T0, 'w', 9)?.id).toBe(b.id)
    expect(claim(T0, 'w', 9)?.id).toBe(c.id)
    expect(claim(T0 + 29_999, 'w', 9)).toBeUndefined()
    expect(claim(T0 + 30_000, 'w', 9)?.id).toBe(late.id)
  })
  test('different types run in parallel up to the limit', () => {
    for (const t of ['a_x', 'b_x', 'c_x']) scheduleRequest(q.db, T0, req(t))
    expect(claim(T0, 'w', 2)).toBeDefined()
    expect(claim(T0, 'w', 2)).toBeDefined()
    expect(claim(T0, 'w', 2)).toBeUndefined()
  })
  test('two connections racing for one file never claim the same row or overlap a type', () => {
    const other = openQueue(q.file)
    const claimOther = claimOn(other)
    for (let i = 0; i < 20; i++) scheduleRequest(q.db, T0, req(`t${i}_x`))
    const got: number[] = []
    for (let i = 0; i < 20; i++) {
      const a = claim(T0, 'w1', 100)
      const b = claimOther(T0, 'w2', 100)
      if (a) got.push(a.id)
      if (b) got.push(b.id)
    }
    expect(new Set(got).size).toBe(20)
    expect(got).toHaveLength(20)
    // The unique index refuses a second running row of a type even to a writer that skips the claim.
    const row = getRun(q.db, got[0]!)!
    expect(() =>
      other.sqlite.run(
        `INSERT INTO runs (namespace, job, job_type, state, due_at, queued_at, door, requested_by, channel, request_text, params, command) VALUES ('t','x',?, 'running', 0, 0, 'local', 'u', 'c', '', '{}', 'true')`,
        [row.jobType],
      ),
    ).toThrow(/UNIQUE/)
  })
  test('the claim uses its index (no full scan or temp sort)', () => {
    // The plan of the very statement claimNext prepares, so a change to it is checked too.
    const { sql, params } = claimSql(q.db)
    const values = fillPlaceholders(params, { now: T0, owner: 'w', max: 4 }) as SQLQueryBindings[]
    const plan = q.sqlite.query(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[]
    const text = plan.map((p) => p.detail).join('\n')
    expect(text).toContain('runs_claim_idx')
    expect(text).not.toContain('TEMP B-TREE')
    expect(text).not.toMatch(/^SCAN \w+$/m) // a table scan; scanning a partial index is fine
  })
})

describe('cancel and remove', () => {
  test('cancel job drops the pending request (kept as cancelled), never the running one', () => {
    scheduleRequest(q.db, T0, req('op_deploy'))
    const running = claim(T0, 'w', 4)!
    const pending = scheduleRequest(q.db, T0, req('op_deploy')).run
    expect(cancelPending(q.db, T0, 'op_deploy', 'U9')?.id).toBe(pending.id)
    expect(getRun(q.db, pending.id)).toMatchObject({
      state: 'cancelled',
      cancelledBy: 'U9',
      finishedAt: T0,
    })
    expect(getRun(q.db, running.id)?.state).toBe('running')
    expect(cancelPending(q.db, T0, 'op_deploy', 'U9')).toBeUndefined()
  })
  test('remove job id: pending removed, running flagged for its owner, finished or unknown refused', () => {
    const a = scheduleRequest(q.db, T0, req('a_x')).run
    expect(removeJob(q.db, T0, a.id, 'U2')).toMatchObject({
      kind: 'removed',
      run: { state: 'cancelled', cancelledBy: 'U2' },
    })
    expect(removeJob(q.db, T0, a.id, 'U2').kind).toBe('unknown')
    expect(removeJob(q.db, T0, 999, 'U2').kind).toBe('unknown')
    scheduleRequest(q.db, T0, req('b_x'))
    const b = claim(T0, 'w', 4)!
    expect(removeJob(q.db, T0, b.id, 'U3')).toMatchObject({
      kind: 'stopping',
      run: { state: 'running', cancelRequestedBy: 'U3' },
    })
  })
  test('remove honours the guard (guests on restricted namespaces)', () => {
    const a = scheduleRequest(q.db, T0, req('op_x')).run
    expect(removeJob(q.db, T0, a.id, 'G1', () => false).kind).toBe('refused')
    expect(getRun(q.db, a.id)?.state).toBe('pending')
  })
})

describe('suppressions', () => {
  const at = (h: number, m = 0) => Date.UTC(2026, 10, 23, h, m)
  test('hold a due request during the window, release it at the end boundary', () => {
    addSuppression(q.db, T0, 'op_deploy', at(12), at(13), 'U1')
    scheduleRequest(q.db, at(12), req('op_deploy'))
    expect(claim(at(12), 'w', 4)).toBeUndefined() // active from its start
    expect(claim(at(13) - 1, 'w', 4)).toBeUndefined()
    expect(claim(at(13), 'w', 4)).toBeDefined() // over at its end
  })
  test('a future window holds nothing yet; other types are unaffected', () => {
    addSuppression(q.db, T0, 'op_deploy', at(14), at(15), 'U1')
    scheduleRequest(q.db, T0, req('op_deploy'))
    scheduleRequest(q.db, T0, req('op_other'))
    expect(claim(T0, 'w', 4)?.jobType).toBe('op_deploy')
    expect(claim(T0, 'w', 4)?.jobType).toBe('op_other')
  })
  test('cancelling suppressions of a type releases a held request at once', () => {
    addSuppression(q.db, T0, 'op_deploy', at(11), at(13), 'U1')
    addSuppression(q.db, T0, 'op_deploy', at(12, 30), at(13, 30), 'U1')
    scheduleRequest(q.db, T0, req('op_deploy'))
    expect(claim(T0, 'w', 4)).toBeUndefined()
    expect(cancelSuppressions(q.db, 'op_deploy')).toBe(2)
    expect(claim(T0, 'w', 4)).toBeDefined()
  })
  test('an ended window is not listed; active and future ones are', () => {
    addSuppression(q.db, T0, 'a_x', at(9), at(10), 'U1')
    addSuppression(q.db, T0, 'a_x', at(11), at(13), 'U1')
    addSuppression(q.db, T0, 'a_x', at(15), at(16), 'U1')
    expect(snapshot(q.db, T0).suppressions.map((s) => s.startAt)).toEqual([at(11), at(15)])
  })
})

describe('durability', () => {
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
  test('requests and suppressions survive reopening the file; numbers are never reused', () => {
    const a = scheduleRequest(q.db, T0, req('a_x')).run
    removeJob(q.db, T0, a.id, 'U1')
    addSuppression(q.db, T0, 'b_x', T0, T0 + 1000, 'U1')
    const b = scheduleRequest(q.db, T0, req('b_x')).run
    q.sqlite.close()
    const again = openQueue(q.file)
    expect(getRun(again.db, b.id)?.state).toBe('pending')
    expect(snapshot(again.db, T0).suppressions).toHaveLength(1)
    const c = scheduleRequest(again.db, T0, req('c_x')).run
    expect(c.id).toBeGreaterThan(b.id)
    q = again
  })
})
