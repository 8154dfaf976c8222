// Read-only queries over the queue: one run, the status snapshot, the next wake-up time.
import { and, asc, eq, isNotNull, min, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { prepared } from './prepared.ts'
import { runs, suppressions, type Run, type Suppression } from './schema.ts'
import { openSuppressions } from './suppress.ts'

/** Prepared: `status N`, every button press and a confirm job's trigger read one run by id. */
export const getRun = (db: Db, id: number): Run | undefined =>
  prepared(db, 'read.run', (d) =>
    d
      .select()
      .from(runs)
      .where(eq(runs.id, sql.placeholder('id')))
      .prepare(),
  ).get({ id })

/**
 * Every running run, oldest first. The state is a literal so SQLite serves it from the partial
 * index of running rows (a handful) instead of scanning all history, on every dispatcher pass.
 */
export function runningRuns(db: Db): Run[] {
  const stmt = prepared(db, 'read.running', (d) =>
    d.select().from(runs).where(sql`${runs.state} = 'running'`).prepare(),
  )
  return stmt.all().sort((a, b) => a.id - b.id)
}

export interface Snapshot {
  now: number
  running: Run[]
  scheduled: Run[]
  suppressions: Suppression[]
  /** runs waiting for an approver, oldest first */
  awaiting: Run[]
}

export function snapshot(db: Db, now: number): Snapshot {
  return db.transaction((tx) => ({
    now,
    running: tx
      .select()
      .from(runs)
      .where(eq(runs.state, 'running'))
      .orderBy(asc(runs.startedAt), asc(runs.id))
      .all(),
    scheduled: tx
      .select()
      .from(runs)
      .where(eq(runs.state, 'pending'))
      .orderBy(asc(runs.dueAt), asc(runs.id))
      .all(),
    suppressions: openSuppressions(tx as unknown as Db, now),
    awaiting: tx
      .select()
      .from(runs)
      .where(eq(runs.state, 'awaiting_approval'))
      .orderBy(asc(runs.id))
      .all(),
  }))
}

/** When the dispatcher should look again: the next due request, suppression end or approval expiry. */
export function nextWakeAt(db: Db, now: number): number | null {
  const stmts = prepared(db, 'read.next_wake', (d) => {
    const at = sql.placeholder('now')
    return [
      d
        .select({ at: min(runs.dueAt) })
        .from(runs)
        .where(sql`${runs.state} = 'pending' and ${runs.dueAt} > ${at}`)
        .prepare(),
      d
        .select({ at: min(suppressions.endAt) })
        .from(suppressions)
        .where(sql`${suppressions.endAt} > ${at} and ${suppressions.startAt} <= ${at}`)
        .prepare(),
      d
        .select({ at: min(runs.approvalExpiresAt) })
        .from(runs)
        .where(sql`${runs.state} = 'awaiting_approval'`)
        .prepare(),
    ] as const
  })
  const starts = stmts
    .map((s) => s.get({ now })?.at)
    .filter((x): x is number => typeof x === 'number')
  return starts.length ? Math.min(...starts) : null
}

/** The running run of a job type, if any (at most one: a unique index). */
export const runningOfType = (db: Db, jobType: string): Run | undefined =>
  db
    .select()
    .from(runs)
    .where(and(eq(runs.jobType, jobType), eq(runs.state, 'running')))
    .get()

/** Runs this owner is running that someone asked to stop (`remove job id N`, Cancel). */
export const cancelRequests = (db: Db, owner: string): { id: number; by: string | null }[] =>
  db
    .select({ id: runs.id, by: runs.cancelRequestedBy })
    .from(runs)
    .where(
      and(sql`${runs.state} = 'running'`, eq(runs.owner, owner), isNotNull(runs.cancelRequestedBy)),
    )
    .all()
