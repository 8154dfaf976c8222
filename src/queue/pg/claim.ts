// Claiming the next due request on PostgreSQL: one UPDATE picking its row with FOR UPDATE SKIP LOCKED.
import { sql } from 'drizzle-orm'
import type { Run } from '../schema.ts'
import { CLAIM_WHERE, CLAIM_WHERE_SKIPPING, withParams } from './claim-sql.ts'
import { first, LOCK, type PgDb } from './db.ts'
import { runs } from './schema.ts'

/**
 * The same rules as the SQLite claim (due, type idle, not suppressed, under `max` running in the
 * whole database). Claims take one advisory lock first: see CLAIM_WHERE for why.
 */
export function claimNext(
  db: PgDb,
  now: number,
  owner: string,
  max: number,
  skipTypes: readonly string[] = [],
): Promise<Run | undefined> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK.claim}, 0)`)
    return first(
      tx
        .update(runs)
        .set({ state: 'running', startedAt: now, owner })
        .where(
          skipTypes.length
            ? withParams(CLAIM_WHERE_SKIPPING, [now, owner, max, JSON.stringify(skipTypes)])
            : withParams(CLAIM_WHERE, [now, owner, max]),
        )
        .returning(),
    )
  })
}
