// Texts about config schedules: a slot's time in the schedule's own zone, the missed-slot policy,
// and the `schedules` listing. Pure: the caller passes the clock and what the queue holds.
import type { Schedule } from '../config/types.ts'
import { nextTimes } from '../syntax/cron.ts'
import { formatDuration } from '../util/duration.ts'
import { formatUtc, who } from './times.ts'

/** A decided slot, as the queue keeps it. */
interface SlotRecord {
  slotAt: number
  outcome: 'fired' | 'missed' | 'paused' | 'skipped'
  /** the bot that decided it, or the person who skipped it */
  decidedBy: string
  runId: number | null
}

/** What `schedules` shows of one schedule, read from the queue. */
export interface ScheduleView {
  pausedAt: number | null
  pausedBy: string | null
  /** the latest slot that fired */
  lastFired?: SlotRecord
  /** the latest slot decided at or before now, whatever became of it */
  lastDecided?: SlotRecord
  /** coming slots marked by `skip next` */
  skipped: number[]
}

const formats = new Map<string, Intl.DateTimeFormat>()

/** `Sun 2026-10-25 01:30 BST`: the wall-clock time where the schedule lives, seconds if any. */
export function zoneTime(ms: number, tz: string): string {
  let f = formats.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
    formats.set(tz, f)
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]))
  const seconds = p.second === '00' ? '' : `:${p.second}`
  return `${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${seconds} ${p.timeZoneName}`
}

/** What happens to a slot that passed while no bot was running. */
export function missedPolicyText(s: Pick<Schedule, 'missed' | 'graceSeconds'>): string {
  return s.missed === 'latest'
    ? `a slot missed while the bot was down runs once if it is at most ${formatDuration(s.graceSeconds * 1000)} late`
    : 'slots missed while the bot was down are skipped'
}

/** The next `n` times, in the schedule's zone. */
export const nextText = (s: Schedule, now: number, n = 3) =>
  nextTimes(s, now, n)
    .map((t) => zoneTime(t, s.tz))
    .join(', ')

/** One schedule in the `schedules` listing. */
export function scheduleEntry(s: Schedule, view: ScheduleView, now: number): string {
  const head = `*${s.namespace} ${s.name}*: \`${s.text}\` at \`${s.cron}\` (${s.tz}), reports to ${channelText(s.channel)}`
  const lines = [head]
  if (view.pausedAt !== null)
    lines.push(
      `  :double_vertical_bar: paused by ${who(view.pausedBy ?? 'someone')} since ${formatUtc(view.pausedAt)}; \`resume ${s.namespace} ${s.name}\` runs it again`,
    )
  const skipped = new Set(view.skipped)
  const next = nextTimes(s, now, 3 + skipped.size)
  const shown = next
    .slice(0, 3)
    .map((t) => `${zoneTime(t, s.tz)}${skipped.has(t) ? ' (skipped)' : ''}`)
  lines.push(`  next: ${shown.join(', ')}`)
  lines.push(`  last run: ${lastRunText(s, view)}`)
  lines.push(`  ${missedPolicyText(s)}`)
  return lines.join('\n')
}

function lastRunText(s: Schedule, view: ScheduleView): string {
  const fired = view.lastFired
  const base = fired
    ? `${zoneTime(fired.slotAt, s.tz)}${fired.runId !== null ? ` (run ${fired.runId})` : ''}`
    : 'none yet'
  const later = view.lastDecided
  if (!later || later.outcome === 'fired' || (fired && later.slotAt <= fired.slotAt)) return base
  const why = {
    missed: 'missed: no bot was running then, and it was too late when one started',
    paused: 'not run: paused',
    skipped: `skipped by ${who(later.decidedBy)}`,
  }[later.outcome]
  return `${base}; ${zoneTime(later.slotAt, s.tz)} ${why}`
}

/** A channel id as a link; a name as written. */
const channelText = (c: string) => (/^[CDG][A-Z0-9]+$/.test(c) ? `<#${c}>` : c)

/** One line of `status` per schedule: when it runs next, whether it is paused, its policy. */
export function scheduleStatusLine(s: Schedule, view: ScheduleView, now: number): string {
  const skipped = new Set(view.skipped)
  const next = nextTimes(s, now, 1 + skipped.size).find((t) => !skipped.has(t))
  const when =
    view.pausedAt !== null ? 'paused' : next ? `next ${zoneTime(next, s.tz)}` : 'no more runs'
  return `\`${s.namespace} ${s.name}\` ${when}; ${s.missed === 'latest' ? `missed: latest (within ${formatDuration(s.graceSeconds * 1000)})` : 'missed: skip'}`
}
