// Recording how a run ended. Each transition names the state and owner it expects, and says
// whether it matched, so a late or duplicate finish can never overwrite another outcome.
import { and, eq } from 'drizzle-orm'
import type { Db } from './db.ts'
import { runs, type Run, type RunState } from './schema.ts'

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
  return db
    .update(runs)
    .set({
      state: outcome.state,
      finishedAt: now,
      exitCode: outcome.exitCode ?? null,
      signal: outcome.signal ?? null,
      detail: outcome.detail ?? null,
      ...(outcome.cancelledBy ? { cancelledBy: outcome.cancelledBy } : {}),
    })
    .where(and(eq(runs.id, id), eq(runs.state, 'running'), eq(runs.owner, owner)))
    .returning()
    .get()
}

/** Records the process and log files once spawned; only while this owner still holds the run. */
export function recordStart(
  db: Db,
  id: number,
  owner: string,
  fields: { pid: number; pidStart: string | null; stdoutPath: string; stderrPath: string },
) {
  return db
    .update(runs)
    .set(fields)
    .where(and(eq(runs.id, id), eq(runs.state, 'running'), eq(runs.owner, owner)))
    .returning()
    .get()
}
