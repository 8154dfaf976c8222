// Deliveries already accepted, on PostgreSQL: Slack retries and GitHub redeliveries never queue twice.
import { and, eq, sql } from 'drizzle-orm'
import type { PgDb } from './db.ts'
import { pgPrepared } from './prepared.ts'
import { seen } from './schema.ts'

const p = sql.placeholder

const insertSeen = pgPrepared<{ key: string }[]>((d) =>
  d
    .insert(seen)
    .values({ source: p('source'), key: p('key'), seenAt: p('now'), runId: p('runId') })
    .onConflictDoNothing()
    .returning({ key: seen.key })
    .prepare('seen_insert'),
)

const insertSeenWithin = pgPrepared<{ key: string }[]>((d) =>
  d
    .insert(seen)
    .values({ source: p('source'), key: p('key'), seenAt: p('now'), runId: p('runId') })
    .onConflictDoUpdate({
      target: [seen.source, seen.key],
      set: { seenAt: sql`excluded.seen_at` },
      setWhere: sql`${seen.seenAt} <= ${p('before')}`,
    })
    .returning({ key: seen.key })
    .prepare('seen_insert_within'),
)

/** True the first time (source, key) is seen; false for a duplicate. */
export const markSeen = async (
  db: PgDb,
  now: number,
  source: string,
  key: string,
  runId?: number,
) => (await insertSeen(db, { source, key, now, runId: runId ?? null })).length === 1

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
    await insertSeenWithin(db, {
      source,
      key,
      now,
      runId: runId ?? null,
      before: now - windowMs,
    })
  ).length === 1

const one = (source: string, key: string) => and(eq(seen.source, source), eq(seen.key, key))

export async function unmarkSeen(db: PgDb, source: string, key: string): Promise<void> {
  await db.delete(seen).where(one(source, key))
}

const seenRunOf = pgPrepared<{ runId: number | null }[]>((d) =>
  d
    .select({ runId: seen.runId })
    .from(seen)
    .where(and(eq(seen.source, p('source')), eq(seen.key, p('key'))))
    .prepare('seen_run'),
)

export const isSeen = async (db: PgDb, source: string, key: string) =>
  (await seenRunOf(db, { source, key })).length > 0

export const seenRun = async (db: PgDb, source: string, key: string) =>
  (await seenRunOf(db, { source, key }))[0]
