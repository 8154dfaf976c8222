// The outbox: messages stored before they are sent, retried with backoff, resumed after restarts.
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Outgoing, UpdateOut } from '../notify/outgoing.ts'
import type { Db } from './db.ts'
import { outbox, type Door, type OutboxRow } from './schema.ts'

export function enqueueOutgoing(db: Db, now: number, door: Door, messages: Outgoing[], runId?: number | null): OutboxRow[] {
  if (!messages.length) return []
  return db
    .insert(outbox)
    .values(messages.map((payload) => ({ door, runId: runId ?? null, payload, nextAttemptAt: now, createdAt: now })))
    .returning()
    .all()
}

/**
 * Queues an edit, or rewrites one still waiting for the same message: only the newest state of
 * a progress message is worth sending, so a slow Slack never builds a backlog of edits.
 */
export function enqueueUpdate(db: Db, now: number, door: Door, update: UpdateOut, runId: number): void {
  db.transaction(
    (tx) => {
      const waiting = tx
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.door, door), eq(outbox.state, 'pending'), eq(outbox.runId, runId), sql`json_extract(${outbox.payload}, '$.kind') = 'update'`, sql`json_extract(${outbox.payload}, '$.editOf') = ${update.editOf}`))
        .get()
      if (waiting) tx.update(outbox).set({ payload: update }).where(eq(outbox.id, waiting.id)).run()
      else tx.insert(outbox).values({ door, runId, payload: update, nextAttemptAt: now, createdAt: now }).run()
    },
    { behavior: 'immediate' },
  )
}

export const getOutgoing = (db: Db, id: number): OutboxRow | undefined => db.select().from(outbox).where(eq(outbox.id, id)).get()

/** Pending rows of a door in id order (due or not: the deliverer keeps each channel in order). */
export function pendingOutgoing(db: Db, door: Door, limit = 100): OutboxRow[] {
  return db.select().from(outbox).where(and(eq(outbox.door, door), eq(outbox.state, 'pending'))).orderBy(asc(outbox.id)).limit(limit).all()
}

export function markSent(db: Db, now: number, id: number, result: unknown) {
  db.update(outbox).set({ state: 'sent', sentAt: now, attempts: sqlIncrement(), result: result ?? null }).where(eq(outbox.id, id)).run()
}

export function markRetry(db: Db, id: number, nextAttemptAt: number, error: string) {
  db.update(outbox).set({ attempts: sqlIncrement(), nextAttemptAt, lastError: error }).where(eq(outbox.id, id)).run()
}

export function markFailed(db: Db, now: number, id: number, error: string) {
  db.update(outbox).set({ state: 'failed', attempts: sqlIncrement(), sentAt: now, lastError: error }).where(eq(outbox.id, id)).run()
}

export function nextOutboxAttempt(db: Db, door: Door, now: number): number | null {
  const row = db
    .select({ at: outbox.nextAttemptAt })
    .from(outbox)
    .where(and(eq(outbox.door, door), eq(outbox.state, 'pending')))
    .orderBy(asc(outbox.nextAttemptAt))
    .limit(1)
    .get()
  return row ? Math.max(row.at, now) : null
}

/** How many of these runs' messages are still waiting to be delivered. */
export function pendingForRuns(db: Db, door: Door, runIds: number[]): number {
  if (!runIds.length) return 0
  return db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.door, door), eq(outbox.state, 'pending'), inArray(outbox.runId, runIds)))
    .all().length
}

const sqlIncrement = () => sql`${outbox.attempts} + 1`
