// What the bot says when it takes a request: that it replaced the pending one (and with what),
// that a suppression holds it and until when, what a cancel dropped (or that nothing was pending);
// and the acknowledgement of a verb on an existing run does not read as a new run.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import type { Outgoing } from '../src/app/door.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  t:
    jobs:
      nap: {run: 'sleep 30; echo [name]'}
    commands:
      - {pattern: 'nap [name]', job: nap, delay_seconds: 600}
      - {pattern: 'drop nap', job: nap, action: cancel_job}
      - {pattern: 'hold nap from [start] to [end]', job: nap, action: schedule_suppression}
`

let h: Harness
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

type ReactionOut = Extract<Outgoing, { kind: 'reaction' }>
const reactions = () => h.sent.filter((m): m is ReactionOut => m.kind === 'reaction')

describe('acknowledgements say what happened', () => {
  test('a second request replaces the pending one, keeps its place, and says with which params', async () => {
    h = startHarness(YAML)
    const first = await h.say('t nap alice')
    expect(first.replies).toEqual([])
    const second = await h.say('t nap bob')
    expect(second.runId).toBe(first.runId)
    expect(second.replies).toEqual([
      `This replaces the pending \`t_nap\` request (run ${first.runId}, now with name="bob"); it keeps that request's place in the queue.`,
    ])
  })

  test('a request a suppression holds says so, with the time it is let go', async () => {
    h = startHarness(YAML)
    const now = new Date()
    // A window from now to the end of today (UTC); past 23:50 the test has nothing to hold.
    if (now.getUTCHours() === 23 && now.getUTCMinutes() >= 50) return
    const start = now.toISOString().slice(11, 16)
    expect((await h.say(`t hold nap from ${start} to 23:59`)).replies[0]).toContain(
      'will not start',
    )
    const r = await h.say('t nap carol')
    expect(r.replies).toEqual([
      `Run ${r.runId} (\`t_nap\`) is held by a suppression until 23:59 UTC; it starts then.`,
    ])
  })

  test('cancel names the request it dropped, and says when nothing was pending', async () => {
    h = startHarness(YAML)
    const asked = await h.say('t nap dave')
    expect((await h.say('t drop nap')).replies).toEqual([
      `Dropped the pending \`t_nap\` request (run ${asked.runId}).`,
    ])
    expect((await h.say('t drop nap')).replies).toEqual([
      'Nothing was pending for `t_nap`, so nothing was dropped. A run that has started stops with `cancel N`.',
    ])
  })

  test('a new request is acknowledged with its run number; a verb on an existing run is not', async () => {
    h = startHarness(YAML)
    const asked = await h.say('t nap erin')
    await waitUntil('the first reaction', () => reactions().length === 1)
    expect(reactions()[0]!.label).toBe(`run ${asked.runId}`)
    const removed = await h.say(`remove job id ${asked.runId}`)
    expect(removed.replies[0]).toBe(`Removed job ${asked.runId} (\`t_nap\`).`)
    await waitUntil('the second reaction', () => reactions().length === 2)
    expect(reactions()[1]!.label).toBeUndefined()
  })
})
