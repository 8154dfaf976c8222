// Read-only queue figures for /healthz and /metrics: how many requests wait and run, and how late
// the oldest request the dispatcher could start right now is.
import { sql } from 'drizzle-orm'
import type { Db } from './db.ts'

export interface QueueStats {
  queued: number
  running: number
  /** ms since the oldest startable request fell due; 0 when none is waiting */
  lagMs: number
}

/**
 * A request held by a suppression or queued behind a run of its type is waiting by design, so the
 * lag counts only requests the claim would take (the same conditions as the claim in claim.ts, less the
 * parallel limit, which the caller weighs against `running`).
 */
export function queueStats(db: Db, now: number): QueueStats {
  const [row] = db.all<{ queued: number; running: number; oldest: number | null }>(sql`
select
  (select count(*) from runs where state = 'pending') as queued,
  (select count(*) from runs where state = 'running') as running,
  (select min(r.due_at) from runs r
    where r.state = 'pending' and r.due_at <= ${now}
      and not exists (select 1 from runs x where x.job_type = r.job_type and x.state = 'running')
      and not exists (select 1 from suppressions s
                      where s.job_type = r.job_type and s.start_at <= ${now} and s.end_at > ${now})) as oldest`)
  const { queued = 0, running = 0, oldest = null } = row ?? {}
  return { queued, running, lagMs: oldest === null ? 0 : Math.max(0, now - oldest) }
}
