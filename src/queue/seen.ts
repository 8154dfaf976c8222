// Deliveries already accepted, so Slack retries and GitHub redeliveries never queue twice.
import { and, eq } from 'drizzle-orm'
import type { Db } from './db.ts'
import { seen } from './schema.ts'

/** True the first time (source, key) is seen; false for a duplicate. */
export function markSeen(db: Db, now: number, source: string, key: string, runId?: number): boolean {
  const rows = db.insert(seen).values({ source, key, seenAt: now, runId: runId ?? null }).onConflictDoNothing().returning().all()
  return rows.length === 1
}

/** Releases a key, e.g. a button press that was refused, so a permitted user can press it. */
export function unmarkSeen(db: Db, source: string, key: string): void {
  db.delete(seen).where(and(eq(seen.source, source), eq(seen.key, key))).run()
}

export function isSeen(db: Db, source: string, key: string): boolean {
  return !!db.select({ key: seen.key }).from(seen).where(and(eq(seen.source, source), eq(seen.key, key))).get()
}
