// Suppression windows on PostgreSQL: a job type does not start while one is active.
import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { Suppression } from '../schema.ts'
import type { PgDb } from './db.ts'
import { pgPrepared } from './prepared.ts'
import { suppressions } from './schema.ts'

export async function addSuppression(
  db: PgDb,
  now: number,
  jobType: string,
  startAt: number,
  endAt: number,
  by: string,
): Promise<Suppression> {
  const [row] = await db
    .insert(suppressions)
    .values({ jobType, startAt, endAt, createdBy: by, createdAt: now })
    .returning()
  return row!
}

export const cancelSuppressions = async (db: PgDb, jobType: string): Promise<number> =>
  (await db.delete(suppressions).where(eq(suppressions.jobType, jobType)).returning()).length

const p = sql.placeholder

const openOfType = pgPrepared<Suppression[]>((d) =>
  d
    .select()
    .from(suppressions)
    .where(and(gt(suppressions.endAt, p('now')), eq(suppressions.jobType, p('type'))))
    .orderBy(asc(suppressions.startAt), asc(suppressions.id))
    .prepare('suppressions_open_of_type'),
)

const openAll = pgPrepared<Suppression[]>((d) =>
  d
    .select()
    .from(suppressions)
    .where(gt(suppressions.endAt, p('now')))
    .orderBy(asc(suppressions.startAt), asc(suppressions.id))
    .prepare('suppressions_open'),
)

/** Suppressions not yet over, soonest first. */
export const openSuppressions = (
  db: PgDb,
  now: number,
  jobType?: string,
): Promise<Suppression[]> =>
  jobType ? openOfType(db, { now, type: jobType }) : openAll(db, { now })
