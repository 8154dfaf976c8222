// Config schedules firing through the queue, on both backends, with a clock the test moves (no
// sleeping): two bots on one database fire a slot once; a restart does not fire it again; a bot
// that was down runs the latest missed slot within the grace and says so past it; pause and skip
// hold across restarts; suppressions and confirm apply as to any request.
import { afterAll, describe, expect, test } from 'bun:test'
import type { AppContext } from '../src/app/context.ts'
import { readEnvironment } from '../src/config/env.ts'
import { loadConfigText } from '../src/config/load.ts'
import { fireDueSlots } from '../src/schedules/fire-slots.ts'
import { createContext } from '../src/service/create-context.ts'
import { createLogger } from '../src/util/log.ts'
import { dropSchemas, freshSchemaUrl } from './support/postgres.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'

afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

const YAML = (confirm = false) => `namespaces:
  ops:
    default_channel: "#ops"
    jobs:
      disk:
        run: df -h [mount]
        confirm: ${confirm}
    commands:
      - pattern: disk [mount]
        job: disk
        schedule: { cron: "0 9 * * *", tz: Europe/London, params: { mount: / }, grace: 1h }
      - pattern: quiet disk from [start] to [end]
        action: schedule_suppression
        job: disk
`
const at = (s: string) => Date.parse(s)

/** A database both bots share: the same SQLite file, or the same PostgreSQL schema. */
async function place(kind: 'sqlite' | 'postgres') {
  const stateDir = tempDir()
  return kind === 'sqlite' ? { stateDir } : { stateDir, url: await freshSchemaUrl() }
}

type Place = Awaited<ReturnType<typeof place>>

/** A bot process on the shared database, reading the test's clock. */
async function bot(p: Place, clock: { now: number }, yaml = YAML()): Promise<AppContext> {
  const env = readEnvironment(
    {
      PATH: process.env.PATH,
      EBMBOT_STATE_DIR: p.stateDir,
      ...(p.url ? { DATABASE_URL: p.url } : {}),
    },
    p.stateDir,
  )
  const config = loadConfigText(yaml, 'test.yaml', { stateDir: p.stateDir, baseDir: p.stateDir })
  const log = createLogger({ level: 'error', write: () => {}, secrets: [] })
  return createContext({ config, env, log, now: () => clock.now })
}

