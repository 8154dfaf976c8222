// Which slot is due, on a clock stepped by the test (no sleeping): every slot once, daylight-saving
// changes in London and New York, slots missed while the bot was down, pauses, new schedules.
import { describe, expect, test } from 'bun:test'
import type { Schedule } from '../src/config/types.ts'
import { dueSlot, type DueSlot } from '../src/schedules/due-slot.ts'

const schedule = (over: Partial<Schedule>): Schedule => ({
  id: 'ops/disk',
  namespace: 'ops',
  name: 'disk',
  job: 'disk',
  cron: '0 9 * * *',
  tz: 'UTC',
  channel: '#ops',
  params: {},
  text: 'ops disk',
  missed: 'latest',
  graceSeconds: 3600,
  ...over,
})
const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '')
const at = (s: string) => Date.parse(s)

/** A bot ticking every `stepMs` from `from` to `to`, deciding each slot it finds due. */
function tick(s: Schedule, from: string, to: string, stepMs = 1000, lastDecided?: number) {
  const decided: { slot: string; outcome: DueSlot['outcome']; foundAt: string }[] = []
  let last = lastDecided
  for (let now = at(from); now <= at(to); now += stepMs) {
    const d = dueSlot(s, { now, since: at(from) - 1, lastDecided: last, paused: false })
    if (!d) continue
    decided.push({ slot: iso(d.slotAt), outcome: d.outcome, foundAt: iso(now) })
    last = d.slotAt
  }
  return decided
}

describe('every slot fires once, on time', () => {
  test('a weekday 09:00 in London, across a week: five runs at 09:00 local (UTC in winter)', () => {
    const s = schedule({ cron: '0 9 * * 1-5', tz: 'Europe/London' })
    const d = tick(s, '2026-11-30T00:00:00Z', '2026-12-06T23:59:00Z', 60_000)
    expect(d.map((x) => x.slot)).toEqual([
      '2026-11-30T09:00:00Z',
      '2026-12-01T09:00:00Z',
      '2026-12-02T09:00:00Z',
      '2026-12-03T09:00:00Z',
      '2026-12-04T09:00:00Z',
    ])
    expect(d.every((x) => x.outcome === 'fired' && x.foundAt === x.slot)).toBe(true)
  })
  test('a seconds field: every 20 seconds', () => {
    const d = tick(
      schedule({ cron: '*/20 * * * * *' }),
      '2026-12-01T09:00:00Z',
      '2026-12-01T09:01:00Z',
    )
    expect(d.map((x) => x.slot)).toEqual([
      '2026-12-01T09:00:00Z',
      '2026-12-01T09:00:20Z',
      '2026-12-01T09:00:40Z',
      '2026-12-01T09:01:00Z',
    ])
  })
})

describe('daylight-saving changes follow the zone', () => {
  test('London springs forward: 01:30 does not exist on 29 March, it runs once at 02:00 BST', () => {
    const s = schedule({ cron: '30 1 * * *', tz: 'Europe/London' })
    const d = tick(s, '2026-03-28T00:00:00Z', '2026-03-30T23:00:00Z', 60_000)
    expect(d.map((x) => x.slot)).toEqual([
      '2026-03-28T01:30:00Z', // 01:30 GMT
      '2026-03-29T01:00:00Z', // 02:00 BST, the first time after the gap
      '2026-03-30T00:30:00Z', // 01:30 BST
    ])
  })
  test('London falls back: 01:30 happens twice on 25 October, a daily job runs once', () => {
    const s = schedule({ cron: '30 1 * * *', tz: 'Europe/London' })
    const d = tick(s, '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z', 60_000)
    expect(d.map((x) => x.slot)).toEqual(['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'])
  })
  test('London falls back: a half-hourly job runs in both 01:00-02:00 hours', () => {
    const s = schedule({ cron: '*/30 * * * *', tz: 'Europe/London' })
    const d = tick(s, '2026-10-24T23:45:00Z', '2026-10-25T02:15:00Z', 60_000)
    expect(d.map((x) => x.slot)).toEqual([
      '2026-10-25T00:00:00Z', // 01:00 BST
      '2026-10-25T00:30:00Z', // 01:30 BST
      '2026-10-25T01:00:00Z', // 01:00 GMT
      '2026-10-25T01:30:00Z', // 01:30 GMT
      '2026-10-25T02:00:00Z',
    ])
  })
  test('New York springs forward: 02:30 on 8 March runs at 03:00 EDT, then 02:30 EDT again', () => {
    const s = schedule({ cron: '30 2 * * *', tz: 'America/New_York' })
    const d = tick(s, '2026-03-07T12:00:00Z', '2026-03-09T12:00:00Z', 60_000)
    expect(d.map((x) => x.slot)).toEqual(['2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z'])
  })
  test('New York falls back: a daily 01:30 runs once on 1 November', () => {
    const s = schedule({ cron: '30 1 * * *', tz: 'America/New_York' })
    const d = tick(s, '2026-10-31T12:00:00Z', '2026-11-01T12:00:00Z', 60_000)
    expect(d.map((x) => x.slot)).toEqual(['2026-11-01T05:30:00Z'])
  })
})

describe('slots missed while no bot ran', () => {
  const yesterday = at('2026-11-30T09:00:00Z')
  const back = (s: Schedule, when: string) =>
    dueSlot(s, { now: at(when), since: 0, lastDecided: yesterday, paused: false })
  test('back within the grace: the missed slot runs once, late', () => {
    expect(back(schedule({}), '2026-12-01T09:40:00Z')).toEqual({
      slotAt: at('2026-12-01T09:00:00Z'),
      outcome: 'fired',
    })
  })
  test('back after the grace: the slot is recorded as missed, not run', () => {
    expect(back(schedule({}), '2026-12-01T10:00:01Z')?.outcome).toBe('missed')
    expect(back(schedule({ graceSeconds: 7200 }), '2026-12-01T10:59:00Z')?.outcome).toBe('fired')
  })
  test('missed: skip runs only a slot found on time', () => {
    const s = schedule({ missed: 'skip' })
    expect(back(s, '2026-12-01T09:00:30Z')?.outcome).toBe('fired')
    expect(back(s, '2026-12-01T09:05:00Z')?.outcome).toBe('missed')
  })
  test('down for a day under a one-minute cron: only the latest slot is run, once', () => {
    const s = schedule({ cron: '* * * * *' })
    expect(back(s, '2026-12-01T09:30:10Z')).toEqual({
      slotAt: at('2026-12-01T09:30:00Z'),
      outcome: 'fired',
    })
    const d = tick(
      s,
      '2026-12-01T09:30:10Z',
      '2026-12-01T09:32:00Z',
      1000,
      at('2026-12-01T09:30:00Z'),
    )
    expect(d.map((x) => x.slot)).toEqual(['2026-12-01T09:31:00Z', '2026-12-01T09:32:00Z'])
  })
  test('a schedule added after today’s slot waits for tomorrow’s', () => {
    const s = schedule({})
    const since = at('2026-12-01T09:30:00Z')
    expect(dueSlot(s, { now: since + 60_000, since, paused: false })).toBeNull()
    expect(dueSlot(s, { now: at('2026-12-02T09:00:00Z'), since, paused: false })?.outcome).toBe(
      'fired',
    )
  })
  test('a paused schedule has its slot recorded as paused', () => {
    const now = at('2026-12-01T09:00:00Z')
    expect(dueSlot(schedule({}), { now, since: 0, lastDecided: yesterday, paused: true })).toEqual({
      slotAt: now,
      outcome: 'paused',
    })
  })
})
