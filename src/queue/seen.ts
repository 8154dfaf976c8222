// Deliveries already accepted, so Slack retries and GitHub redeliveries never queue twice.
import type { Db } from './db.ts'
import { seen } from './schema.ts'

/** True the first time (source, key) is seen; false for a duplicate. */
export function markSeen(db: Db, now: number, source: string, key: string, runId?: number): boolean {
  const rows = db.insert(seen).values({ source, key, seenAt: now, runId: runId ?? null }).onConflictDoNothing().returning().all()
  return rows.length === 1
}
