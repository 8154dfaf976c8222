// Requests on PostgreSQL: scheduling (one pending per type, the newer replaces it), approvals,
// and the command written once the id is known. Read-then-write transitions lock their job type.
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Decided } from '../approval.ts'
import { requestColumns, type RequestInput, type ScheduleResult } from '../schedule.ts'
import type { Run } from '../schema.ts'
import { first, LOCK, type PgDb } from './db.ts'
import { runs } from './schema.ts'

const lockType = (db: PgDb, jobType: string) =>
  db.execute(sql`SELECT pg_advisory_xact_lock(${LOCK.jobType}, hashtext(${jobType}))`)

const ofType = (db: PgDb, jobType: string, state: 'running' | 'pending') =>
  first(
    db
      .select()
      .from(runs)
      .where(and(eq(runs.jobType, jobType), eq(runs.state, state))),
  )

export function scheduleRequest(db: PgDb, now: number, req: RequestInput): Promise<ScheduleResult> {
  return db.transaction(async (tx) => {
    await lockType(tx, req.jobType)
    const dueAt = now + req.delaySeconds * 1000
    const behind = await ofType(tx, req.jobType, 'running')
    const pending = await ofType(tx, req.jobType, 'pending')
    const fields = requestColumns(req)
    if (pending) {
      // The newer request wins everything but the start time: repeats never push a deploy back.
      const [run] = await tx
        .update(runs)
        .set({ ...fields, dueAt: Math.min(pending.dueAt, dueAt) })
        .where(eq(runs.id, pending.id))
        .returning()
      return { run: run!, replaced: true, behind, previous: pending }
    }
    const [run] = await tx
      .insert(runs)
      .values({
        ...fields,
        namespace: req.namespace,
        job: req.job,
        jobType: req.jobType,
        state: 'pending',
        dueAt,
        queuedAt: now,
      })
      .returning()
    return { run: run!, replaced: false, behind }
  })
}

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
    const older = await ofType(tx, run.jobType, 'pending')
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
export const expireApprovals = (db: PgDb, now: number): Promise<Run[]> =>
  db
    .update(runs)
    .set({
      state: 'cancelled',
      approval: 'expired',
      approvalAt: now,
      finishedAt: now,
      detail: 'not approved in time',
    })
    .where(sql`${runs.state} = 'awaiting_approval' and ${runs.approvalExpiresAt} <= ${now}`)
    .returning()
