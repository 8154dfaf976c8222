// Queues what a delivery fired, by the chat rules (behaviour §3), in one transaction with the
// delivery id: the id is recorded only if the requests are, so GitHub gets a 2xx only once they
// are committed, and a redelivery after a refusal or a crash is processed normally.
import { and, eq, sql } from 'drizzle-orm'
import { askForApproval } from '../app/approvals.ts'
import { replyDoor, type AppContext } from '../app/context.ts'
import { renderCommand } from '../commands/template.ts'
import { formatUtc } from '../commands/times.ts'
import type { Namespace } from '../config/types.ts'
import type { MessageOut } from '../notify/outgoing.ts'
import type { Db } from '../queue/db.ts'
import { prepared } from '../queue/prepared.ts'
import { enqueueOutgoing } from '../queue/outbox.ts'
import { getRun } from '../queue/read.ts'
import { scheduleRequest, type RequestInput, type ScheduleResult } from '../queue/schedule.ts'
import { seen } from '../queue/schema.ts'
import { markSeen } from '../queue/seen.ts'
import { isActive, openSuppressions } from '../queue/suppress.ts'
import type { Fired } from './triggers.ts'

export const DELIVERY_SOURCE = 'github-delivery'

/** The run a delivery id already queued, if it did (only deliveries that queued are recorded). */
export function deliveryRun(db: Db, delivery: string): { runId: number | null } | undefined {
  const stmt = prepared(db, 'github.delivery_run', (d) =>
    d
      .select({ runId: seen.runId })
      .from(seen)
      .where(and(eq(seen.source, DELIVERY_SOURCE), eq(seen.key, sql.placeholder('id'))))
      .prepare(),
  )
  return stmt.get({ id: delivery })
}

export interface Delivery {
  project: string
  id: string
  event: string
  action?: string
  /** `github:<sender login>` */
  requester: string
}

export type Scheduled = { kind: 'queued'; results: ScheduleResult[] } | { kind: 'duplicate' }

class AlreadyRecorded extends Error {}

export function scheduleDelivery(ctx: AppContext, d: Delivery, fired: Fired[]): Scheduled {
  const { db } = ctx.queue
  const now = ctx.now()
  const requestText = `GitHub ${d.event}${d.action ? ` ${d.action}` : ''} for ${d.project} (delivery ${d.id})`
  try {
    const results = db.transaction(
      (tx) => {
        const q = tx as unknown as Db
        const results = fired.map(({ trigger: t, params }) => {
          const ns = ctx.config.namespaces[t.namespace]!
          const job = ns.jobs[t.job]!
          const req: RequestInput = {
            namespace: t.namespace,
            job: t.job,
            jobType: t.jobType,
            door: 'github',
            requestedBy: d.requester,
            channel: t.channel,
            threadTs: null,
            requestText,
            params,
            command: renderCommand(job.run, params),
            delaySeconds: t.delaySeconds,
          }
          if (job.confirm) {
            // A job that needs confirmation needs it from GitHub too: the prompt (with Approve and
            // Deny) goes to the trigger's channel, and nothing starts until someone decides.
            const asked = askForApproval({ ...ctx, queue: { ...ctx.queue, db: q } }, job, req)
            enqueueOutgoing(
              q,
              now,
              'slack',
              asked.said.map((m) => ({
                kind: 'message' as const,
                purpose: 'notice' as const,
                channel: t.channel,
                threadTs: null,
                ...m,
              })),
              asked.runId,
            )
            return { run: getRun(q, asked.runId!)!, replaced: false }
          }
          // Nested transaction = savepoint: scheduleRequest keeps its own atomic unit inside ours.
          const res = scheduleRequest(q, now, req)
          const notice = suppressedNotice(q, now, ns, t.job, res)
          if (notice) enqueueOutgoing(q, now, replyDoor(res.run), [notice], res.run.id)
          return res
        })
        // A concurrent copy of this delivery committed first: undo ours, answer as a redelivery.
        if (!markSeen(q, now, DELIVERY_SOURCE, d.id, results[0]?.run.id))
          throw new AlreadyRecorded()
        return results
      },
      { behavior: 'immediate' },
    )
    return { kind: 'queued', results }
  } catch (e) {
    if (e instanceof AlreadyRecorded) return { kind: 'duplicate' }
    throw e
  }
}

/** Word to the trigger's channel that the request is held, and the real command to lift it. */
function suppressedNotice(
  db: Db,
  now: number,
  ns: Namespace,
  job: string,
  res: ScheduleResult,
): MessageOut | null {
  const active = openSuppressions(db, now, res.run.jobType).filter((s) => isActive(s, now))
  if (!active.length) return null
  const until = Math.max(...active.map((s) => s.endAt))
  const lift = ns.commands.find((c) => c.action === 'cancel_suppression' && c.job === job)
  return {
    kind: 'message',
    purpose: 'notice',
    channel: res.run.channel,
    threadTs: null,
    text:
      `\`${res.run.jobType}\` runs are suppressed until ${formatUtc(until)}; run ${res.run.id} (${res.run.requestText}) will start then.` +
      (lift
        ? ` To start it sooner, lift the suppression with \`${ns.name} ${lift.pattern}\`.`
        : ''),
  }
}
