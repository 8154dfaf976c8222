// Scheduling a request (behaviour §3), one IMMEDIATE transaction so chat and webhooks racing
// on the same job type cannot leave two pending rows (the unique index would refuse it anyway).
import { and, eq } from 'drizzle-orm'
import type { Db } from './db.ts'
import { runs, type Door, type Run } from './schema.ts'

export interface RequestInput {
  namespace: string
  job: string
  jobType: string
  door: Door
  requestedBy: string
  channel: string
  threadTs?: string | null
  messageTs?: string | null
  isDm?: boolean
  requestText: string
  params: Record<string, string>
  command: string
  delaySeconds: number
}

export interface ScheduleResult {
  run: Run
  /** a pending request of the type existed and was updated instead of adding another */
  replaced: boolean
  /** a run of the type is going; this request waits for it */
  behind?: Run
}

export function scheduleRequest(db: Db, now: number, req: RequestInput): ScheduleResult {
  return db.transaction(
    (tx) => {
      const dueAt = now + req.delaySeconds * 1000
      const behind = tx.select().from(runs).where(and(eq(runs.jobType, req.jobType), eq(runs.state, 'running'))).get()
      const pending = tx.select().from(runs).where(and(eq(runs.jobType, req.jobType), eq(runs.state, 'pending'))).get()
      const fields = {
        door: req.door,
        requestedBy: req.requestedBy,
        channel: req.channel,
        threadTs: req.threadTs ?? null,
        messageTs: req.messageTs ?? null,
        isDm: req.isDm ?? false,
        requestText: req.requestText,
        params: req.params,
        command: req.command,
      }
      if (pending) {
        // The newer request wins everything but the start time: repeats never push a deploy back.
        const run = tx
          .update(runs)
          .set({ ...fields, dueAt: Math.min(pending.dueAt, dueAt) })
          .where(eq(runs.id, pending.id))
          .returning()
          .get()
        return { run, replaced: true, behind }
      }
      const run = tx
        .insert(runs)
        .values({ ...fields, namespace: req.namespace, job: req.job, jobType: req.jobType, state: 'pending', dueAt, queuedAt: now })
        .returning()
        .get()
      return { run, replaced: false, behind }
    },
    { behavior: 'immediate' },
  )
}
