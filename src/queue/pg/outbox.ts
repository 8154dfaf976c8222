// The outbox on PostgreSQL: messages stored before they are sent, retried, resumed after restarts.
import { and, asc, count, eq, min, sql } from 'drizzle-orm'
import { IN_FLIGHT, type OutboxMessage, TAKEOVER_SETTLE_MS } from '../outbox.ts'
import type { OutboxBacklog } from '../outbox-stats.ts'
import type { Door, OutboxRow } from '../schema.ts'
import { first, type PgDb } from './db.ts'
import { outbox } from './schema.ts'

/** Stores messages to send, all or none (one INSERT). */
export async function enqueueOutgoing(
  db: PgDb,
  now: number,
  door: Door,
  messages: OutboxMessage[],
  runId?: number | null,
): Promise<OutboxRow[]> {
  if (!messages.length) return []
  const rows = await db
    .insert(outbox)
    .values(
      messages.map((payload) => ({
        door,
        runId: runId ?? null,
        payload,
        nextAttemptAt: now,
        createdAt: now,
      })),
    )
    .returning()
  return rows.sort((a, b) => a.id - b.id)
}

/** Queues an edit, or rewrites one still waiting for the same message (only the newest matters). */
export async function enqueueUpdate(
  db: PgDb,
  now: number,
  door: Door,
  update: OutboxMessage & { readonly editOf: number },
  runId: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    // Two edits of one message at once: the second waits, then finds the first's row.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('outbox.update'), ${update.editOf})`)
    const waiting = await first(
      tx
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          and(
            eq(outbox.door, door),
            sql`${outbox.state} = 'pending'`,
            eq(outbox.runId, runId),
            sql`${outbox.payload}->>'kind' = 'update'`,
            sql`${outbox.payload}->>'editOf' = ${String(update.editOf)}`,
          ),
        ),
    )
    if (waiting) await tx.update(outbox).set({ payload: update }).where(eq(outbox.id, waiting.id))
    else
      await tx
        .insert(outbox)
        .values({ door, runId, payload: update, nextAttemptAt: now, createdAt: now })
  })
}

export const getOutgoing = (db: PgDb, id: number) =>
  first(db.select().from(outbox).where(eq(outbox.id, id)))

/** Pending rows of a door in id order (due or not: the deliverer keeps each channel in order). */
export const pendingOutgoing = (db: PgDb, door: Door, limit = 100): Promise<OutboxRow[]> =>
  db
    .select()
    .from(outbox)
    .where(and(eq(outbox.door, door), sql`${outbox.state} = 'pending'`))
    .orderBy(asc(outbox.id))
    .limit(limit)

/** The oldest pending row of each channel of a door, oldest first (see ../outbox.ts). */
export const outboxHeads = (db: PgDb, door: Door, limit = 500): Promise<OutboxRow[]> =>
  db
    .select()
    .from(outbox)
    .where(
      sql`${outbox.id} in (
        select min(id) from outbox
        where door = ${door} and state = 'pending'
        group by payload->>'channel')`,
    )
    .orderBy(asc(outbox.id))
    .limit(limit)

/** Messages waiting per door and the oldest one's age, for /metrics. */
export async function outboxBacklog(db: PgDb): Promise<OutboxBacklog[]> {
  const rows = await db
    .select({ door: outbox.door, pending: count(), oldestAt: min(outbox.createdAt) })
    .from(outbox)
    .where(sql`${outbox.state} = 'pending'`)
    .groupBy(outbox.door)
  return rows.map((r) => ({ door: r.door, pending: r.pending, oldestAt: Number(r.oldestAt ?? 0) }))
}

const increment = () => sql`${outbox.attempts} + 1`

export async function markSent(db: PgDb, now: number, id: number, result: unknown) {
  await db
    .update(outbox)
    .set({
      state: 'sent',
      sentAt: now,
      attempts: increment(),
      result: result ?? null,
      lastError: sql`nullif(${outbox.lastError}, ${IN_FLIGHT})`,
    })
    .where(eq(outbox.id, id))
}

/** Takes a due message to send it: see ../outbox.ts takeOutgoing. */
export async function takeOutgoing(
  db: PgDb,
  now: number,
  id: number,
  sender: string,
  inFlight: boolean,
): Promise<boolean> {
  const rows = await db
    .update(outbox)
    .set({
      sender,
      lastError: inFlight ? IN_FLIGHT : sql`${outbox.lastError}`,
    })
    .where(
      sql`${outbox.id} = ${id} and ${outbox.state} = 'pending' and ${outbox.nextAttemptAt} <= ${now}
        and (${outbox.sender} is null or ${outbox.sender} = ${sender} or not exists (
          select 1 from workers w where w.id = ${outbox.sender}
            and (w.stopped_at is null or w.stopped_at > ${now - TAKEOVER_SETTLE_MS})))`,
    )
    .returning({ id: outbox.id })
  return rows.length === 1
}

export async function markRetry(db: PgDb, id: number, nextAttemptAt: number, error: string) {
  await db
    .update(outbox)
    .set({ attempts: increment(), nextAttemptAt, lastError: error, sender: null })
    .where(eq(outbox.id, id))
}

export async function markFailed(db: PgDb, now: number, id: number, error: string) {
  await db
    .update(outbox)
    .set({ state: 'failed', attempts: increment(), sentAt: now, lastError: error })
    .where(eq(outbox.id, id))
}
