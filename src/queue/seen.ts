// Deliveries already accepted, so Slack retries and GitHub redeliveries never queue twice.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { prepared } from './prepared.ts'
import { seen } from './schema.ts'

/** True the first time (source, key) is seen; false for a duplicate. */
export function markSeen(
  db: Db,
  now: number,
  source: string,
  key: string,
  runId?: number,
): boolean {
  const p = sql.placeholder
  const stmt = prepared(db, 'seen.mark', (d) =>
    d
      .insert(seen)
      .values({ source: p('source'), key: p('key'), seenAt: p('now'), runId: p('runId') })
      .onConflictDoNothing()
      .returning({ key: seen.key })
      .prepare(),
  )
  return stmt.all({ source, key, now, runId: runId ?? null }).length === 1
}

/**
 * True when (source, key) is new, or was last marked at least `windowMs` ago (the mark is then
 * renewed): "once per window", for presses that may rightly come again later.
 */
export function markSeenWithin(
  db: Db,
  now: number,
  source: string,
  key: string,
  windowMs: number,
  runId?: number,
): boolean {
  const p = sql.placeholder
  // Prepared: every GitHub delivery asks (built per call, it was the costliest statement there).
  const stmt = prepared(db, 'seen.mark_within', (d) =>
    d
      .insert(seen)
      .values({ source: p('source'), key: p('key'), seenAt: p('now'), runId: p('runId') })
      .onConflictDoUpdate({
        target: [seen.source, seen.key],
        set: { seenAt: sql`${p('now')}` },
        setWhere: sql`${seen.seenAt} <= ${p('cutoff')}`,
      })
      .returning({ key: seen.key })
      .prepare(),
  )
  return stmt.all({ source, key, now, runId: runId ?? null, cutoff: now - windowMs }).length === 1
}

/** Releases a key, e.g. a button press that was refused, so a permitted user can press it. */
export function unmarkSeen(db: Db, source: string, key: string): void {
  db.delete(seen)
    .where(and(eq(seen.source, source), eq(seen.key, key)))
    .run()
}

export function isSeen(db: Db, source: string, key: string): boolean {
  const stmt = prepared(db, 'seen.is', (d) =>
    d
      .select({ key: seen.key })
      .from(seen)
      .where(and(eq(seen.source, sql.placeholder('source')), eq(seen.key, sql.placeholder('key'))))
      .prepare(),
  )
  return !!stmt.get({ source, key })
}

/** The run recorded with a key, when the key is known (e.g. what a GitHub delivery queued). */
export function seenRun(db: Db, source: string, key: string): { runId: number | null } | undefined {
  const stmt = prepared(db, 'seen.run', (d) =>
    d
      .select({ runId: seen.runId })
      .from(seen)
      .where(and(eq(seen.source, sql.placeholder('source')), eq(seen.key, sql.placeholder('key'))))
      .prepare(),
  )
  return stmt.get({ source, key })
}
