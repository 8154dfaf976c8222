// Suppression windows: a job type does not start while one is active (held, not dropped).
import { and, asc, eq, gt } from 'drizzle-orm'
import type { Db } from './db.ts'
import { suppressions, type Suppression } from './schema.ts'

export function addSuppression(db: Db, now: number, jobType: string, startAt: number, endAt: number, by: string): Suppression {
  return db.insert(suppressions).values({ jobType, startAt, endAt, createdBy: by, createdAt: now }).returning().get()
}

export function cancelSuppressions(db: Db, jobType: string): number {
  return db.delete(suppressions).where(eq(suppressions.jobType, jobType)).returning().all().length
}

/** Suppressions not yet over, soonest first; an ended window is history and listed nowhere. */
export function openSuppressions(db: Db, now: number, jobType?: string): Suppression[] {
  const notOver = gt(suppressions.endAt, now)
  return db
    .select()
    .from(suppressions)
    .where(jobType ? and(notOver, eq(suppressions.jobType, jobType)) : notOver)
    .orderBy(asc(suppressions.startAt), asc(suppressions.id))
    .all()
}

export const isActive = (s: Suppression, now: number) => s.startAt <= now && now < s.endAt
