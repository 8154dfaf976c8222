// Who announces a Metaflow run's end, on a real SQLite file: the watcher and the `watch` verb both
// read Metaflow before they write, so each write checks that nobody moved the status meanwhile.
import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openQueue } from '../src/queue/db.ts'
import {
  followInThread,
  getThread,
  recordStatus,
  watchFrom,
} from '../src/queue/metaflow-threads.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const KEY = { door: 'slack' as const, channel: 'C1', threadTs: '5.0' }

function thread(watching: boolean) {
  const { db } = openQueue(join(tempDir(), 'q.db'))
  const row = followInThread(db, T0, KEY, {
    flow: 'TrainFlow',
    runId: '7',
    watching,
    lastStatus: null,
    ebmbotRunId: null,
  })
  return { db, row }
}

test('`watch` seen running turns watching on and marks it running', () => {
  const { db, row } = thread(false)
  expect(watchFrom(db, T0 + 1, row)).toMatchObject({ watching: true, lastStatus: 'running' })
})

test('`watch` that read "running" while the watcher announced the end leaves the end recorded, so it is not announced twice', () => {
  const { db, row } = thread(true)
  // The watcher's pass and the verb both read the row; the watcher records the end first.
  expect(recordStatus(db, T0 + 1, row, 'finished')).toMatchObject({ lastStatus: 'finished' })
  expect(watchFrom(db, T0 + 2, row)).toBeUndefined()
  expect(getThread(db, KEY.channel, KEY.threadTs)).toMatchObject({ lastStatus: 'finished' })
  // A second announcement of the same end finds the status moved and does nothing.
  expect(recordStatus(db, T0 + 3, { ...row, lastStatus: 'running' }, 'finished')).toBeUndefined()
})
