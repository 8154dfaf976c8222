// The worker registry: which bot processes are alive, so runs owned by a dead one are recovered.
import { eq } from 'drizzle-orm'
import type { Db } from './db.ts'
import { workers, type Worker } from './schema.ts'

export function registerWorker(db: Db, now: number, w: { id: string; host: string; pid: number; pidStart: string | null }): Worker {
  return db.insert(workers).values({ ...w, startedAt: now, heartbeatAt: now }).returning().get()
}

export function heartbeat(db: Db, now: number, id: string) {
  db.update(workers).set({ heartbeatAt: now }).where(eq(workers.id, id)).run()
}

export function markStopped(db: Db, now: number, id: string) {
  db.update(workers).set({ stoppedAt: now, heartbeatAt: now }).where(eq(workers.id, id)).run()
}

export const getWorker = (db: Db, id: string) => db.select().from(workers).where(eq(workers.id, id)).get()
