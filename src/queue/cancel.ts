// Dropping requests: `cancel job` (the pending request of a type) and `remove job id N`.
// Pending rows are kept as cancelled history; a running one is only flagged, and the dispatcher
// that owns its process stops it (the row stays running until the process group is gone).
import { and, eq } from 'drizzle-orm'
import type { Db } from './db.ts'
import { runs, type Run } from './schema.ts'

export function cancelPending(db: Db, now: number, jobType: string, by: string): Run | undefined {
  return db
    .update(runs)
    .set({ state: 'cancelled', finishedAt: now, cancelledBy: by })
    .where(and(eq(runs.jobType, jobType), eq(runs.state, 'pending')))
    .returning()
    .get()
}

export type RemoveResult =
  | { kind: 'removed'; run: Run }
  | { kind: 'stopping'; run: Run }
  | { kind: 'unknown' }

/** `guard` sees the row first (e.g. to refuse guests on restricted namespaces) and may veto. */
export function removeJob(
  db: Db,
  now: number,
  id: number,
  by: string,
  guard: (run: Run) => boolean = () => true,
): RemoveResult | { kind: 'refused'; run: Run } {
  return db.transaction(
    (tx) => {
      const run = tx.select().from(runs).where(eq(runs.id, id)).get()
      if (!run || (run.state !== 'pending' && run.state !== 'running'))
        return { kind: 'unknown' as const }
      if (!guard(run)) return { kind: 'refused' as const, run }
      if (run.state === 'pending') {
        const done = tx
          .update(runs)
          .set({ state: 'cancelled', finishedAt: now, cancelledBy: by })
          .where(and(eq(runs.id, id), eq(runs.state, 'pending')))
          .returning()
          .get()!
        return { kind: 'removed' as const, run: done }
      }
      const flagged = tx
        .update(runs)
        .set({ cancelRequestedBy: by })
        .where(eq(runs.id, id))
        .returning()
        .get()!
      return { kind: 'stopping' as const, run: flagged }
    },
    { behavior: 'immediate' },
  )
}
