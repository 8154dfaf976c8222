// Slack commands that meet a database that cannot store them (here its disk is full): none is
// acknowledged (so Slack would deliver it again), none is answered with an error or lost, and
// each is run and answered once storing works again, even when Slack does not redeliver.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { GENERAL, startSlackBot, stopSlackBot, type SlackBot } from './support/slack-bot.ts'
import { openStateDb } from './support/state-db.ts'
import { cleanupTemp } from './support/temp.ts'

afterAll(cleanupTemp)
let s: SlackBot | undefined
afterEach(async () => {
  if (s) await stopSlackBot(s)
  s = undefined
})

test('5 commands while the disk is full: none acknowledged or lost; each runs once when there is room, without a redelivery', async () => {
  // Five job types, so no request replaces another (one pending request per type).
  const jobs = [0, 1, 2, 3, 4].map(
    (i) => `      h${i}: {run: "echo Hello, n${i}!", report_stdout: true}`,
  )
  const commands = [0, 1, 2, 3, 4].map((i) => `      - {pattern: "hello n${i}", job: h${i}}`)
  const yaml = `namespaces:\n  demo:\n    jobs:\n${jobs.join('\n')}\n    commands:\n${commands.join('\n')}\n`
  s = await startSlackBot({ fake: { redeliver: false }, yaml })
  const { fake } = s
  const other = openStateDb(s.stateDir)
  // Every new request fails as on a full disk; the bot's marks and replies roll back with it.
  other.run(
    `CREATE TRIGGER disk_full BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
  )
  const events = Array.from({ length: 5 }, (_, i) =>
    fake.mention({ user: 'U1', channel: GENERAL, text: `demo hello n${i}` }),
  )
  for (const e of events) fake.sendEvent(e)
  await fake.waitFor(
    () => s!.bot.out.stderr.match(/event=slack\.event_deferred/g)?.length === 5,
    10_000,
    'five deferred events',
  )
  expect(fake.deliveries.filter((d) => d.ackedAt !== undefined)).toEqual([])
  expect(fake.messages.filter((m) => m.text?.includes('went wrong'))).toEqual([])

  other.run('DROP TRIGGER disk_full')
  other.close()
  for (const [i, e] of events.entries())
    await fake.waitFor(
      () => fake.messages.find((m) => m.thread_ts === e.ts && m.text === `Hello, n${i}!`),
      30_000,
      `the report of command ${i}`,
    )
  expect(s.query<{ n: number }>('select count(*) as n from runs')[0]!.n).toBe(5)
  expect(s.bot.out.stderr.match(/event=slack\.event_stored_late/g)?.length).toBe(5)
}, 60_000)
