// Who announces a Metaflow run's end, on both backends: the watcher and the `watch` verb both
// read Metaflow before they write, so each write checks that nobody moved the status meanwhile.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import type { Queue } from '../src/queue/queue.ts'
import { backends } from './support/backends.ts'
import { dropSchemas } from './support/postgres.ts'
import { cleanupTemp } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const KEY = { door: 'slack' as const, channel: 'C1', threadTs: '5.0' }

for (const backend of backends)
  describe(backend.name, () => {
    const opened: Queue[] = []
    afterEach(() => {
      for (const q of opened.splice(0)) q.close()
    })
    async function thread(watching: boolean) {
      const q = await backend.open()
      opened.push(q)
      const row = await q.followInThread(T0, KEY, {
        flow: 'TrainFlow',
        runId: '7',
        watching,
        lastStatus: null,
        ebmbotRunId: null,
      })
      return { q, row }
    }

    test('`watch` seen running turns watching on and marks it running', async () => {
      const { q, row } = await thread(false)
      expect(await q.watchFrom(T0 + 1, row)).toMatchObject({
        watching: true,
        lastStatus: 'running',
      })
    })

    test('`watch` that read "running" while the watcher announced the end leaves the end recorded, so it is not announced twice', async () => {
      const { q, row } = await thread(true)
      // The watcher's pass and the verb both read the row; the watcher records the end first.
      expect(await q.recordStatus(T0 + 1, row, 'finished')).toMatchObject({
        lastStatus: 'finished',
      })
      expect(await q.watchFrom(T0 + 2, row)).toBeUndefined()
      expect(await q.getThread(KEY.channel, KEY.threadTs)).toMatchObject({ lastStatus: 'finished' })
      // A second announcement of the same end finds the status moved and does nothing.
      expect(
        await q.recordStatus(T0 + 3, { ...row, lastStatus: 'running' }, 'finished'),
      ).toBeUndefined()
    })
  })
