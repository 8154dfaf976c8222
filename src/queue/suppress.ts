// Suppression windows: a job type does not start while one is active (held, not dropped).
import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { prepared } from './prepared.ts'
import { suppressions, type Suppression } from './schema.ts'

export function addSuppression(
  db: Db,
  now: number,
  jobType: string,
  startAt: number,
  endAt: number,
  by: string,
): Suppression {
  return db
    .insert(suppressions)
    .values({ jobType, startAt, endAt, createdBy: by, createdAt: now })
    .returning()
    .get()
}

export function cancelSuppressions(db: Db, jobType: string): number {
  return db.delete(suppressions).where(eq(suppressions.jobType, jobType)).returning().all().length
}

/** Suppressions not yet over, soonest first; an ended window is history and listed nowhere. */
export function openSuppressions(db: Db, now: number, jobType?: string): Suppression[] {
  // Prepared: every webhook delivery and `status` asks (about 0.3 ms each when built per call).
  const stmt = jobType
    ? prepared(db, 'suppress.open_of_type', (d) =>
        d
          .select()
          .from(suppressions)
          .where(
            and(
              gt(suppressions.endAt, sql.placeholder('now')),
              eq(suppressions.jobType, sql.placeholder('type')),
            ),
          )
          .orderBy(asc(suppressions.startAt), asc(suppressions.id))
          .prepare(),
      )
    : prepared(db, 'suppress.open', (d) =>
        d
          .select()
          .from(suppressions)
          .where(gt(suppressions.endAt, sql.placeholder('now')))
          .orderBy(asc(suppressions.startAt), asc(suppressions.id))
          .prepare(),
      )
  return stmt.all({ now, type: jobType })
}

export const isActive = (s: Suppression, now: number) => s.startAt <= now && now < s.endAt
