// A trigger fired (a GitHub delivery matched, and next a schedule's slot or a web page's button):
// it becomes a request by the same rules as a typed command. A job that needs confirmation asks
// for it in the trigger's channel; a request held by a suppression says so there, with the
// command that lifts it. Runs inside the caller's unit of work.
import { formatUtc } from '../commands/times.ts'
import type { Namespace } from '../config/types.ts'
import type { MessageOut } from './door.ts'
import type { QueueOps } from '../queue/queue.ts'
import type { ScheduleResult } from '../queue/schedule.ts'
import type { Door } from '../queue/schema.ts'
import { isActive } from '../queue/suppress.ts'
import { askForApproval } from './approvals.ts'
import { replyDoor, type AppContext } from './context.ts'
import { tellReplaced } from './replaced-notice.ts'
import { requestFor } from './request.ts'

/** What fired: the job, its params, and the channel its answers go to. */
export interface Firing {
  namespace: string
  job: string
  channel: string
  params: Record<string, string>
  delaySeconds: number
}

/** Who fired it, for the request's history. */
export interface FiredBy {
  door: Door
  requestedBy: string
  requestText: string
}

export async function requestFromTrigger(
  ctx: AppContext,
  by: FiredBy,
  f: Firing,
): Promise<ScheduleResult> {
  const q = ctx.queue
  const now = ctx.now()
  const ns = ctx.config.namespaces[f.namespace]!
  const job = ns.jobs[f.job]!
  const from = { door: by.door, user: by.requestedBy, channel: f.channel }
  const req = requestFor(from, job, f.params, by.requestText, { delaySeconds: f.delaySeconds })
  if (job.confirm) {
    // Nothing starts until someone presses Approve (or Deny) under the prompt in the channel.
    const asked = await askForApproval(ctx, job, req)
    await q.enqueueOutgoing(
      now,
      replyDoor(ctx, req),
      asked.said.map((m) => ({
        kind: 'message' as const,
        purpose: 'notice' as const,
        channel: f.channel,
        threadTs: null,
        ...m,
      })),
      asked.runId,
    )
    return { run: (await q.getRun(asked.runId!))!, replaced: false }
  }
  const res = await q.scheduleRequest(now, req)
  await tellReplaced(ctx, res.previous, res.run)
  const notice = await suppressedNotice(q, now, ns, f.job, res)
  if (notice) await q.enqueueOutgoing(now, replyDoor(ctx, res.run), [notice], res.run.id)
  return res
}

/** Word to the trigger's channel that the request is held, and the real command to lift it. */
async function suppressedNotice(
  q: QueueOps,
  now: number,
  ns: Namespace,
  job: string,
  res: ScheduleResult,
): Promise<MessageOut | null> {
  const active = (await q.openSuppressions(now, res.run.jobType)).filter((s) => isActive(s, now))
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
