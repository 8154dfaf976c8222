// Prepared queries made lean answer exactly what drizzle's own methods answer: the same rows,
// decoded the same way (JSON, booleans, nulls), and the same error for a missing value.
import { afterAll, afterEach, beforeEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { count, desc, eq, sql } from 'drizzle-orm'
import { openQueue } from '../src/queue/db.ts'
import { lean } from '../src/queue/prepared.ts'
import { runs } from '../src/queue/schema.ts'
import type { SqliteQueue } from '../src/queue/sqlite-queue.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

let q: SqliteQueue
beforeEach(() => {
  q = openQueue(join(tempDir(), 'q.db'))
})
afterEach(() => q.close())

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const p = sql.placeholder

test('a lean query reads, writes and decodes as drizzle does', () => {
  const insert = () =>
    q.db
      .insert(runs)
      .values({
        namespace: 'a',
        job: 'x',
        jobType: p('type'),
        state: 'pending',
        dueAt: T0,
        queuedAt: T0,
        door: 'slack',
        requestedBy: 'U1',
        channel: 'C1',
        isDm: p('dm'),
        requestText: 'a x',
        params: p('params'),
        command: 'true',
      })
      .returning()
      .prepare()
  const values = { type: 'a_x', dm: true, params: { who: 'me', n: '1' } }
  const inserted = lean(insert()).get(values)!
  expect(inserted).toMatchObject({
    jobType: 'a_x',
    isDm: true,
    quiet: false,
    params: values.params,
  })
  expect(inserted.threadTs).toBeNull()
  lean(insert()).get({ type: 'a_y', dm: false, params: {} })

  const select = () =>
    q.db
      .select()
      .from(runs)
      .where(eq(runs.namespace, p('ns')))
      .orderBy(desc(runs.id))
      .limit(p('limit'))
      .prepare()
  const ours = lean(select())
  expect(ours.all({ ns: 'a', limit: 5 })).toEqual(select().all({ ns: 'a', limit: 5 }))
  expect(ours.get({ ns: 'a', limit: 5 })).toEqual(select().get({ ns: 'a', limit: 5 }))
  expect(ours.get({ ns: 'b', limit: 5 })).toBeUndefined()
  expect(ours.all({ ns: 'b', limit: 5 })).toEqual([])
  // An expression's own decoder still applies: count() is a number.
  expect(lean(q.db.select({ n: count() }).from(runs).prepare()).get()).toEqual({ n: 2 })
  expect(() => ours.all({ ns: 'a' })).toThrow('No value for placeholder "limit" was provided')
})
