// The outbox while another writer holds the database past the busy timeout, on a real SQLite
// file: a message that went out is not sent again (only its record waits for the lock), and
// failed passes back off instead of stalling the bot for a busy timeout every poll.
import { Database } from 'bun:sqlite'
import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { passBackoffMs, startDeliverer } from '../src/notify/deliver.ts'
import type { Outgoing } from '../src/app/door.ts'
import { openQueue } from '../src/queue/db.ts'
import { enqueueOutgoing, getOutgoing } from '../src/queue/outbox.ts'
import { createLogger } from '../src/util/log.ts'
import { Signal } from '../src/util/signal.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)

test('failed passes wait the poll, doubling, at most ten seconds', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => passBackoffMs(100, n))).toEqual([
    100, 200, 400, 800, 1600, 3200, 6400, 10_000,
  ])
  expect(passBackoffMs(2000, 4)).toBe(10_000)
})

test('a message sent while the database is locked is sent once, and recorded once the lock is gone', async () => {
  const file = join(tempDir(), 'q.db')
  const queue = openQueue(file, { busyTimeoutMs: 100 })
  const [row] = enqueueOutgoing(queue.db, Date.now(), 'local', [
    { kind: 'message', purpose: 'report', channel: 'C1', text: 'deployed' },
  ])
  const lines: string[] = []
  const sent: Outgoing[] = []
  const other = new Database(file)
  let release = () => {}
  const deliverer = startDeliverer({
    queue,
    door: 'local',
    wake: new Signal(),
    pollMs: 50,
    log: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    transport: {
      deliver: async (m) => {
        sent.push(m)
        // Another writer takes the lock while the message is on its way, and keeps it for 3 s.
        if (sent.length === 1) {
          other.run('BEGIN EXCLUSIVE')
          const timer = setTimeout(() => release(), 3000)
          release = () => {
            clearTimeout(timer)
            release = () => {}
            other.run('COMMIT')
          }
        }
        return { ts: '111.222' }
      },
    },
  })
  try {
    await waitUntil(
      'the message to be recorded as sent',
      () => getOutgoing(queue.db, row!.id)?.state === 'sent',
      15_000,
    )
    expect(sent.map((m) => (m.kind === 'message' ? m.text : m.kind))).toEqual(['deployed'])
    expect(getOutgoing(queue.db, row!.id)).toMatchObject({
      state: 'sent',
      attempts: 1,
      lastError: null,
      result: { ts: '111.222' },
    }) // one attempt, no retry
    const failed = lines.filter((l) => l.includes('event=outbox.pass_failed'))
    // A poll of 50 ms without backing off would fail ~20 times in 3 s; doubling, about 6.
    expect(failed.length).toBeGreaterThanOrEqual(1)
    expect(failed.length).toBeLessThanOrEqual(9)
    expect(lines.some((l) => l.includes('event=outbox.retry'))).toBe(false) // not a delivery failure
  } finally {
    release()
    await deliverer.stop()
    other.close()
    queue.sqlite.close()
  }
}, 30_000)
