// The schedule verbs in chat: `schedules` shows each schedule's next three times, last run and
// missed-slot policy; `pause`, `resume` and `skip next` are stored (a restart keeps them) and
// follow the access rules of the job the schedule runs.
import { afterAll, describe, expect, test } from 'bun:test'
import { startHarness } from './support/harness.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(cleanupTemp)

const YAML = `namespaces:
  ops:
    default_channel: "#ops"
    allow: { users: [UOPS] }
    jobs:
      disk:
        run: df -h
    commands:
      - pattern: disk
        job: disk
        schedule: { cron: "0 9 * * *", tz: Europe/London, name: disk-report, missed: skip }
  demo:
    jobs:
      hello:
        run: echo hello
    commands:
      - pattern: hello
        job: hello
        schedule: { cron: "30 */6 * * *", channel: "#demo", grace: 10m }
`
const ZONED = /\w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2} (GMT|BST|UTC)/

describe('schedules in chat', () => {
  test('the listing: next three times, no run yet, the policy; only what the asker may run', async () => {
    const h = await startHarness(YAML)
    const [all] = (await h.say('schedules', { user: 'UOPS' })).replies
    const lines = all!.split('\n')
    expect(lines[0]).toBe(
      '*ops disk-report*: `ops disk` at `0 9 * * *` (Europe/London), reports to #ops',
    )
    expect(lines[1]).toMatch(
      new RegExp(`^  next: ${ZONED.source}, ${ZONED.source}, ${ZONED.source}$`),
    )
    expect(lines[1]).toContain(' 09:00 ')
    expect(lines.slice(2, 4)).toEqual([
      '  last run: none yet',
      '  slots missed while the bot was down are skipped',
    ])
    expect(lines[4]).toBe('*demo hello*: `demo hello` at `30 */6 * * *` (UTC), reports to #demo')
    expect(lines[7]).toBe(
      '  a slot missed while the bot was down runs once if it is at most 10m 0s late',
    )
    // Someone not on the ops list sees only the demo schedule.
    const [other] = (await h.say('schedules', { user: 'UOTHER' })).replies
    expect(other).not.toContain('ops disk-report')
    expect((await h.say('schedules demo', { user: 'UOPS' })).replies[0]).not.toContain('ops')
    await h.stop()
  })

  test('pause, skip next and resume are kept across a restart; others may not touch it', async () => {
    const stateDir = tempDir()
    const h = await startHarness(YAML, {}, { stateDir })
    expect((await h.say('pause ops disk-report', { user: 'UOTHER' })).replies[0]).toBe(
      'Sorry, you are not on the list of people who may run the `ops` commands.',
    )
    const paused = await h.say('pause ops disk-report', { user: 'UOPS' })
    expect(paused.accepted).toBe(true)
    expect(paused.replies[0]).toBe(
      'Paused schedule `ops disk-report`: it will not run until `resume ops disk-report`.',
    )
    const skip = (await h.say('skip next ops/disk-report', { user: 'UOPS' })).replies[0]!
    expect(skip).toMatch(
      new RegExp(
        `^Skipping the ${ZONED.source} run of \`ops disk-report\`\\. The one after is ${ZONED.source}\\.$`,
      ),
    )
    await h.stop()

    const again = await startHarness(YAML, {}, { stateDir })
    const [listing] = (await again.say('schedules ops', { user: 'UOPS' })).replies
    expect(listing).toContain(':double_vertical_bar: paused by <@UOPS> since ')
    expect(listing!.split('\n')[2]).toMatch(/^ {2}next: .* \(skipped\), /)
    expect((await again.say('pause ops disk-report', { user: 'UOPS' })).replies[0]).toBe(
      'Schedule `ops disk-report` was already paused (by <@UOPS>).',
    )
    expect((await again.say('resume ops disk-report', { user: 'UOPS' })).replies[0]).toMatch(
      new RegExp(`^Resumed schedule \`ops disk-report\`; it runs next ${ZONED.source}\\.$`),
    )
    expect((await again.say('schedules ops', { user: 'UOPS' })).replies[0]).not.toContain('paused')
    expect((await again.say('pause ops nightly', { user: 'UOPS' })).replies[0]).toBe(
      'There is no schedule `ops nightly`. The schedules are: `ops disk-report`, `demo hello`.',
    )
    await again.stop()
  })
})
