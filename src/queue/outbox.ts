// The outbox: messages stored before they are sent, retried with backoff, resumed after restarts.
import { and, asc, eq, sql } from 'drizzle-orm'
import { wellFormed } from '../util/well-formed.ts'
import type { Db } from './db.ts'
import { allOrNothing } from './immediate.ts'
import { literalLimit, prepared } from './prepared.ts'
import { outbox, type Door, type OutboxRow } from './schema.ts'

/**
 * A stored message, as far as the queue needs to know it: the channel (kept in order, moved with
 * it) and, for an edit, the message it edits. The rest is the sending door's business.
 */
export type OutboxMessage = {
  readonly kind: string
  readonly channel: string
  readonly editOf?: number
  readonly [field: string]: unknown
}

const p = sql.placeholder
const insertOne = (db: Db) =>
  prepared(db, 'outbox.insert', (d) =>
    d
      .insert(outbox)
      .values({
        door: p('door'),
        runId: p('runId'),
        payload: p('payload'),
        nextAttemptAt: p('now'),
        createdAt: p('now'),
      })
      // Only the id: the rest of the row is what was just written, so it is not read back (and
      // its payload parsed again) for every reaction and reply.
      .returning({ id: outbox.id })
      .prepare(),
  )

/** Stores messages to send, all or none. */
export function enqueueOutgoing(
  db: Db,
  now: number,
  door: Door,
  messages: OutboxMessage[],
  runId?: number | null,
): OutboxRow[] {
  if (!messages.length) return []
  const insert = insertOne(db)
  const one = (message: OutboxMessage): OutboxRow => {
    const payload = wellFormed(message)
    const { id } = insert.get({ door, runId: runId ?? null, payload, now })!
    return {
      id,
      door,
      runId: runId ?? null,
      payload,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      sentAt: null,
      result: null,
      sender: null,
    }
  }
  return messages.length === 1 ? [one(messages[0]!)] : allOrNothing(db, () => messages.map(one))
}

/**
 * Queues an edit, or rewrites one still waiting for the same message: only the newest state of
 * a progress message is worth sending, so a slow Slack never builds a backlog of edits.
 */
export function enqueueUpdate(
  db: Db,
  now: number,
  door: Door,
  update: OutboxMessage & { readonly editOf: number },
  runId: number,
): void {
  db.transaction(
    (tx) => {
      const waiting = tx
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          and(
            eq(outbox.door, door),
            sql`${outbox.state} = 'pending'`,
            eq(outbox.runId, runId),
            sql`json_extract(${outbox.payload}, '$.kind') = 'update'`,
            sql`json_extract(${outbox.payload}, '$.editOf') = ${update.editOf}`,
          ),
        )
        .get()
      if (waiting)
        tx.update(outbox)
          .set({ payload: wellFormed(update) })
          .where(eq(outbox.id, waiting.id))
          .run()
      else
        tx.insert(outbox)
          .values({ door, runId, payload: wellFormed(update), nextAttemptAt: now, createdAt: now })
          .run()
    },
    { behavior: 'immediate' },
  )
}

export const getOutgoing = (db: Db, id: number): OutboxRow | undefined =>
  db.select().from(outbox).where(eq(outbox.id, id)).get()

/** Pending rows of a door in id order (due or not: the deliverer keeps each channel in order). */
export function pendingOutgoing(db: Db, door: Door, limit = 100): OutboxRow[] {
  // Literal state: read from outbox_pending_idx in id order, never touching sent rows.
  const stmt = prepared(db, 'outbox.pending', (d) =>
    d
      .select()
      .from(outbox)
      .where(and(eq(outbox.door, p('door')), sql`${outbox.state} = 'pending'`))
      .orderBy(asc(outbox.id))
      .limit(p('limit'))
      .prepare(),
  )
  return stmt.all({ door, limit })
}

/**
 * The oldest pending row of each channel of a door, oldest first: what can go next without any
 * message overtaking an earlier one in its channel. A flooded or rate-limited channel shows here
 * as one row, so it never hides the other channels' messages behind its backlog.
 */
export function outboxHeads(db: Db, door: Door, limit = 500): OutboxRow[] {
  return prepared(db, `outbox.heads.${door}.${limit}`, (d) =>
    headsStatement(d, door, limit).prepare(),
  ).all()
}

/** The heads statement's SQL, for a check of its query plan. */
export const outboxHeadsSql = (db: Db) => headsStatement(db, 'slack', 500).toSQL()

