// Requests on PostgreSQL: scheduling (one pending per type, the newer replaces it), approvals,
// and the command written once the id is known. Read-then-write transitions lock their job type.
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Decided } from '../approval.ts'
import {
  PENDING_ROW,
  placeholders,
  REPLACE_SET,
  type RequestInput,
  type ScheduleResult,
  scheduleValues,
} from '../schedule.ts'
import type { Run } from '../schema.ts'
import { first, LOCK, type PgDb } from './db.ts'
import { inTransaction, pgPrepared, pgRaw } from './prepared.ts'
import { runs } from './schema.ts'

const p = sql.placeholder

const lockTypeStatement = pgRaw('SELECT pg_advisory_xact_lock($1, hashtext($2))')
const lockType = (db: PgDb, jobType: string) => lockTypeStatement(db, [LOCK.jobType, jobType])

/**
 * The running and the pending row of a type, if any, in one statement: two lookups, each on its
 * state's unique index (`state in (...)` would read every active run of every type instead).
 */
const activeOfType = pgPrepared<Run[]>((d) =>
  d
    .select()
    .from(runs)
    .where(and(eq(runs.jobType, p('type')), sql`${runs.state} = 'running'`))
    .unionAll(
      d
        .select()
        .from(runs)
        .where(and(eq(runs.jobType, p('type')), sql`${runs.state} = 'pending'`)),
    )
    .prepare('schedule_active'),
)

const replacePending = pgPrepared<Run[]>((d) =>
  d
    .update(runs)
    .set(REPLACE_SET)
    .where(eq(runs.id, p('id')))
    .returning()
    .prepare('schedule_replace'),
)

const insertPending = pgPrepared<Run[]>((d) =>
  d.insert(runs).values(PENDING_ROW).returning().prepare('schedule_insert'),
)

async function schedule(db: PgDb, now: number, req: RequestInput): Promise<ScheduleResult> {
  // Sent together, run in order: the read starts once the lock is held, so it sees the last
  // holder's commit, and the lock is held one round trip less.
  const [, active] = await Promise.all([
    lockType(db, req.jobType),
    activeOfType(db, { type: req.jobType }),
  ])
  const behind = active.find((r) => r.state === 'running')
  const pending = active.find((r) => r.state === 'pending')
  const { replace, insert } = scheduleValues(now, req, pending)
  if (replace) {
    const [run] = await replacePending(db, replace)
    return { run: run!, replaced: true, behind, previous: pending }
  }
  const [run] = await insertPending(db, insert)
  return { run: run!, replaced: false, behind }
}

/** In a unit of work, on its transaction (its lock held to its end); else in one of its own. */
export const scheduleRequest = (
  db: PgDb,
  now: number,
  req: RequestInput,
): Promise<ScheduleResult> =>
  inTransaction(db) ? schedule(db, now, req) : db.transaction((tx) => schedule(tx, now, req))

/** Only before the request starts: a running command is history and is never rewritten. */
export const setRequestCommand = (db: PgDb, id: number, command: string) =>
  first(
    db
      .update(runs)
      .set({ command })
      .where(and(eq(runs.id, id), inArray(runs.state, ['pending', 'awaiting_approval'])))
      .returning(),
  )

export async function requestApproval(
  db: PgDb,
  now: number,
  req: RequestInput,
  expiresAt: number,
): Promise<Run> {
  const { delaySeconds, ...fields } = req
  const [run] = await db
    .insert(runs)
    .values({
      ...fields,
      threadTs: req.threadTs ?? null,
      messageTs: req.messageTs ?? null,
      isDm: req.isDm ?? false,
      state: 'awaiting_approval',
      dueAt: now + delaySeconds * 1000,
      queuedAt: now,
      approval: 'required',
      approvalExpiresAt: expiresAt,
    })
    .returning()
  return run!
}

/** As on SQLite: approving supersedes an older pending request of the type, keeping the earlier start. */
export function decideApproval(
  db: PgDb,
  now: number,
  id: number,
  by: string,
  approve: boolean,
): Promise<Decided> {
  return db.transaction(async (tx): Promise<Decided> => {
    const peek = await first(tx.select().from(runs).where(eq(runs.id, id)))
    if (peek) await lockType(tx, peek.jobType)
    const run = await first(tx.select().from(runs).where(eq(runs.id, id)).for('update'))
    if (run?.state !== 'awaiting_approval') return { kind: 'not_awaiting', run }
    const stillAwaiting = and(eq(runs.id, id), eq(runs.state, 'awaiting_approval'))
    if (!approve) {
      const [denied] = await tx
        .update(runs)
        .set({
          state: 'cancelled',
          approval: 'denied',
          approvalBy: by,
          approvalAt: now,
          finishedAt: now,
          cancelledBy: by,
          detail: 'denied',
        })
        .where(stillAwaiting)
        .returning()
      return { kind: 'denied', run: denied! }
    }
    const older = (await activeOfType(tx, { type: run.jobType })).find((r) => r.state === 'pending')
    if (older)
      await tx
        .update(runs)
        .set({
          state: 'cancelled',
          finishedAt: now,
          detail: `superseded by approved run ${run.id}`,
        })
        .where(eq(runs.id, older.id))
    const [approved] = await tx
      .update(runs)
      .set({
        state: 'pending',
        approval: 'approved',
        approvalBy: by,
        approvalAt: now,
        dueAt: Math.min(Math.max(run.dueAt, now), older?.dueAt ?? Infinity),
      })
      .where(stillAwaiting)
      .returning()
    return { kind: 'approved', run: approved!, replaced: older }
  })
}

/** Requests nobody approved in time: dropped, kept in history as expired. */
const expire = pgPrepared<Run[]>((d) =>
  d
    .update(runs)
    .set({
      state: 'cancelled',
      approval: 'expired',
      detail: 'not approved in time',
      ...placeholders(['approvalAt', 'finishedAt']),
    })
    .where(sql`${runs.state} = 'awaiting_approval' and ${runs.approvalExpiresAt} <= ${p('now')}`)
    .returning()
    .prepare('approvals_expire'),
)

export const expireApprovals = (db: PgDb, now: number): Promise<Run[]> =>
  expire(db, { now, approvalAt: now, finishedAt: now })
