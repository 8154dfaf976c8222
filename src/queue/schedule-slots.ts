// Slots of config schedules, and their pause: the insert that decides which bot fires a slot,
// the latest decided slot (where the search for the next due one starts), and what `schedules`
// shows. Kept in the queue, so restarts and other instances see the same state.
import { and, desc, eq, gt, isNotNull, isNull, lte } from 'drizzle-orm'
import type { ScheduleView } from '../commands/schedule-text.ts'
import type { Db } from './db.ts'
import {
  type ScheduleSlot,
  type ScheduleState,
  type SlotOutcome,
  scheduleSlots,
  scheduleState,
} from './schema.ts'

export interface SlotDecision {
  schedule: string
  slotAt: number
  outcome: SlotOutcome
  /** the deciding bot's worker id, or the person who skipped it */
  by: string
}

/**
 * The schedule's lasting state: when bots first saw it (recorded as `now` the first time, so
 * earlier slots never run) and its pause. A read once it exists.
 */
export function seeSchedule(db: Db, now: number, schedule: string): ScheduleState {
  const read = () =>
    db.select().from(scheduleState).where(eq(scheduleState.schedule, schedule)).get()
  const row = read()
  if (row) return row
  db.insert(scheduleState).values({ schedule, since: now }).onConflictDoNothing().run()
  return read()!
}

/** The latest slot decided at or before `at` (a `skip next` of a coming slot is not one yet). */
export function lastSlotBefore(db: Db, schedule: string, at: number): ScheduleSlot | undefined {
  return db
    .select()
    .from(scheduleSlots)
    .where(and(eq(scheduleSlots.schedule, schedule), lte(scheduleSlots.slotAt, at)))
    .orderBy(desc(scheduleSlots.slotAt))
    .limit(1)
    .get()
}

/** The slot's row as either backend stores it. */
export const slotRow = (now: number, d: SlotDecision) => ({
  schedule: d.schedule,
  slotAt: d.slotAt,
  outcome: d.outcome,
  decidedAt: now,
  decidedBy: d.by,
})

/** True when this call decided the slot; false when it was decided already (by anyone). */
export function takeSlot(db: Db, now: number, d: SlotDecision): boolean {
  return (
    db
      .insert(scheduleSlots)
      .values(slotRow(now, d))
      .onConflictDoNothing()
      .returning({ slotAt: scheduleSlots.slotAt })
      .all().length === 1
  )
}

export function setSlotRun(db: Db, schedule: string, slotAt: number, runId: number): void {
  db.update(scheduleSlots)
    .set({ runId })
    .where(and(eq(scheduleSlots.schedule, schedule), eq(scheduleSlots.slotAt, slotAt)))
    .run()
}

/** True when it was running and is paused now. */
export function pauseSchedule(db: Db, now: number, schedule: string, by: string): boolean {
  db.insert(scheduleState).values({ schedule, since: now }).onConflictDoNothing().run()
  return (
    db
      .update(scheduleState)
      .set({ pausedAt: now, pausedBy: by })
      .where(and(eq(scheduleState.schedule, schedule), isNull(scheduleState.pausedAt)))
      .returning({ schedule: scheduleState.schedule })
      .all().length === 1
  )
}

/** True when it was paused and runs again now. */
export function resumeSchedule(db: Db, schedule: string): boolean {
  return (
    db
      .update(scheduleState)
      .set({ pausedAt: null, pausedBy: null })
      .where(and(eq(scheduleState.schedule, schedule), isNotNull(scheduleState.pausedAt)))
      .returning({ schedule: scheduleState.schedule })
      .all().length === 1
  )
}

export function scheduleView(db: Db, schedule: string, now: number): ScheduleView {
  const state = db.select().from(scheduleState).where(eq(scheduleState.schedule, schedule)).get()
  const mine = eq(scheduleSlots.schedule, schedule)
  const lastFired = db
    .select()
    .from(scheduleSlots)
    .where(and(mine, eq(scheduleSlots.outcome, 'fired')))
    .orderBy(desc(scheduleSlots.slotAt))
    .limit(1)
    .get()
  const skipped = db
    .select({ slotAt: scheduleSlots.slotAt })
    .from(scheduleSlots)
    .where(and(mine, gt(scheduleSlots.slotAt, now)))
    .orderBy(scheduleSlots.slotAt)
    .all()
    .map((r) => r.slotAt)
  return {
    pausedAt: state?.pausedAt ?? null,
    pausedBy: state?.pausedBy ?? null,
    lastFired,
    lastDecided: lastSlotBefore(db, schedule, now),
    skipped,
  }
}
