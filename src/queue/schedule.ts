// Scheduling a request, one IMMEDIATE transaction so chat and webhooks racing
// on the same job type cannot leave two pending rows (the unique index would refuse it anyway).
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { immediate } from './immediate.ts'
import { prepared } from './prepared.ts'
import { runs, type Door, type Run } from './schema.ts'

export interface RequestInput {
  namespace: string
  job: string
  jobType: string
  door: Door
  requestedBy: string
  channel: string
  threadTs?: string | null
  messageTs?: string | null
  isDm?: boolean
  requestText: string
  params: Record<string, string>
  command: string
  delaySeconds: number
}

export interface ScheduleResult {
  run: Run
  /** a pending request of the type existed and was updated instead of adding another */
  replaced: boolean
  /** a run of the type is going; this request waits for it */
  behind?: Run
  /** the pending request as it was before this one replaced it (who asked, where, with what) */
  previous?: Run
}

const p = sql.placeholder

/** The row of a type in one state: each served by its partial unique index. */
const oneOfType = (db: Db, state: 'running' | 'pending') =>
  prepared(db, `schedule.${state}`, (d) =>
    d
      .select()
      .from(runs)
      .where(and(eq(runs.jobType, p('type')), sql`${runs.state} = ${sql.raw(`'${state}'`)}`))
      .prepare(),
  )

/** The columns a request sets, by name: its placeholders in both backends' statements. */
const REQUEST_FIELDS = [
  'door',
  'requestedBy',
  'channel',
  'threadTs',
  'messageTs',
  'isDm',
  'requestText',
  'params',
  'command',
] as const
// Typed as the values they stand for: drizzle binds (and JSON-encodes) them when the statement runs.
export const placeholders = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, p(k)])) as unknown as Record<K, never>

/** What a newer request rewrites in the pending row it replaces (both backends' UPDATE). */
export const REPLACE_SET = placeholders([...REQUEST_FIELDS, 'dueAt'])

/** A new pending request's row (both backends' INSERT). */
export const PENDING_ROW = {
  ...placeholders([...REQUEST_FIELDS, 'namespace', 'job', 'jobType', 'dueAt', 'queuedAt']),
  state: 'pending' as const,
}

/** The run's columns a request sets (both backends): all but its type, state and times. */
const requestColumns = (req: RequestInput) => ({
  door: req.door,
  requestedBy: req.requestedBy,
  channel: req.channel,
  threadTs: req.threadTs ?? null,
  messageTs: req.messageTs ?? null,
  isDm: req.isDm ?? false,
  requestText: req.requestText,
  params: req.params,
  command: req.command,
})

/**
 * The values for REPLACE_SET (and the row's id) when a request of the type is pending, else for
 * PENDING_ROW. The newer request wins everything but the start time: repeats never push a
 * deploy back.
 */
export function scheduleValues(now: number, req: RequestInput, pending: Run | undefined) {
  const dueAt = now + req.delaySeconds * 1000
  const fields = requestColumns(req)
  if (pending)
    return { replace: { ...fields, dueAt: Math.min(pending.dueAt, dueAt), id: pending.id } }
  return {
    insert: {
      ...fields,
      namespace: req.namespace,
      job: req.job,
      jobType: req.jobType,
      dueAt,
      queuedAt: now,
    },
  }
}

const replacePending = (db: Db) =>
  prepared(db, 'schedule.replace', (d) =>
    d
      .update(runs)
      .set(REPLACE_SET)
      .where(eq(runs.id, p('id')))
      .returning()
      .prepare(),
  )

const insertPending = (db: Db) =>
  prepared(db, 'schedule.insert', (d) => d.insert(runs).values(PENDING_ROW).returning().prepare())

export function scheduleRequest(db: Db, now: number, req: RequestInput): ScheduleResult {
  // Two reads, then one write (a replace or an insert).
  return immediate(db, () => {
    const behind = oneOfType(db, 'running').get({ type: req.jobType })
    const pending = oneOfType(db, 'pending').get({ type: req.jobType })
    const { replace, insert } = scheduleValues(now, req, pending)
    if (replace)
      return { run: replacePending(db).get(replace)!, replaced: true, behind, previous: pending }
    return { run: insertPending(db).get(insert)!, replaced: false, behind }
  })
}
