// Units of work on the SQLite queue: all or nothing, nested units as savepoints, first come first
// served, and a statement made outside a unit while it is open is neither part of it nor lost.
import { afterAll, afterEach, beforeEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openQueue } from '../src/queue/db.ts'
import type { RequestInput } from '../src/queue/schedule.ts'
import type { SqliteQueue } from '../src/queue/sqlite-queue.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { deferred } from './support/wait.ts'

afterAll(cleanupTemp)
let q: SqliteQueue
beforeEach(() => {
  q = openQueue(join(tempDir(), 'q.db'))
})
afterEach(() => q.close())

const T0 = Date.UTC(2026, 11, 2)
const req = (jobType: string): RequestInput => ({
  namespace: jobType.split('_')[0]!,
  job: jobType.split('_')[1]!,
  jobType,
  door: 'local',
  requestedBy: 'u',
  channel: 'c',
  requestText: jobType,
  params: {},
  command: 'true',
  delaySeconds: 0,
})
const types = () =>
  (q.sqlite.query('select job_type as t from runs order by id').all() as { t: string }[]).map(
    (r) => r.t,
  )

test('a unit that throws leaves nothing it wrote', async () => {
  await expect(
    q.atomically(async (u) => {
      await u.scheduleRequest(T0, req('a_x'))
      await u.markSeen(T0, 'test', 'k')
      throw new Error('changed my mind')
    }),
  ).rejects.toThrow('changed my mind')
  expect(types()).toEqual([])
  expect(await q.isSeen('test', 'k')).toBe(false)
})

test('a statement made outside an open unit waits for it, and survives its rollback', async () => {
  const holding = deferred()
  const unit = q.atomically(async (u) => {
    await u.scheduleRequest(T0, req('a_x'))
    await holding.promise // the unit is open here, across an await
    throw new Error('rolled back')
  })
  const outside = q.scheduleRequest(T0, req('b_x'))
  await Bun.sleep(20)
  expect(types()).toEqual(['a_x']) // the outside request has not joined the open transaction
  holding.resolve()
  await expect(unit).rejects.toThrow('rolled back')
  await outside
  expect(types()).toEqual(['b_x'])
})

test('units run one at a time in the order they were asked for', async () => {
  const order: string[] = []
  const slow = deferred()
  const first = q.atomically(async (u) => {
    order.push('first begins')
    await slow.promise
    await u.scheduleRequest(T0, req('a_x'))
    order.push('first ends')
  })
  const second = q.atomically(async (u) => {
    order.push('second begins')
    await u.scheduleRequest(T0, req('b_x'))
  })
  const third = q.atomically(async () => void order.push('third begins'))
  await Bun.sleep(20)
  slow.resolve()
  await Promise.all([first, second, third])
  expect(order).toEqual(['first begins', 'first ends', 'second begins', 'third begins'])
  expect(types()).toEqual(['a_x', 'b_x'])
})

test('a unit inside a unit is a savepoint: its failure undoes only its own writes', async () => {
  await q.atomically(async (u) => {
    await u.scheduleRequest(T0, req('a_x'))
    await u
      .atomically(async (v) => {
        await v.scheduleRequest(T0, req('b_x'))
        throw new Error('inner fails')
      })
      .catch(() => {})
    await u.scheduleRequest(T0, req('c_x'))
  })
  expect(types()).toEqual(['a_x', 'c_x'])
})
