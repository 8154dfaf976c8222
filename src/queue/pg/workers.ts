// The worker registry on PostgreSQL: which bot processes (instances) are alive (see ../workers.ts).
import { and, eq, isNull } from 'drizzle-orm'
import type { Worker } from '../schema.ts'
import type { NewWorker } from '../workers.ts'
import { first, type PgDb } from './db.ts'
import { workers } from './schema.ts'

export async function registerWorker(db: PgDb, now: number, w: NewWorker): Promise<Worker> {
  const [row] = await db
    .insert(workers)
    .values({ ...w, tags: w.tags ?? [], startedAt: now, heartbeatAt: now })
    .returning()
  return row!
}

/** Renews the lease; true when a peer had found this process dead meanwhile. */
export async function heartbeat(db: PgDb, now: number, id: string): Promise<boolean> {
  const live = await db
    .update(workers)
    .set({ heartbeatAt: now })
    .where(and(eq(workers.id, id), isNull(workers.stoppedAt)))
    .returning({ id: workers.id })
  if (live.length) return false
  const back = await db
    .update(workers)
    .set({ heartbeatAt: now, stoppedAt: null })
    .where(eq(workers.id, id))
    .returning({ id: workers.id })
  return back.length === 1
}

export async function markStopped(db: PgDb, now: number, id: string) {
  await db.update(workers).set({ stoppedAt: now, heartbeatAt: now }).where(eq(workers.id, id))
}

export const getWorker = (db: PgDb, id: string) =>
  first(db.select().from(workers).where(eq(workers.id, id)))

export const liveWorkers = (db: PgDb): Promise<Worker[]> =>
  db.select().from(workers).where(isNull(workers.stoppedAt)).orderBy(workers.startedAt)

/** Records a peer found dead: true for exactly one survivor (see ../workers.ts). */
export async function retireWorker(
  db: PgDb,
  now: number,
  id: string,
  heartbeatAt: number,
): Promise<boolean> {
  const rows = await db
    .update(workers)
    .set({ stoppedAt: now })
    .where(and(eq(workers.id, id), isNull(workers.stoppedAt), eq(workers.heartbeatAt, heartbeatAt)))
    .returning({ id: workers.id })
  return rows.length === 1
}
