// Which slot of a schedule is due now, and what becomes of it: fired, missed (too late by the
// schedule's policy) or paused. Pure: the ticker supplies the clock and what the queue holds.
import type { Schedule } from '../config/types.ts'
import type { SlotOutcome } from '../queue/schema.ts'
import { latestTimeIn } from '../syntax/cron.ts'

/**
 * A slot found within this long of its time is on time, whatever the policy: the ticker wakes
 * within a second, but a busy database or a paused process may make it late by some seconds.
 */
export const ON_TIME_MS = 60_000

export interface SlotFacts {
  now: number
  /** when bots first saw the schedule: slots before it never run */
  since: number
  /** the latest slot already decided (by any bot, or a `skip next`), if any */
  lastDecided?: number
  paused: boolean
}

export interface DueSlot {
  slotAt: number
  outcome: Exclude<SlotOutcome, 'skipped'>
}

/** How late a slot may be found and still fire. */
const lateLimitMs = (s: Pick<Schedule, 'missed' | 'graceSeconds'>) =>
  s.missed === 'latest' ? Math.max(s.graceSeconds * 1000, ON_TIME_MS) : ON_TIME_MS

/**
 * The latest slot after the last decided one (or the first sighting) up to now; earlier slots of
 * a gap are passed over, so a bot that was down runs at most one. Null when none is due.
 */
export function dueSlot(s: Schedule, f: SlotFacts): DueSlot | null {
  const from = Math.max(f.since, f.lastDecided ?? Number.NEGATIVE_INFINITY)
  const slotAt = latestTimeIn(s, from, f.now)
  if (slotAt === null) return null
  if (f.paused) return { slotAt, outcome: 'paused' }
  return { slotAt, outcome: f.now - slotAt <= lateLimitMs(s) ? 'fired' : 'missed' }
}
