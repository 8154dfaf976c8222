// Slots of config schedules and their pause, on PostgreSQL (see ../schedule-slots.ts). The slot's
// primary key decides between instances: a second insert of the same slot waits for the first
// transaction and then does nothing.
import { and, desc, eq, gt, isNotNull, isNull, lte } from 'drizzle-orm'
import type { ScheduleView } from '../../commands/schedule-text.ts'
import { slotRow, type SlotDecision } from '../schedule-slots.ts'
import { first, type PgDb } from './db.ts'
import { scheduleSlots, scheduleState } from './schema.ts'

export async function seeSchedule(db: PgDb, now: number, schedule: string) {
  const read = () =>
    first(db.select().from(scheduleState).where(eq(scheduleState.schedule, schedule)))
  const row = await read()
  if (row) return row
  await db.insert(scheduleState).values({ schedule, since: now }).onConflictDoNothing()
  return (await read())!
}

export const lastSlotBefore = (db: PgDb, schedule: string, at: number) =>
  first(
    db
      .select()
      .from(scheduleSlots)
      .where(and(eq(scheduleSlots.schedule, schedule), lte(scheduleSlots.slotAt, at)))
      .orderBy(desc(scheduleSlots.slotAt))
      .limit(1),
  )

export const takeSlot = async (db: PgDb, now: number, d: SlotDecision) =>
  (
    await db
      .insert(scheduleSlots)
      .values(slotRow(now, d))
      .onConflictDoNothing()
      .returning({ slotAt: scheduleSlots.slotAt })
  ).length === 1

export async function setSlotRun(db: PgDb, schedule: string, slotAt: number, runId: number) {
  await db
    .update(scheduleSlots)
    .set({ runId })
    .where(and(eq(scheduleSlots.schedule, schedule), eq(scheduleSlots.slotAt, slotAt)))
}

export async function pauseSchedule(db: PgDb, now: number, schedule: string, by: string) {
  await db.insert(scheduleState).values({ schedule, since: now }).onConflictDoNothing()
  const rows = await db
    .update(scheduleState)
    .set({ pausedAt: now, pausedBy: by })
    .where(and(eq(scheduleState.schedule, schedule), isNull(scheduleState.pausedAt)))
    .returning({ schedule: scheduleState.schedule })
  return rows.length === 1
}

export const resumeSchedule = async (db: PgDb, schedule: string) =>
  (
    await db
      .update(scheduleState)
      .set({ pausedAt: null, pausedBy: null })
      .where(and(eq(scheduleState.schedule, schedule), isNotNull(scheduleState.pausedAt)))
      .returning({ schedule: scheduleState.schedule })
  ).length === 1

export async function scheduleView(db: PgDb, schedule: string, now: number): Promise<ScheduleView> {
  const state = await first(
    db.select().from(scheduleState).where(eq(scheduleState.schedule, schedule)),
  )
  const mine = eq(scheduleSlots.schedule, schedule)
  const lastFired = await first(
    db
      .select()
      .from(scheduleSlots)
      .where(and(mine, eq(scheduleSlots.outcome, 'fired')))
      .orderBy(desc(scheduleSlots.slotAt))
      .limit(1),
  )
  const skipped = await db
    .select({ slotAt: scheduleSlots.slotAt })
    .from(scheduleSlots)
    .where(and(mine, gt(scheduleSlots.slotAt, now)))
    .orderBy(scheduleSlots.slotAt)
  return {
    pausedAt: state?.pausedAt ?? null,
    pausedBy: state?.pausedBy ?? null,
    lastFired,
    lastDecided: await lastSlotBefore(db, schedule, now),
    skipped: skipped.map((r) => r.slotAt),
  }
}
