// Read-only queries of the PostgreSQL queue: runs, history, the status snapshot, wake-up time, stats.
import { and, asc, count, desc, eq, isNotNull, notInArray, sql, type SQL } from 'drizzle-orm'
import { HISTORY_COUNT_CAP, historyPage, type HistoryFilter, type HistoryPage } from '../history.ts'
import type { Snapshot } from '../read.ts'
import type { Run } from '../schema.ts'
import type { QueueStats } from '../stats.ts'
import { first, type PgDb } from './db.ts'
import { pgRaw } from './prepared.ts'
import { runs } from './schema.ts'
import { openSuppressions } from './suppress.ts'

export const getRun = (db: PgDb, id: number) => first(db.select().from(runs).where(eq(runs.id, id)))

export const runningRuns = (db: PgDb): Promise<Run[]> =>
  db.select().from(runs).where(sql`${runs.state} = 'running'`).orderBy(asc(runs.id))

export const runningOfType = (db: PgDb, jobType: string) =>
  first(
    db
      .select()
      .from(runs)
      .where(and(eq(runs.jobType, jobType), eq(runs.state, 'running'))),
  )

export const cancelRequests = (
  db: PgDb,
  owner: string,
): Promise<{ id: number; by: string | null }[]> =>
  db
    .select({ id: runs.id, by: runs.cancelRequestedBy })
    .from(runs)
    .where(
      and(sql`${runs.state} = 'running'`, eq(runs.owner, owner), isNotNull(runs.cancelRequestedBy)),
    )

export const threadRun = (db: PgDb, channel: string, threadTs: string) =>
  first(
    db
      .select()
      .from(runs)
      .where(and(eq(runs.channel, channel), eq(runs.threadTs, threadTs)))
      .orderBy(desc(runs.id))
      .limit(1),
  )

/** As on SQLite: the newest `limit` past `offset`, and the total counted up to the cap. */
export async function listHistory(
  db: PgDb,
  filter: HistoryFilter,
  limit: number,
  offset: number,
): Promise<HistoryPage> {
  const conds: SQL[] = []
  if (filter.namespace) conds.push(eq(runs.namespace, filter.namespace))
  if (filter.jobType) conds.push(eq(runs.jobType, filter.jobType))
  if (filter.state) conds.push(eq(runs.state, filter.state))
  if (filter.hidden?.length) conds.push(notInArray(runs.namespace, filter.hidden))
  if (filter.hiddenTypes?.length) conds.push(notInArray(runs.jobType, filter.hiddenTypes))
  const where = conds.length ? and(...conds) : undefined
  const [fetched, counted] = await Promise.all([
    db
      .select()
      .from(runs)
      .where(where)
      .orderBy(desc(runs.id))
      .limit(limit + 1)
      .offset(offset),
    first(
      db.select({ n: count() }).from(
        db
          .select({ one: sql`1` })
          .from(runs)
          .where(where)
          .limit(HISTORY_COUNT_CAP + 1)
          .as('matching'),
      ),
    ),
  ])
  return historyPage(fetched, limit, counted?.n ?? 0)
}

/** One snapshot: the reads see the same committed state (REPEATABLE READ). */
export function snapshot(db: PgDb, now: number): Promise<Snapshot> {
  return db.transaction(
    async (tx) => ({
      now,
      running: await tx
        .select()
        .from(runs)
        .where(eq(runs.state, 'running'))
        .orderBy(asc(runs.startedAt), asc(runs.id)),
      scheduled: await tx
        .select()
        .from(runs)
        .where(eq(runs.state, 'pending'))
        .orderBy(asc(runs.dueAt), asc(runs.id)),
      suppressions: await openSuppressions(tx, now),
      awaiting: await tx
        .select()
        .from(runs)
        .where(eq(runs.state, 'awaiting_approval'))
        .orderBy(asc(runs.id)),
    }),
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
}

/** The three times a sleeping dispatcher must wake for, in one round trip. */
const wakeTimes = pgRaw<{ due: string | null; ends: string | null; expiry: string | null }>(
  `SELECT (SELECT min(due_at) FROM runs WHERE state = 'pending' AND due_at > $1) AS due,
          (SELECT min(end_at) FROM suppressions WHERE end_at > $1 AND start_at <= $1) AS ends,
          (SELECT min(approval_expires_at) FROM runs WHERE state = 'awaiting_approval') AS expiry`,
)

/** When the dispatcher should look again: the next due request, suppression end or approval expiry. */
export async function nextWakeAt(db: PgDb, now: number): Promise<number | null> {
  const [row] = await wakeTimes(db, [now])
  const starts = [row?.due, row?.ends, row?.expiry]
    .map((x) => (x === null || x === undefined ? null : Number(x)))
    .filter((x): x is number => x !== null)
  return starts.length ? Math.min(...starts) : null
}

/** As on SQLite: the lag counts only requests the claim would take (less the parallel limit). */
export async function queueStats(db: PgDb, now: number): Promise<QueueStats> {
  const rows = await db.execute<{ queued: string; running: string; oldest: string | null }>(sql`
select
  (select count(*) from runs where state = 'pending') as queued,
  (select count(*) from runs where state = 'running') as running,
  (select min(r.due_at) from runs r
    where r.state = 'pending' and r.due_at <= ${now}
      and not exists (select 1 from runs x where x.job_type = r.job_type and x.state = 'running')
      and not exists (select 1 from suppressions s
                      where s.job_type = r.job_type and s.start_at <= ${now} and s.end_at > ${now})) as oldest`)
  const row = rows[0]
  const oldest = row?.oldest == null ? null : Number(row.oldest)
  return {
    queued: Number(row?.queued ?? 0),
    running: Number(row?.running ?? 0),
    lagMs: oldest === null ? 0 : Math.max(0, now - oldest),
  }
}
