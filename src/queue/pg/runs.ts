// Transitions of a run on PostgreSQL: cancelling, removing, starting, finishing, quiet, progress.
// Each names the state (and owner) it expects, so a late or duplicate call changes nothing.
import { and, eq, sql } from 'drizzle-orm'
import type { RemoveResult } from '../cancel.ts'
import type { Outcome } from '../finish.ts'
import type { Run } from '../schema.ts'
import { first, LOCK, type PgDb } from './db.ts'
import { runs } from './schema.ts'

export const cancelPending = (db: PgDb, now: number, jobType: string, by: string) =>
  first(
    db
      .update(runs)
      .set({ state: 'cancelled', finishedAt: now, cancelledBy: by })
      .where(and(eq(runs.jobType, jobType), eq(runs.state, 'pending')))
      .returning(),
  )

/** `guard` sees the row first (e.g. to refuse guests on restricted namespaces) and may veto. */
export function removeJob(
  db: PgDb,
  now: number,
  id: number,
  by: string,
  guard: (run: Run) => boolean = () => true,
): Promise<RemoveResult | { kind: 'refused'; run: Run }> {
  return db.transaction(async (tx) => {
    const peek = await first(tx.select().from(runs).where(eq(runs.id, id)))
    if (peek)
      await tx.execute(
        sql`SELECT pg_advisory_xact_lock(${LOCK.jobType}, hashtext(${peek.jobType}))`,
      )
    const run = await first(tx.select().from(runs).where(eq(runs.id, id)).for('update'))
    if (!run || (run.state !== 'pending' && run.state !== 'running'))
      return { kind: 'unknown' as const }
    if (!guard(run)) return { kind: 'refused' as const, run }
    if (run.state === 'pending') {
      const [done] = await tx
        .update(runs)
        .set({ state: 'cancelled', finishedAt: now, cancelledBy: by })
        .where(and(eq(runs.id, id), eq(runs.state, 'pending')))
        .returning()
      return { kind: 'removed' as const, run: done! }
    }
    const [flagged] = await tx
      .update(runs)
      .set({ cancelRequestedBy: by })
      .where(eq(runs.id, id))
      .returning()
    return { kind: 'stopping' as const, run: flagged! }
  })
}

const heldBy = (id: number, owner: string) =>
  and(eq(runs.id, id), eq(runs.state, 'running'), eq(runs.owner, owner))

export const finishRun = (db: PgDb, now: number, id: number, owner: string, outcome: Outcome) =>
  first(
    db
      .update(runs)
      .set({
        state: outcome.state,
        finishedAt: now,
        exitCode: outcome.exitCode ?? null,
        signal: outcome.signal ?? null,
        detail: outcome.detail ?? null,
        ...(outcome.cancelledBy ? { cancelledBy: outcome.cancelledBy } : {}),
      })
      .where(heldBy(id, owner))
      .returning(),
  )

export const recordStart = (
  db: PgDb,
  id: number,
  owner: string,
  fields: { pid: number; pidStart: string | null; stdoutPath: string; stderrPath: string },
) =>
  // Typed as the SQLite statement's answer (Drizzle types its `.get()` as always a row).
  first(db.update(runs).set(fields).where(heldBy(id, owner)).returning()) as Promise<Run>

export const setQuiet = (db: PgDb, id: number, quiet: boolean) =>
  first(db.update(runs).set({ quiet }).where(eq(runs.id, id)).returning())

export async function setProgressMessage(db: PgDb, runId: number, outboxId: number, now: number) {
  await db
    .update(runs)
    .set({ progressOutboxId: outboxId, progressAt: now })
    .where(eq(runs.id, runId))
}

export async function touchProgress(db: PgDb, runId: number, now: number) {
  await db.update(runs).set({ progressAt: now }).where(eq(runs.id, runId))
}
