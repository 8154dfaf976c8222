// Schedule slots and pauses in the queue, on both backends: one decision per slot however many
// connections race for it, and the first-seen time, pauses and skips kept across a reopen.
import { afterAll, describe, expect, test } from 'bun:test'
import { backends } from './support/backends.ts'
import { dropSchemas } from './support/postgres.ts'
import { cleanupTemp } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0)
const slot = (slotAt: number, by: string) => ({
  schedule: 'ops/disk',
  slotAt,
  outcome: 'fired' as const,
  by,
})

for (const backend of backends)
  describe(backend.name, () => {
    test('two bots racing for one slot: exactly one decides it, and only once', async () => {
      const a = await backend.open()
      const b = await backend.another(a)
      const race = await Promise.all(
        [a, b, a, b].map((q, i) =>
          q.atomically(async (tx) => tx.takeSlot(T0 + 1, slot(T0, `bot-${i}`))),
        ),
      )
      expect(race.filter(Boolean)).toHaveLength(1)
      expect(await b.takeSlot(T0 + 2, slot(T0, 'late'))).toBe(false)
      const decided = await a.lastSlotBefore('ops/disk', T0 + 5)
      expect(decided?.decidedBy).toBe(`bot-${race.indexOf(true)}`)
      // The next slot is a new decision.
      expect(await b.takeSlot(T0 + 60_001, slot(T0 + 60_000, 'bot-1'))).toBe(true)
      a.close()
      b.close()
    })

    test('the first-seen time, a pause and a skip survive a reopen', async () => {
      const a = await backend.open()
      expect((await a.seeSchedule(T0, 'ops/disk')).since).toBe(T0)
      expect(await a.pauseSchedule(T0 + 1, 'ops/disk', 'U1')).toBe(true)
      expect(await a.pauseSchedule(T0 + 2, 'ops/disk', 'U2')).toBe(false)
      await a.takeSlot(T0 + 3, { ...slot(T0 + 86_400_000, 'U1'), outcome: 'skipped' })
      const restarted = await backend.another(a)
      a.close()
      // A later start keeps the first time it was seen: slots before that never run.
      expect(await restarted.seeSchedule(T0 + 10_000, 'ops/disk')).toEqual({
        schedule: 'ops/disk',
        since: T0,
        pausedAt: T0 + 1,
        pausedBy: 'U1',
      })
      const view = await restarted.scheduleView('ops/disk', T0 + 10_000)
      expect(view).toMatchObject({ pausedAt: T0 + 1, pausedBy: 'U1', skipped: [T0 + 86_400_000] })
      // A skip of a coming slot is not the latest decided slot until its time comes.
      expect(await restarted.lastSlotBefore('ops/disk', T0 + 10_000)).toBeUndefined()
      expect((await restarted.lastSlotBefore('ops/disk', T0 + 86_400_000))?.outcome).toBe('skipped')
      expect(await restarted.resumeSchedule('ops/disk')).toBe(true)
      expect(await restarted.resumeSchedule('ops/disk')).toBe(false)
      expect((await restarted.scheduleView('ops/disk', T0)).pausedAt).toBeNull()
      restarted.close()
    })

    test('the last run is the latest fired slot, with its run', async () => {
      const q = await backend.open()
      await q.takeSlot(T0, slot(T0, 'bot'))
      await q.setSlotRun('ops/disk', T0, 7)
      await q.takeSlot(T0 + 60_000, { ...slot(T0 + 60_000, 'bot'), outcome: 'paused' })
      const view = await q.scheduleView('ops/disk', T0 + 120_000)
      expect(view.lastFired).toMatchObject({ slotAt: T0, runId: 7, outcome: 'fired' })
      expect(view.lastDecided).toMatchObject({ slotAt: T0 + 60_000, outcome: 'paused' })
      expect(view.skipped).toEqual([])
      q.close()
    })
  })
