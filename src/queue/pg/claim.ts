// Claiming the next due request on PostgreSQL: one UPDATE picking its row with FOR UPDATE SKIP LOCKED.
import { sql } from 'drizzle-orm'
import { placeholders } from '../schedule.ts'
import type { Run } from '../schema.ts'
import { CLAIM_WHERE, CLAIM_WHERE_SKIPPING, withParams } from './claim-sql.ts'
import { LOCK, type PgDb } from './db.ts'
import { pgPrepared, pgRaw } from './prepared.ts'
import { runs } from './schema.ts'

const p = sql.placeholder
const lockClaims = pgRaw(`SELECT pg_advisory_xact_lock(${LOCK.claim}, 0)`)

const claim = (where: string, name: string) =>
  pgPrepared<Run[]>((d) =>
    d
      .update(runs)
      .set({ state: 'running', ...placeholders(['startedAt', 'owner']) })
      .where(withParams(where, [p('now'), p('owner'), p('max'), p('skip')]))
      .returning()
      .prepare(name),
  )
const claimAny = claim(CLAIM_WHERE, 'claim')
const claimSkipping = claim(CLAIM_WHERE_SKIPPING, 'claim_skipping')

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
    await lockClaims(tx, [])
    const [run] = skipTypes.length
      ? await claimSkipping(tx, {
          now,
          startedAt: now,
          owner,
          max,
          skip: JSON.stringify(skipTypes),
        })
      : await claimAny(tx, { now, startedAt: now, owner, max })
    return run
  })
}
