// Units of work on both queues: all or nothing, nested units as savepoints, and a statement made
// outside a unit while it is open is neither part of it nor lost. On SQLite (one connection) a
// statement outside an open unit waits for it, and units are served first come, first served.
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openQueue } from '../src/queue/db.ts'
import type { Queue } from '../src/queue/queue.ts'
import type { RequestInput } from '../src/queue/schedule.ts'
import type { SqliteQueue } from '../src/queue/sqlite-queue.ts'
import { backends } from './support/backends.ts'
import { dropSchemas } from './support/postgres.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { deferred } from './support/wait.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

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
/** The job types of every row, oldest first, read through the queue (committed rows only). */
const typesIn = async (q: Queue) =>
  (await q.listHistory({}, 1000, 0)).rows.map((r) => r.jobType).reverse()

for (const backend of backends)
  describe(backend.name, () => {
    let q: Queue
    beforeEach(async () => {
      q = await backend.open()
    })
    afterEach(() => q.close())
    const types = () => typesIn(q)

    test('a unit that throws leaves nothing it wrote', async () => {
      await expect(
        q.atomically(async (u) => {
          await u.scheduleRequest(T0, req('a_x'))
          await u.markSeen(T0, 'test', 'k')
          throw new Error('changed my mind')
        }),
      ).rejects.toThrow('changed my mind')
      expect(await types()).toEqual([])
      expect(await q.isSeen('test', 'k')).toBe(false)
    })

    test('a statement made outside an open unit is not part of it, and survives its rollback', async () => {
      const holding = deferred()
      const unit = q.atomically(async (u) => {
        await u.scheduleRequest(T0, req('a_x'))
        await holding.promise // the unit is open here, across an await
        throw new Error('rolled back')
      })
      const outside = q.scheduleRequest(T0, req('b_x'))
      await Bun.sleep(20)
      holding.resolve()
      await expect(unit).rejects.toThrow('rolled back')
      await outside
      expect(await types()).toEqual(['b_x'])
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
      expect(await types()).toEqual(['a_x', 'c_x'])
    })
  })

describe('sqlite, one connection', () => {
  let q: SqliteQueue
  beforeEach(() => {
    q = openQueue(join(tempDir(), 'q.db'))
  })
  afterEach(() => q.close())
  const types = () =>
    (q.sqlite.query('select job_type as t from runs order by id').all() as { t: string }[]).map(
      (r) => r.t,
    )

  test('a statement made outside an open unit waits for it (one connection)', async () => {
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

  // Group commit: units asked for in the same turn share one transaction.
  const together = <T>(...fns: ((u: Queue) => Promise<T>)[]) => fns.map((fn) => q.atomically(fn))
  /** The job types another connection sees: only what is committed. */
  const committed = (other: SqliteQueue) =>
    (other.sqlite.query('select job_type as t from runs order by id').all() as { t: string }[]).map(
      (r) => r.t,
    )

  test('units asked for together are each answered only once their rows are committed', async () => {
    const other = openQueue(q.file)
    try {
      const seenAtAnswer: string[][] = []
      const units = together(
        ...['a_x', 'b_x', 'c_x'].map((t) => async (u: Queue) => {
          await u.scheduleRequest(T0, req(t))
        }),
      ).map((p) => p.then(() => seenAtAnswer.push(committed(other))))
      await Promise.all(units)
      // Each answer came after the COMMIT that stored all three (they shared one transaction).
      expect(seenAtAnswer).toEqual([
        ['a_x', 'b_x', 'c_x'],
        ['a_x', 'b_x', 'c_x'],
        ['a_x', 'b_x', 'c_x'],
      ])
    } finally {
      other.close()
    }
  })

  test('a unit that throws among others undoes only its own writes, and is answered after the commit', async () => {
    const other = openQueue(q.file)
    try {
      let seenAtRefusal: string[] | undefined
      const [a, b, c] = together(
        async (u) => void (await u.scheduleRequest(T0, req('a_x'))),
        async (u) => {
          await u.scheduleRequest(T0, req('b_x'))
          await u.markSeen(T0, 'test', 'k')
          throw new Error('changed my mind')
        },
        async (u) => void (await u.scheduleRequest(T0, req('c_x'))),
      )
      const refused = b!.catch((e: Error) => {
        seenAtRefusal = committed(other)
        return e.message
      })
      await Promise.all([a, c])
      expect(await refused).toBe('changed my mind')
      expect(seenAtRefusal).toEqual(['a_x', 'c_x'])
      expect(types()).toEqual(['a_x', 'c_x'])
      expect(await q.isSeen('test', 'k')).toBe(false)
    } finally {
      other.close()
    }
  })

  test('a COMMIT that fails fails every unit that shared it: none is answered as stored, nothing is kept', async () => {
    // A deferred foreign key is checked at COMMIT: a stand-in for a disk that fills up there.
    q.sqlite.run('CREATE TABLE trap_parent (id INTEGER PRIMARY KEY)')
    q.sqlite.run(
      'CREATE TABLE trap (p INTEGER REFERENCES trap_parent(id) DEFERRABLE INITIALLY DEFERRED)',
    )
    q.sqlite.run(
      "CREATE TRIGGER trap_seen AFTER INSERT ON seen WHEN NEW.key = 'poison' BEGIN INSERT INTO trap VALUES (1); END",
    )
    const answers = await Promise.allSettled(
      together(
        async (u) => void (await u.scheduleRequest(T0, req('a_x'))),
        async (u) => void (await u.markSeen(T0, 'test', 'poison')),
        async (u) => void (await u.scheduleRequest(T0, req('c_x'))),
      ),
    )
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(String((answers[0] as PromiseRejectedResult).reason)).toContain('FOREIGN KEY')
    expect(types()).toEqual([])
    expect(await q.isSeen('test', 'poison')).toBe(false)
    // The queue carries on: the next unit has a transaction of its own.
    await q.atomically(async (u) => void (await u.scheduleRequest(T0, req('d_x'))))
    expect(types()).toEqual(['d_x'])
  })
})
