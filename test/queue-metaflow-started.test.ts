// The Metaflow lookups behind the one status rule and two runs in a thread, on a real SQLite
// file: which ebmbot run started a Metaflow run (whichever thread holds it), and a conversation
// that moves one run aside to follow another without losing the first one's watch.
import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openQueue } from '../src/queue/db.ts'
import {
  ebmbotRunOf,
  parkThread,
  replySpotOf,
  threadsOfConversation,
  threadsOfEbmbotRun,
} from '../src/queue/metaflow-started.ts'
import { followInThread, getThread, threadsToWatch } from '../src/queue/metaflow-threads.ts'
import { runs } from '../src/queue/schema.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const KEY = { door: 'slack' as const, channel: 'C1', threadTs: '5.0' }

function setup() {
  const { db } = openQueue(join(tempDir(), 'q.db'))
  const job = db
    .insert(runs)
    .values({
      namespace: 'metaflow',
      job: 'TrainFlow',
      jobType: 'metaflow_TrainFlow',
      state: 'failed',
      dueAt: T0,
      queuedAt: T0,
      door: 'slack',
      requestedBy: 'U1',
      channel: 'C1',
      requestText: 'run TrainFlow',
      params: {},
      command: 'true',
    })
    .returning()
    .get()
  const row = followInThread(db, T0, KEY, {
    flow: 'TrainFlow',
    runId: '7',
    watching: true,
    lastStatus: 'running',
    ebmbotRunId: job.id,
  })
  return { db, job, row }
}

test('the ebmbot run that started a Metaflow run is found from the run alone, parked or not', () => {
  const { db, job, row } = setup()
  expect(ebmbotRunOf(db, 'TrainFlow', '7')?.id).toBe(job.id)
  expect(ebmbotRunOf(db, 'TrainFlow', '8')).toBeUndefined()
  parkThread(db, T0 + 1, row)
  expect(ebmbotRunOf(db, 'TrainFlow', '7')?.state).toBe('failed')
  expect(threadsOfEbmbotRun(db, job.id).map((r) => r.id)).toEqual([row.id])
})

test('a parked row keeps its watch and reply spot; the conversation then follows a new run beside it', () => {
  const { db, row } = setup()
  const parked = parkThread(db, T0 + 1, row)!
  expect(parked.threadTs).toBe(`5.0#${row.id}`)
  expect(replySpotOf(parked)).toBe('5.0')
  expect(getThread(db, 'C1', '5.0')).toBeUndefined()
  const next = followInThread(db, T0 + 2, KEY, {
    flow: 'TrainFlow',
    runId: null,
    watching: true,
    lastStatus: null,
    ebmbotRunId: null,
  })
  expect(threadsOfConversation(db, 'C1', '5.0').map((r) => r.id)).toEqual([row.id, next.id])
  // Another conversation's rows are not this one's.
  expect(threadsOfConversation(db, 'C1', '5.')).toEqual([])
  expect(threadsToWatch(db).map((r) => r.id)).toContain(row.id)
  // Parking twice (a stale row) changes nothing.
  expect(parkThread(db, T0 + 3, row)).toBeUndefined()
})
