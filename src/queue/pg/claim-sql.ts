// The PostgreSQL claim's SQL: one UPDATE whose subquery picks the next startable request with
// FOR UPDATE SKIP LOCKED. Shared by the queue and its client benchmark, so both measure one text.
import { type SQL, sql } from 'drizzle-orm'

/**
 * Parameters: $1 now (epoch ms), $3 max running. The same rules as the SQLite claim: due, no run
 * of its type going, no active suppression, fewer than $3 runs going in the whole database.
 * Under READ COMMITTED two claims in flight would each count the running rows without the
 * other's and together pass max_parallel (or both pick the one idle type, and one fails on the
 * unique index), so every claim first takes one transaction-scoped advisory lock: claims run
 * one after the other, each seeing the last one's commit. SKIP LOCKED passes over a pending row
 * another transaction is rewriting (a newer request replacing it) instead of waiting for it.
 */
const claimWhere = (skip: string) => `runs.id = (SELECT r.id FROM runs r
              WHERE r.state = 'pending' AND r.due_at <= $1${skip}
                AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.job_type = r.job_type AND x.state = 'running')
                AND NOT EXISTS (SELECT 1 FROM suppressions s
                                WHERE s.job_type = r.job_type AND s.start_at <= $1 AND s.end_at > $1)
              ORDER BY r.due_at, r.id
              LIMIT 1
              FOR UPDATE SKIP LOCKED)
    AND (SELECT count(*) FROM runs WHERE state = 'running') < $3`

export const CLAIM_WHERE = claimWhere('')

/** The same, leaving out the job types in $4 (a JSON array): runs_on tags this instance lacks. */
export const CLAIM_WHERE_SKIPPING = claimWhere(
  `\n                AND r.job_type NOT IN (SELECT jsonb_array_elements_text($4::jsonb))`,
)

/** The whole claim as one text ($2 the owner), for a raw client. */
export const CLAIM_SQL = `UPDATE runs SET state = 'running', started_at = $1, owner = $2 WHERE ${CLAIM_WHERE} RETURNING *`

/** A `$n` SQL text with its parameters as a Drizzle query, each parameter bound (never inlined). */
export function withParams(text: string, params: unknown[]): SQL {
  const parts = text.split(/\$(\d+)/)
  const chunks: SQL[] = []
  for (let i = 0; i < parts.length; i++)
    chunks.push(i % 2 ? sql`${params[Number(parts[i]) - 1]}` : sql.raw(parts[i]!))
  return sql.join(chunks)
}
