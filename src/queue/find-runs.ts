// Run history for the web page: filters (namespace, job, state, who asked, when it was asked)
// and keyset paging by id, so page 500 costs what page 1 does (no OFFSET walking past rows).
import {
  and,
  type AnyColumn,
  desc,
  eq,
  gte,
  inArray,
  lt,
  notInArray,
  or,
  type SQL,
} from 'drizzle-orm'
import type { Db } from './db.ts'
import { runs, type Run, type RunState } from './schema.ts'

export interface RunFilter {
  namespace?: string
  jobType?: string
  states?: RunState[]
  requestedBy?: string
  /** epoch ms: asked at or after */
  from?: number
  /** epoch ms: asked before */
  to?: number
  /** namespaces and job types the reader may not see, unless the reader asked for the run */
  hidden?: string[]
  hiddenTypes?: string[]
  reader?: string
}

export interface RunPage {
  /** newest first */
  rows: Run[]
  /** the `before` of the next (older) page; absent on the last page */
  next?: number
}

/** The columns the filters use: both backends' `runs` tables have them. */
type RunColumns = Record<
  'id' | 'namespace' | 'jobType' | 'state' | 'requestedBy' | 'queuedAt',
  AnyColumn
>

/** The conditions, the same on both backends. */
export function runConditions(t: RunColumns, f: RunFilter, before?: number): SQL | undefined {
  const conds: (SQL | undefined)[] = []
  if (f.namespace) conds.push(eq(t.namespace, f.namespace))
  if (f.jobType) conds.push(eq(t.jobType, f.jobType))
  if (f.states?.length) conds.push(inArray(t.state, f.states))
  if (f.requestedBy) conds.push(eq(t.requestedBy, f.requestedBy))
  if (f.from !== undefined) conds.push(gte(t.queuedAt, f.from))
  if (f.to !== undefined) conds.push(lt(t.queuedAt, f.to))
  if (before !== undefined) conds.push(lt(t.id, before))
  const hide = [
    f.hidden?.length ? notInArray(t.namespace, f.hidden) : undefined,
    f.hiddenTypes?.length ? notInArray(t.jobType, f.hiddenTypes) : undefined,
  ].filter((c): c is SQL => !!c)
  if (hide.length)
    conds.push(f.reader ? or(and(...hide), eq(t.requestedBy, f.reader)) : and(...hide))
  const all = conds.filter((c): c is SQL => !!c)
  return all.length ? and(...all) : undefined
}

/** One page of at most `limit` runs older than `before` (newest first). */
export function findRuns(db: Db, filter: RunFilter, limit: number, before?: number): RunPage {
  const rows = db
    .select()
    .from(runs)
    .where(runConditions(runs, filter, before))
    .orderBy(desc(runs.id))
    .limit(limit + 1)
    .all()
  return pageOf(rows, limit)
}

/** One more row than the page shows says whether an older page exists. */
export function pageOf(rows: Run[], limit: number): RunPage {
  if (rows.length <= limit) return { rows }
  const shown = rows.slice(0, limit)
  return { rows: shown, next: shown.at(-1)!.id }
}
