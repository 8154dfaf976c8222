// Confirmation of `confirm: true` jobs. A request waits in `awaiting_approval` (which the claim
// never picks) until the requester or an approver decides, or it expires. Every transition is
// conditioned on the row still awaiting, so a double click or two approvers at once decide once.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { prepared } from './prepared.ts'
import type { RequestInput } from './schedule.ts'
import { runs, type Run } from './schema.ts'

export function requestApproval(db: Db, now: number, req: RequestInput, expiresAt: number): Run {
  const { delaySeconds, ...fields } = req
  return db
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
    .get()
}

export type Decided =
  | { kind: 'approved'; run: Run; replaced?: Run }
  | { kind: 'denied'; run: Run }
  | { kind: 'not_awaiting'; run?: Run }

/**
 * Approving makes the request pending under the usual rule (one pending request per type): an
 * older pending request of the type is superseded, and the approved one keeps the earlier start.
 */
export function decideApproval(
  db: Db,
  now: number,
  id: number,
  by: string,
  approve: boolean,
): Decided {
  return db.transaction(
    (tx) => {
      const run = tx.select().from(runs).where(eq(runs.id, id)).get()
      if (run?.state !== 'awaiting_approval') return { kind: 'not_awaiting' as const, run }
      if (!approve) {
        const denied = tx
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
          .where(and(eq(runs.id, id), eq(runs.state, 'awaiting_approval')))
          .returning()
          .get()!
        return { kind: 'denied' as const, run: denied }
      }
      const older = tx
        .select()
        .from(runs)
        .where(and(eq(runs.jobType, run.jobType), eq(runs.state, 'pending')))
        .get()
      if (older) {
        tx.update(runs)
          .set({
            state: 'cancelled',
            finishedAt: now,
            detail: `superseded by approved run ${run.id}`,
          })
          .where(eq(runs.id, older.id))
          .run()
      }
      const approved = tx
        .update(runs)
        .set({
          state: 'pending',
          approval: 'approved',
          approvalBy: by,
          approvalAt: now,
          dueAt: Math.min(Math.max(run.dueAt, now), older?.dueAt ?? Infinity),
        })
        .where(and(eq(runs.id, id), eq(runs.state, 'awaiting_approval')))
        .returning()
        .get()!
      return { kind: 'approved' as const, run: approved, replaced: older }
    },
    { behavior: 'immediate' },
  )
}

/** Requests nobody approved in time: dropped, kept in history as expired. */
export function expireApprovals(db: Db, now: number): Run[] {
  const stmt = prepared(db, 'approval.expire', (d) =>
    d
      .update(runs)
      .set({
        state: 'cancelled',
        approval: 'expired',
        approvalAt: sql`${sql.placeholder('now')}`,
        finishedAt: sql`${sql.placeholder('now')}`,
        detail: 'not approved in time',
      })
      // Literal state: served by runs_awaiting_idx, checked on every dispatcher pass.
      .where(
        sql`${runs.state} = 'awaiting_approval' and ${runs.approvalExpiresAt} <= ${sql.placeholder('now')}`,
      )
      .returning()
      .prepare(),
  )
  return stmt.all({ now })
}
