// Live progress under load: many runs at once share one budget of Slack writes, so a busy bot
// stays inside Slack's rate limits; each message is still edited at most once per interval.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EDIT_BURST, EDITS_PER_MINUTE } from '../src/dispatcher/progress.ts'
import { TokenBucket } from '../src/util/token-bucket.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'
import { sqliteOf } from './support/sqlite-of.ts'

const RUNS = 16

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

test('the bucket allows a burst, then refills at its rate, never beyond the burst', () => {
  const b = new TokenBucket(30, 3, 0)
  expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false])
  expect(b.take(1000)).toBe(false) // half a token a second
  expect(b.take(2000)).toBe(true)
  expect(b.take(2000)).toBe(false)
  // A long idle spell refills to the burst, not more.
  expect(Array.from({ length: 5 }, () => b.take(600_000))).toEqual([true, true, true, false, false])
})

test(`${RUNS} runs at once: progress writes stay within the shared budget, each message paced by the interval`, async () => {
  const go = join(tempDir(), 'go')
  const jobs = Array.from(
    { length: RUNS },
    (_, i) => `      j${i}: {run: 'while [ ! -e ${go} ]; do echo tick ${i}; sleep 0.1; done'}`,
  ).join('\n')
  const commands = Array.from(
    { length: RUNS },
    (_, i) => `      - {pattern: j${i}, job: j${i}}`,
  ).join('\n')
  h = startHarness(`
settings: {max_parallel: ${RUNS}, progress_interval: 1s, poll_interval: 1s, kill_grace: 1s}
namespaces:
  b:
    jobs:
${jobs}
    commands:
${commands}
`)
  const ids: number[] = []
  for (let i = 0; i < RUNS; i++) ids.push((await h.say(`b j${i}`)).runId!)
  for (const id of ids) await h.waitForState(id, ['running'])
  type Row = { run_id: number; at: number }
  const written = () =>
    sqliteOf(h!.ctx)
      .sqlite.query(
        "select run_id, created_at as at from outbox where json_extract(payload, '$.purpose') = 'progress' order by id",
      )
      .all() as Row[]
  // Unbudgeted, 16 runs at one edit a second would write ~16 a second: wait for well past the burst.
  await waitUntil('progress beyond the burst', () => written().length > EDIT_BURST + 1, 20_000)
  await Bun.sleep(3000)
  const rows = written()
  writeFileSync(go, '')
  for (const id of ids) await h.waitForState(id, ['succeeded'])

  const span = rows.at(-1)!.at - rows[0]!.at
  expect(rows.length).toBeLessThanOrEqual(
    EDIT_BURST + Math.floor((span * EDITS_PER_MINUTE) / 60_000) + 1,
  )
  expect(new Set(rows.map((r) => r.run_id)).size).toBeGreaterThan(1) // shared, not one run hogging it
  for (const id of ids) {
    const mine = rows.filter((r) => r.run_id === id)
    for (let i = 1; i < mine.length; i++)
      expect(mine[i]!.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(1000)
  }
}, 60_000)
