// The outbox backlog for /metrics: messages waiting per door, and how long the oldest has waited.
import { count, min, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { outbox, type Door } from './schema.ts'

export interface OutboxBacklog {
  door: Door
  pending: number
  /** created_at of the oldest pending message */
  oldestAt: number
}

/** Pending rows only, served by the partial index on pending rows, however long the history. */
export function outboxBacklog(db: Db): OutboxBacklog[] {
  return db
    .select({ door: outbox.door, pending: count(), oldestAt: min(outbox.createdAt) })
    .from(outbox)
    .where(sql`${outbox.state} = 'pending'`)
    .groupBy(outbox.door)
    .all()
    .map((r) => ({ door: r.door, pending: r.pending, oldestAt: r.oldestAt ?? 0 }))
}
