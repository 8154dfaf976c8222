// Two instances on one PostgreSQL database: a wake-up about a request stored in a unit of work
// reaches this process's dispatcher and the other instance's only after the unit's COMMIT. Woken
// before it, a dispatcher finds nothing to claim and sleeps to its next poll (a minute by
// default) while the request waits. And a unit that rolls back after locking a pending row (a
// copy of a delivery that another instance stored first) wakes them again: a claim made
// meanwhile passed over that row.
import { afterAll, expect, test } from 'bun:test'
import { openPgQueue } from '../src/queue/pg/open.ts'
import type { Queue } from '../src/queue/queue.ts'
import { wakeSignals } from '../src/queue/wake.ts'
import { dropSchemas, freshSchemaUrl } from './support/postgres.ts'

afterAll(() => dropSchemas())

const T0 = Date.UTC(2026, 11, 3)

/** What a dispatcher woken at that moment would find to claim: the pending run, if visible. */
const visible = async (q: Queue, id: number) => (await q.getRun(id))?.state === 'pending'

test('a wake-up sent inside a unit of work goes out after its commit, here and to the other instance', async () => {
  const url = await freshSchemaUrl()
  const here = await openPgQueue(url)
  const there = await openPgQueue(url)
  try {
    const wakeHere = wakeSignals(here)
    const wakeThere = wakeSignals(there)
    await there.wakeups!.listen((topic) => wakeThere[topic].notifyHere())
    const seen: string[] = []
    let id = 0
    const t0 = Date.now()
    const wokeHere = wakeHere.dispatch
      .wait(10_000)
      .then(async () => seen.push(`here: ${(await visible(here, id)) ? 'visible' : 'missing'}`))
    const wokeThere = wakeThere.dispatch
      .wait(10_000)
      .then(async () => seen.push(`there: ${(await visible(there, id)) ? 'visible' : 'missing'}`))
    await here.atomically(async (q) => {
      const { run } = await q.scheduleRequest(T0, {
        namespace: 'site',
        job: 'deploy',
        jobType: 'site_deploy',
        door: 'local',
        requestedBy: 'U1',
        channel: 'C1',
        requestText: 'site deploy',
        params: {},
        command: 'true',
        delaySeconds: 0,
      })
      id = run.id
      // As a command does: the dispatchers are told while the unit is still open.
      wakeHere.dispatch.notify()
      // A slow rest of the unit (the reply and its reaction stored after the request).
      await Bun.sleep(300)
    })
    await Promise.all([wokeHere, wokeThere])
    // Woken by the wake-up, not by the wait running out.
    expect(Date.now() - t0).toBeLessThan(5_000)
    expect(seen.sort()).toEqual(['here: visible', 'there: visible'])
  } finally {
    here.close()
    there.close()
  }
})

test('a unit rolled back after locking a pending row wakes the dispatchers, here and there, and the row is claimed', async () => {
  const url = await freshSchemaUrl()
  const here = await openPgQueue(url)
  const there = await openPgQueue(url)
  try {
    const wakeHere = wakeSignals(here)
    const wakeThere = wakeSignals(there)
    await there.wakeups!.listen((topic) => wakeThere[topic].notifyHere())
    const req = {
      namespace: 'site',
      job: 'deploy',
      jobType: 'site_deploy',
      door: 'github' as const,
      requestedBy: 'U1',
      channel: 'C1',
      requestText: 'site deploy',
      params: {},
      command: 'true',
      delaySeconds: 0,
    }
    const { run } = await there.scheduleRequest(T0, req)
    let claimedMeanwhile: unknown = 'not tried'
    const wokeHere = wakeHere.dispatch.wait(10_000).then(() => Date.now())
    const wokeThere = wakeThere.dispatch.wait(10_000).then(() => Date.now())
    const t0 = Date.now()
    await here
      .atomically(async (q) => {
        // The copy replaces the pending request (its row now locked), then finds itself a duplicate.
        await q.scheduleRequest(T0, { ...req, requestText: 'copy' })
        claimedMeanwhile = await there.claimNext(T0 + 1, 'there', 10)
        throw new Error('already recorded')
      })
      .catch(() => {})
    expect(claimedMeanwhile).toBeUndefined() // passed over while locked
    const [h, t] = await Promise.all([wokeHere, wokeThere])
    // Woken by the rollback, not by the wait running out.
    expect(h - t0).toBeLessThan(5_000)
    expect(t - t0).toBeLessThan(5_000)
    expect((await there.claimNext(T0 + 2, 'there', 10))?.id).toBe(run.id)
  } finally {
    here.close()
    there.close()
  }
})
