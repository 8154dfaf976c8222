// Deliveries already accepted, on PostgreSQL: Slack retries and GitHub redeliveries never queue twice.
import { and, eq, sql } from 'drizzle-orm'
import { first, type PgDb } from './db.ts'
import { seen } from './schema.ts'

/** True the first time (source, key) is seen; false for a duplicate. */
export const markSeen = async (
  db: PgDb,
  now: number,
  source: string,
  key: string,
  runId?: number,
) =>
  (
    await db
      .insert(seen)
      .values({ source, key, seenAt: now, runId: runId ?? null })
      .onConflictDoNothing()
      .returning({ key: seen.key })
  ).length === 1

/** True when new, or last marked at least `windowMs` ago (the mark is then renewed). */
export const markSeenWithin = async (
  db: PgDb,
  now: number,
  source: string,
  key: string,
  windowMs: number,
  runId?: number,
) =>
  (
    await db
      .insert(seen)
      .values({ source, key, seenAt: now, runId: runId ?? null })
      .onConflictDoUpdate({
        target: [seen.source, seen.key],
        set: { seenAt: now },
        setWhere: sql`${seen.seenAt} <= ${now - windowMs}`,
      })
      .returning({ key: seen.key })
  ).length === 1

const one = (source: string, key: string) => and(eq(seen.source, source), eq(seen.key, key))

export async function unmarkSeen(db: PgDb, source: string, key: string): Promise<void> {
  await db.delete(seen).where(one(source, key))
}

export const isSeen = async (db: PgDb, source: string, key: string) =>
  !!(await first(db.select({ key: seen.key }).from(seen).where(one(source, key))))

export const seenRun = (db: PgDb, source: string, key: string) =>
  first(db.select({ runId: seen.runId }).from(seen).where(one(source, key)))
