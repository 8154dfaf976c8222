// A request stored in a unit of work, its dispatcher woken from inside the unit: the claim can
// answer in the same turn as the COMMIT (it waited for the unit), yet whatever the storing caller
// does next, the Slack ack of the event, happens before the run's files are made and its process
// spawned (about 3 ms of synchronous work that the ack used to wait behind).
import { afterAll, expect, spyOn, test } from 'bun:test'
import { startHarness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(() => cleanupTemp())

const YAML = `namespaces:
  site:
    jobs:
      hello: {run: "true"}
    commands:
      - {pattern: hello, job: hello}
`

test('the caller that stored a request goes on before its run is spawned', async () => {
  const h = await startHarness(YAML)
  const { ctx } = h
  const order: string[] = []
  const spawn = Bun.spawn
  const spy = spyOn(Bun, 'spawn').mockImplementation(((...args: Parameters<typeof spawn>) => {
    order.push('spawn')
    return spawn(...args)
  }) as typeof spawn)
  try {
    for (let i = 1; i <= 5; i++) {
      await ctx.queue.atomically(async (q) => {
        await q.scheduleRequest(ctx.now(), {
          namespace: 'site',
          job: 'hello',
          jobType: 'site_hello',
          door: 'local',
          requestedBy: 'U1',
          channel: 'C1',
          requestText: 'hello',
          params: {},
          command: 'true',
          delaySeconds: 0,
        })
        ctx.wake.dispatch.notify()
        // The rest of the unit spans a turn of the event loop: the woken pass starts meanwhile
        // and its statements wait for the unit's COMMIT.
        await Bun.sleep(5)
      })
      // The handler returns through its layers to the listener, which sends the ack.
      for (let hop = 0; hop < 50; hop++) await Promise.resolve()
      order.push('ack')
      await waitUntil(`run ${i} to start`, () => order.filter((o) => o === 'spawn').length === i)
      await h.waitForState(i, ['succeeded'])
    }
    expect(order).toEqual(Array.from({ length: 5 }, () => ['ack', 'spawn']).flat())
  } finally {
    spy.mockRestore()
    await h.stop()
  }
})
