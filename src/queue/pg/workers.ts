// The worker registry on PostgreSQL: which bot processes are alive.
import { eq } from 'drizzle-orm'
import type { Worker } from '../schema.ts'
import { first, type PgDb } from './db.ts'
import { workers } from './schema.ts'

export async function registerWorker(
  db: PgDb,
  now: number,
  w: { id: string; host: string; pid: number; pidStart: string | null },
): Promise<Worker> {
  const [row] = await db
    .insert(workers)
    .values({ ...w, startedAt: now, heartbeatAt: now })
    .returning()
  return row!
}

export async function heartbeat(db: PgDb, now: number, id: string) {
  await db.update(workers).set({ heartbeatAt: now }).where(eq(workers.id, id))
}

export async function markStopped(db: PgDb, now: number, id: string) {
  await db.update(workers).set({ stoppedAt: now, heartbeatAt: now }).where(eq(workers.id, id))
}

export const getWorker = (db: PgDb, id: string) =>
  first(db.select().from(workers).where(eq(workers.id, id)))
