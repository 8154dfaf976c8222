// Run history and thread lookups: every run is kept, so these are plain queries.
import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from './db.ts'
import { lean, literalLimit, prepared } from './prepared.ts'
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

/**
 * The total is counted up to this many runs: counting every matching row made a page cost grow
 * with the whole history (33 ms at a million runs), and past a thousand the exact number tells
 * the reader nothing a "more than" does not.
 */
export const HISTORY_COUNT_CAP = 1000

export interface HistoryPage {
  /** newest first */
  rows: Run[]
  /** the runs matching, counted up to HISTORY_COUNT_CAP */
  total: number
  /** more than `total` runs match */
  capped: boolean
  /** older runs follow this page */
  more: boolean
}

/** The page from `limit + 1` rows fetched and the count up to the cap plus one (both backends). */
export function historyPage(fetched: Run[], limit: number, counted: number): HistoryPage {
  return {
    rows: fetched.slice(0, limit),
    total: Math.min(counted, HISTORY_COUNT_CAP),
    capped: counted > HISTORY_COUNT_CAP,
    more: fetched.length > limit,
  }
}

const p = sql.placeholder

/** The filters' conditions, with the filter's values as placeholders (one statement per shape). */
function historyWhere(f: HistoryFilter): SQL | undefined {
  const conds: SQL[] = []
  if (f.namespace) conds.push(eq(runs.namespace, p('namespace')))
  if (f.jobType) conds.push(eq(runs.jobType, p('jobType')))
  if (f.state) conds.push(eq(runs.state, p('state')))
  // A list as one JSON parameter keeps one statement whatever its length.
  if (f.hidden?.length)
    conds.push(sql`${runs.namespace} NOT IN (SELECT value FROM json_each(${p('hidden')}))`)
  if (f.hiddenTypes?.length)
    conds.push(sql`${runs.jobType} NOT IN (SELECT value FROM json_each(${p('hiddenTypes')}))`)
  return conds.length ? and(...conds) : undefined
}

const shapeOf = (f: HistoryFilter) =>
  [f.namespace, f.jobType, f.state, f.hidden?.length, f.hiddenTypes?.length]
    .map((x) => (x ? 1 : 0))
    .join('')

/** Prepared per shape of filter: building the two queries cost more than running them. */
const historyStatements = (db: Db, f: HistoryFilter, limit: number) =>
  prepared(db, `history.page.${shapeOf(f)}.${limit}`, (d) => {
    const where = historyWhere(f)
    return {
      page: lean(
        d
          .select()
          .from(runs)
          .where(where)
          .orderBy(desc(runs.id))
          .limit(literalLimit(limit + 1))
          .offset(p('offset'))
          .prepare(),
      ),
      count: lean(
        d
          .select({ n: count() })
          .from(
            d
              .select({ one: sql`1` })
              .from(runs)
              .where(where)
              .limit(literalLimit(HISTORY_COUNT_CAP + 1))
              .as('matching'),
          )
          .prepare(),
      ),
    }
  })

export function listHistory(
  db: Db,
  filter: HistoryFilter,
  limit: number,
  offset: number,
): HistoryPage {
  const stmt = historyStatements(db, filter, limit)
  const values = {
    namespace: filter.namespace,
    jobType: filter.jobType,
    state: filter.state,
    hidden: JSON.stringify(filter.hidden ?? []),
    hiddenTypes: JSON.stringify(filter.hiddenTypes ?? []),
  }
  const fetched = stmt.page.all({ ...values, offset })
  return historyPage(fetched, limit, stmt.count.get(values)?.n ?? 0)
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
      .limit(literalLimit(1))
      .prepare(),
  )
  return stmt.get({ channel, thread: threadTs })
}

export function setQuiet(db: Db, id: number, quiet: boolean): Run | undefined {
  return db.update(runs).set({ quiet }).where(eq(runs.id, id)).returning().get()
}
