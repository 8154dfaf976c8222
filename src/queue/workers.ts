// The worker registry: which bot processes (instances) are alive, with their tags, so runs and
// outbox messages held by a dead one are taken over by a survivor.
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { prepared } from './prepared.ts'
import { workers, type Worker } from './schema.ts'

export interface NewWorker {
  id: string
  host: string
  pid: number
  pidStart: string | null
  tags?: string[]
}

export function registerWorker(db: Db, now: number, w: NewWorker): Worker {
  return db
    .insert(workers)
    .values({ ...w, tags: w.tags ?? [], startedAt: now, heartbeatAt: now })
    .returning()
    .get()
}

/**
 * Renews this process's lease. True when a peer had found it dead meanwhile (it did not beat
 * within the lease: paused, cut off): it is alive again from now on, but what it held was taken over.
 */
export function heartbeat(db: Db, now: number, id: string): boolean {
  const live = prepared(db, 'workers.heartbeat', (d) =>
    d
      .update(workers)
      .set({ heartbeatAt: sql`${sql.placeholder('now')}` })
      .where(and(eq(workers.id, sql.placeholder('id')), isNull(workers.stoppedAt)))
      .returning({ id: workers.id })
      .prepare(),
  ).all({ now, id })
  if (live.length) return false
  return (
    db
      .update(workers)
      .set({ heartbeatAt: now, stoppedAt: null })
      .where(eq(workers.id, id))
      .returning({ id: workers.id })
      .all().length === 1
  )
}

export function markStopped(db: Db, now: number, id: string) {
  db.update(workers).set({ stoppedAt: now, heartbeatAt: now }).where(eq(workers.id, id)).run()
}

export const getWorker = (db: Db, id: string) =>
  db.select().from(workers).where(eq(workers.id, id)).get()

/** The instances not known to have stopped, oldest first. */
export const liveWorkers = (db: Db): Worker[] =>
  db.select().from(workers).where(isNull(workers.stoppedAt)).orderBy(workers.startedAt).all()

/**
 * Records a peer found dead, unless it beat since `heartbeatAt` was read or another survivor
 * recorded it first: true for exactly one caller, which then reports what it held.
 */
export const retireWorker = (db: Db, now: number, id: string, heartbeatAt: number): boolean =>
  db
    .update(workers)
    .set({ stoppedAt: now })
    .where(and(eq(workers.id, id), isNull(workers.stoppedAt), eq(workers.heartbeatAt, heartbeatAt)))
    .returning({ id: workers.id })
    .all().length === 1
