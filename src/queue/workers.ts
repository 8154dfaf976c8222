// The worker registry: which bot processes are alive, so runs owned by a dead one are recovered.
import { eq, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { prepared } from './prepared.ts'
import { workers, type Worker } from './schema.ts'

export function registerWorker(
  db: Db,
  now: number,
  w: { id: string; host: string; pid: number; pidStart: string | null },
): Worker {
  return db
    .insert(workers)
    .values({ ...w, startedAt: now, heartbeatAt: now })
    .returning()
    .get()
}

export function heartbeat(db: Db, now: number, id: string) {
  prepared(db, 'workers.heartbeat', (d) =>
    d
      .update(workers)
      .set({ heartbeatAt: sql`${sql.placeholder('now')}` })
      .where(eq(workers.id, sql.placeholder('id')))
      .prepare(),
  ).run({ now, id })
}

export function markStopped(db: Db, now: number, id: string) {
  db.update(workers).set({ stoppedAt: now, heartbeatAt: now }).where(eq(workers.id, id)).run()
}

export const getWorker = (db: Db, id: string) =>
  db.select().from(workers).where(eq(workers.id, id)).get()
