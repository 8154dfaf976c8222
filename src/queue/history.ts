// Run history and thread lookups: every run is kept, so these are plain queries.
import { and, count, desc, eq, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from './db.ts'
import { prepared } from './prepared.ts'
import { runs, type Run, type RunState } from './schema.ts'

export interface HistoryFilter {
  namespace?: string
  jobType?: string
  state?: RunState
  /** namespaces the asker may not see (restricted ones, for a guest) */
  hidden?: string[]
  /** job types the asker may not see (allow lists of single jobs) */
  hiddenTypes?: string[]
}

export function listHistory(
  db: Db,
  filter: HistoryFilter,
  limit: number,
  offset: number,
): { rows: Run[]; total: number } {
  const conds: SQL[] = []
  if (filter.namespace) conds.push(eq(runs.namespace, filter.namespace))
  if (filter.jobType) conds.push(eq(runs.jobType, filter.jobType))
  if (filter.state) conds.push(eq(runs.state, filter.state))
  if (filter.hidden?.length) conds.push(notInArray(runs.namespace, filter.hidden))
  if (filter.hiddenTypes?.length) conds.push(notInArray(runs.jobType, filter.hiddenTypes))
  const where = conds.length ? and(...conds) : undefined
  const rows = db
    .select()
    .from(runs)
    .where(where)
    .orderBy(desc(runs.id))
    .limit(limit)
    .offset(offset)
    .all()
  const total = db.select({ n: count() }).from(runs).where(where).get()?.n ?? 0
  return { rows, total }
}

/** The run a thread belongs to: the newest run requested in it (a rerun in the thread takes over). */
export function threadRun(db: Db, channel: string, threadTs: string): Run | undefined {
  const stmt = prepared(db, 'history.thread_run', (d) =>
    d
      .select()
      .from(runs)
      .where(
        and(
          eq(runs.channel, sql.placeholder('channel')),
          eq(runs.threadTs, sql.placeholder('thread')),
        ),
      )
      .orderBy(desc(runs.id))
      .limit(1)
      .prepare(),
  )
  return stmt.get({ channel, thread: threadTs })
}

export function setQuiet(db: Db, id: number, quiet: boolean): Run | undefined {
  return db.update(runs).set({ quiet }).where(eq(runs.id, id)).returning().get()
}
