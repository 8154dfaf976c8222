// Claiming the next due request: one UPDATE with a subquery and RETURNING.
import { sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { immediate } from './immediate.ts'
import { prepared } from './prepared.ts'
import { runs, type Run } from './schema.ts'

/**
 * Picks the earliest-due, then lowest-numbered, pending request that is due, whose job type has
 * no run going and no active suppression, while fewer than `max` runs are going, and marks it
 * running for `owner`, in one statement. There is no select-then-update window: inside SQLite a
 * statement runs under the write lock, and the IMMEDIATE transaction around it takes that lock
 * before reading (a deferred read would hit SQLITE_BUSY_SNAPSHOT under contention instead of
 * waiting). `runs_claim_idx` (due_at, id WHERE state='pending') serves the ORDER BY without a
 * sort; it is named (INDEXED BY) because without statistics the planner would rather take the
 * history's (state, id) index and sort every pending row on each claim. And the partial unique index on running job types makes a second run of a type
 * impossible even for a writer that skipped this statement.
 */
export function claimNext(
  db: Db,
  now: number,
  owner: string,
  max: number,
  /** job types this instance leaves to others (runs_on tags it lacks) */
  skipTypes: readonly string[] = [],
): Run | undefined {
  // Most instances skip nothing: their claim leaves out the skip list's subquery altogether.
  if (!skipTypes.length) {
    const every = prepared(db, 'claim.next', (d) => claimStatement(d, false).prepare())
    return immediate(db, () => every.get({ now, owner, max }))
  }
  const statement = prepared(db, 'claim.next.skipping', (d) => claimStatement(d, true).prepare())
  const skip = JSON.stringify(skipTypes)
  return immediate(db, () => statement.get({ now, owner, max, skip }))
}

/**
 * The claim's SQL text and parameters (placeholders named now, owner, max, and skip when
 * `skipping`), for its query plan.
 */
export const claimSql = (db: Db, skipping: boolean) => claimStatement(db, skipping).toSQL()

function claimStatement(db: Db, skipping: boolean) {
  const now = sql.placeholder('now')
  const skip = skipping
    ? sql`AND r.job_type NOT IN (SELECT value FROM json_each(${sql.placeholder('skip')}))`
    : sql``
  return db
    .update(runs)
    .set({ state: 'running', startedAt: sql`${now}`, owner: sql`${sql.placeholder('owner')}` })
    .where(
      sql`${runs.id} = (
        SELECT r.id FROM runs r INDEXED BY runs_claim_idx
        WHERE r.state = 'pending' AND r.due_at <= ${now}
          ${skip}
          AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.job_type = r.job_type AND x.state = 'running')
          AND NOT EXISTS (SELECT 1 FROM suppressions s
                          WHERE s.job_type = r.job_type AND s.start_at <= ${now} AND s.end_at > ${now})
        ORDER BY r.due_at, r.id
        LIMIT 1)
      AND (SELECT count(*) FROM runs WHERE state = 'running') < ${sql.placeholder('max')}`,
    )
    .returning()
}