for (const kind of ['sqlite', 'postgres'] as const)
  describe(kind, () => {
    test('two bots on one database fire a slot once, and a restarted bot does not fire it again', async () => {
      const p = await place(kind)
      const clock = { now: at('2026-12-01T08:59:00Z') }
      const a = await bot(p, clock)
      const b = await bot(p, clock)
      expect(await fireDueSlots(a)).toEqual([])
      expect(await fireDueSlots(b)).toEqual([])
      clock.now = at('2026-12-01T09:00:00.400Z')
      const [da, db] = await Promise.all([fireDueSlots(a), fireDueSlots(b)])
      const decided = [...da, ...db]
      expect(decided).toEqual([
        { schedule: 'ops/disk', slotAt: at('2026-12-01T09:00:00Z'), outcome: 'fired', runId: 1 },
      ])
      const run = (await a.queue.getRun(1))!
      expect(run).toMatchObject({
        jobType: 'ops_disk',
        state: 'pending',
        door: 'schedule',
        requestedBy: 'schedule:ops/disk',
        channel: '#ops',
        command: "df -h '/'",
        requestText: 'ops disk / (schedule ops disk, Tue 2026-12-01 09:00 GMT)',
      })
      a.queue.close()
      clock.now = at('2026-12-01T09:00:30Z')
      const again = await bot(p, clock)
      expect(await fireDueSlots(again)).toEqual([])
      expect(await fireDueSlots(b)).toEqual([])
      expect(await again.queue.getRun(2)).toBeUndefined()
      again.queue.close()
      b.queue.close()
    })

    test('down over a slot: back within the grace it runs once, late; back after it, it is missed and said', async () => {
      const p = await place(kind)
      const clock = { now: at('2026-12-01T08:00:00Z') }
      const first = await bot(p, clock)
      await fireDueSlots(first)
      first.queue.close() // the bot is down from 08:00 until 09:40
      clock.now = at('2026-12-01T09:40:00Z')
      const back = await bot(p, clock)
      expect((await fireDueSlots(back)).map((d) => d.outcome)).toEqual(['fired'])
      expect((await back.queue.getRun(1))!.requestText).toBe(
        'ops disk / (schedule ops disk, Tue 2026-12-01 09:00 GMT, 40m 0s late: no bot was running)',
      )
      expect(await fireDueSlots(back)).toEqual([])
      back.queue.close() // down again, this time until 11:00 the next day
      clock.now = at('2026-12-02T11:00:00Z')
      const late = await bot(p, clock)
      expect(await fireDueSlots(late)).toEqual([
        { schedule: 'ops/disk', slotAt: at('2026-12-02T09:00:00Z'), outcome: 'missed' },
      ])
      expect(await late.queue.getRun(2)).toBeUndefined()
      const notices = await late.queue.pendingOutgoing('slack', 10)
      expect(
        notices.map((n) => [
          (n.payload as { channel: string }).channel,
          (n.payload as { text: string }).text,
        ]),
      ).toEqual([
        [
          '#ops',
          ':warning: The Wed 2026-12-02 09:00 GMT run of schedule `ops disk` (`ops disk /`) did not happen: no bot was running then, and it is now 2h 0m late.',
        ],
      ])
      late.queue.close()
    })

    test('a pause and a skip are kept across restarts', async () => {
      const p = await place(kind)
      const clock = { now: at('2026-12-01T08:00:00Z') }
      const a = await bot(p, clock)
      await fireDueSlots(a)
      await a.queue.pauseSchedule(clock.now, 'ops/disk', 'U1')
      a.queue.close()
      clock.now = at('2026-12-01T09:00:01Z')
      const b = await bot(p, clock)
      expect((await fireDueSlots(b)).map((d) => d.outcome)).toEqual(['paused'])
      await b.queue.resumeSchedule('ops/disk')
      // `skip next` marks tomorrow's slot; the day after runs again.
      await b.queue.takeSlot(clock.now, {
        schedule: 'ops/disk',
        slotAt: at('2026-12-02T09:00:00Z'),
        outcome: 'skipped',
        by: 'U1',
      })
      b.queue.close()
      clock.now = at('2026-12-02T09:00:01Z')
      const c = await bot(p, clock)
      expect(await fireDueSlots(c)).toEqual([])
      clock.now = at('2026-12-03T09:00:01Z')
      expect((await fireDueSlots(c)).map((d) => d.outcome)).toEqual(['fired'])
      expect(await c.queue.getRun(2)).toBeUndefined()
      expect((await c.queue.getRun(1))!.requestText).toContain('Thu 2026-12-03 09:00 GMT')
      c.queue.close()
    })

    test('a suppression holds the scheduled run, and a confirm job asks for approval in the channel', async () => {
      const p = await place(kind)
      const clock = { now: at('2026-12-01T08:00:00Z') }
      const a = await bot(p, clock)
      await fireDueSlots(a)
      await a.queue.addSuppression(
        clock.now,
        'ops_disk',
        at('2026-12-01T08:30:00Z'),
        at('2026-12-01T10:00:00Z'),
        'U1',
      )
      clock.now = at('2026-12-01T09:00:00Z')
      await fireDueSlots(a)
      const said = await a.queue.pendingOutgoing('slack', 10)
      expect((said[0]!.payload as { text: string }).text).toContain(
        '`ops_disk` runs are suppressed until 2026-12-01 10:00:00+00:00; run 1',
      )
      a.queue.close()
      const confirming = await bot(p, clock, YAML(true))
      clock.now = at('2026-12-02T09:00:00Z')
      const [d] = await fireDueSlots(confirming)
      expect((await confirming.queue.getRun(d!.runId!))!.state).toBe('awaiting_approval')
      const prompt = (await confirming.queue.pendingOutgoing('slack', 10)).at(-1)!
      expect((prompt.payload as { channel: string }).channel).toBe('#ops')
      confirming.queue.close()
    })
  })
