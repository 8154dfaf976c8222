// Read-only queries over the queue: one run, the status snapshot, the next wake-up time.
import { and, asc, eq, gt, inArray, min, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { runs, suppressions, type Run, type Suppression } from './schema.ts'
import { openSuppressions } from './suppress.ts'

export const getRun = (db: Db, id: number): Run | undefined => db.select().from(runs).where(eq(runs.id, id)).get()

export function runsInState(db: Db, states: Run['state'][]): Run[] {
  return db.select().from(runs).where(inArray(runs.state, states)).orderBy(asc(runs.id)).all()
}

export interface Snapshot {
  now: number
  running: Run[]
  scheduled: Run[]
  suppressions: Suppression[]
}

export function snapshot(db: Db, now: number): Snapshot {
  return db.transaction((tx) => ({
    now,
    running: tx.select().from(runs).where(eq(runs.state, 'running')).orderBy(asc(runs.startedAt), asc(runs.id)).all(),
    scheduled: tx.select().from(runs).where(eq(runs.state, 'pending')).orderBy(asc(runs.dueAt), asc(runs.id)).all(),
    suppressions: openSuppressions(tx as unknown as Db, now),
  }))
}

/** When the dispatcher should look again: the next due request or the next suppression end. */
export function nextWakeAt(db: Db, now: number): number | null {
  const due = db.select({ at: min(runs.dueAt) }).from(runs).where(and(eq(runs.state, 'pending'), gt(runs.dueAt, now))).get()?.at
  const ends = db
    .select({ at: min(suppressions.endAt) })
    .from(suppressions)
    .where(and(gt(suppressions.endAt, now), sql`${suppressions.startAt} <= ${now}`))
    .get()?.at
  const expiry = db.select({ at: min(runs.approvalExpiresAt) }).from(runs).where(eq(runs.state, 'awaiting_approval')).get()?.at
  const starts = [due, ends, expiry].filter((x): x is number => typeof x === 'number')
  return starts.length ? Math.min(...starts) : null
}
