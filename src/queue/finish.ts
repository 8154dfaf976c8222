// Recording how a run ended. Each transition names the state and owner it expects, and says
// whether it matched, so a late or duplicate finish can never overwrite another outcome.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './db.ts'
import { prepared } from './prepared.ts'
import { runs, type Run, type RunState } from './schema.ts'

const p = sql.placeholder
// The running row of this id under this owner: a late or duplicate transition matches nothing.
const heldBy = () =>
  and(eq(runs.id, p('id')), sql`${runs.state} = 'running'`, eq(runs.owner, p('owner')))

export interface Outcome {
  state: Extract<RunState, 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'lost'>
  exitCode?: number | null
  signal?: string | null
  detail?: string | null
  cancelledBy?: string | null
}

export function finishRun(
  db: Db,
  now: number,
  id: number,
  owner: string,
  outcome: Outcome,
): Run | undefined {
  // Prepared: every run ends here (building the statement per call cost several times its run).
  const stmt = prepared(db, 'finish.run', (d) =>
    d
      .update(runs)
      .set({
        state: sql`${p('state')}`,
        finishedAt: sql`${p('now')}`,
        exitCode: sql`${p('exitCode')}`,
        signal: sql`${p('signal')}`,
        detail: sql`${p('detail')}`,
        // A cancel names who cancelled; any other ending keeps whatever was recorded.
        cancelledBy: sql`coalesce(${p('cancelledBy')}, ${runs.cancelledBy})`,
      })
      .where(heldBy())
      .returning()
      .prepare(),
  )
  return stmt.get({
    id,
    owner,
    now,
    state: outcome.state,
    exitCode: outcome.exitCode ?? null,
    signal: outcome.signal ?? null,
    detail: outcome.detail ?? null,
    cancelledBy: outcome.cancelledBy || null,
  })
}

/** Records the process and log files once spawned; only while this owner still holds the run. */
export function recordStart(
  db: Db,
  id: number,
  owner: string,
  fields: { pid: number; pidStart: string | null; stdoutPath: string; stderrPath: string },
) {
  const stmt = prepared(db, 'finish.start', (d) =>
    d
      .update(runs)
      .set({
        pid: sql`${p('pid')}`,
        pidStart: sql`${p('pidStart')}`,
        stdoutPath: sql`${p('stdoutPath')}`,
        stderrPath: sql`${p('stderrPath')}`,
      })
      .where(heldBy())
      .returning()
      .prepare(),
  )
  return stmt.get({ id, owner, ...fields })
}