/**
 * The door and the limit are written into the statement, one statement per door. Bound, each
 * cost SQLite a new plan on every call: a bound LIMIT is read while planning, and with the door
 * bound the five index searches took about 90 µs a call with nothing pending (6 µs written in),
 * the largest single cost of the outbox deliverer.
 */
function headsStatement(db: Db, door: Door, limit: number) {
  // A skip over outbox_channel_idx: each step finds the next channel after the last, then that
  // channel's oldest row, so the cost grows with the channels waiting, not with their backlog.
  // The expression is spelled as in the index, or SQLite would not use it. Rows without a proper
  // channel (none are written so) are one more head, so they are still tried and settled.
  const channel = sql.raw(`json_extract(payload, '$.channel')`)
  const pending = sql`door = ${sql.raw(`'${door.replaceAll("'", "''")}'`)} and state = 'pending'`
  return db
    .select()
    .from(outbox)
    .where(
      sql`${outbox.id} in (
        with recursive ch(c) as (
          select (select ${channel} from outbox where ${pending} and ${channel} > ''
            order by ${channel} limit 1)
          union all
          select (select ${channel} from outbox where ${pending} and ${channel} > ch.c
            order by ${channel} limit 1)
          from ch where ch.c is not null)
        select (select min(id) from outbox where ${pending} and ${channel} = ch.c)
        from ch where ch.c is not null
        union all
        select min(id) from outbox where ${pending} and ${channel} is null
        union all
        select min(id) from outbox where ${pending} and ${channel} <= '')`,
    )
    .orderBy(asc(outbox.id))
    .limit(literalLimit(limit))
}

export function markSent(db: Db, now: number, id: number, result: unknown) {
  const stmt = prepared(db, 'outbox.sent', (d) =>
    d
      .update(outbox)
      .set({
        state: 'sent',
        sentAt: sql`${p('now')}`,
        attempts: sqlIncrement(),
        result: p('result') as never,
        // Sent: it is no longer in flight (an earlier attempt's error stays, as history).
        lastError: sql`nullif(${outbox.lastError}, ${IN_FLIGHT})`,
      })
      .where(eq(outbox.id, p('id')))
      .prepare(),
  )
  stmt.run({ now, id, result: result ?? null })
}

/** What `last_error` holds while a message is being sent: still there after a restart, it was in flight at a crash. */
export const IN_FLIGHT = 'in flight: the bot stopped while sending it'

/**
 * How long after its sender was found dead a message it was sending is taken over: a request the
 * dead process made may still be carried out by the transport meanwhile (Slack answering late),
 * and the survivor's look for it (by its outbox id) must come after, or it would post it again.
 */
export const TAKEOVER_SETTLE_MS = 5000

/**
 * Takes a due message to send it: true when this sender now holds it. A message another living
 * bot process holds is left to it, so several instances never send one message twice; one whose
 * sender stopped or was found dead (its workers row has stopped_at) is taken over, once that
 * has settled (TAKEOVER_SETTLE_MS). `inFlight`
 * also marks it as being sent, so whoever resumes it after a crash looks for it first.
 */
export function takeOutgoing(
  db: Db,
  now: number,
  id: number,
  sender: string,
  inFlight: boolean,
): boolean {
  const stmt = prepared(db, 'outbox.take', (d) =>
    d
      .update(outbox)
      .set({
        sender: sql`${p('sender')}`,
        lastError: sql`case when ${p('inFlight')} then ${IN_FLIGHT} else ${outbox.lastError} end`,
      })
      .where(
        sql`${outbox.id} = ${p('id')} and ${outbox.state} = 'pending'
          and ${outbox.nextAttemptAt} <= ${p('now')}
          and (${outbox.sender} is null or ${outbox.sender} = ${p('sender')} or not exists (
            select 1 from workers w where w.id = ${outbox.sender}
              and (w.stopped_at is null or w.stopped_at > ${p('now')} - ${TAKEOVER_SETTLE_MS})))`,
      )
      .returning({ id: outbox.id })
      .prepare(),
  )
  return stmt.all({ id, now, sender, inFlight: inFlight ? 1 : 0 }).length === 1
}

export function markRetry(db: Db, id: number, nextAttemptAt: number, error: string) {
  db.update(outbox)
    .set({ attempts: sqlIncrement(), nextAttemptAt, lastError: error, sender: null })
    .where(eq(outbox.id, id))
    .run()
}

export function markFailed(db: Db, now: number, id: number, error: string) {
  db.update(outbox)
    .set({ state: 'failed', attempts: sqlIncrement(), sentAt: now, lastError: error })
    .where(eq(outbox.id, id))
    .run()
}

const sqlIncrement = () => sql`${outbox.attempts} + 1`
