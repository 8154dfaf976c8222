// The confirmation flow for `confirm: true` jobs: ask in the thread (with Approve/Deny buttons),
// record the decision and who made it, and drop requests nobody approved in time.
import { mayApprove, type ApproveVerdict } from '../commands/access.ts'
import { ownValue } from '../util/own.ts'
import { formatDuration } from '../util/duration.ts'
import { formatUtc, who } from '../commands/times.ts'
import type { Job } from '../config/types.ts'
import { approvalControls } from './controls.ts'
import { replyTraitsOf } from './doors.ts'
import { findJob } from '../config/types.ts'
import type { RequestInput } from '../queue/schedule.ts'
import type { AppContext } from './context.ts'
import { replyDoor } from './context.ts'
import type { MessageIn } from './door.ts'
import { askerOf } from './asker.ts'
import type { ActionResult } from './run-actions.ts'
import { tellReplaced } from './replaced-notice.ts'

export async function askForApproval(
  ctx: AppContext,
  job: Job,
  req: RequestInput,
): Promise<ActionResult> {
  const now = ctx.now()
  const run = await ctx.queue.requestApproval(now, req, now + job.confirmTimeoutSeconds * 1000)
  ctx.log.info('request.awaiting_approval', { run: run.id, job: job.type, user: req.requestedBy })
  const text =
    `:raised_hand: \`${job.type}\` (run ${run.id}) needs approval before it starts. ` +
    (replyTraitsOf(ctx.doors, req.door).threads
      ? `${job.twoPerson ? `An approver other than ${who(req.requestedBy)}` : `${who(req.requestedBy)} or an approver`}: press Approve, or say \`yes\` in this thread (\`no\` to deny). `
      : `Say \`approve ${run.id}\` to start it, or \`deny ${run.id}\`. `) +
    `It is dropped at ${formatUtc(run.approvalExpiresAt!)} if nobody decides.`
  ctx.wake.dispatch.notify() // the dispatcher times out approvals
  return { accepted: true, runId: run.id, said: [{ text, controls: approvalControls(run.id) }] }
}

export async function decide(
  ctx: AppContext,
  msg: MessageIn,
  id: number,
  approve: boolean,
): Promise<ActionResult> {
  const run = await ctx.queue.getRun(id)
  if (!run)
    return { said: [{ text: `There is no run ${id}. Say \`history\` to see recent runs.` }] }
  const job = findJob(ctx.config, run.jobType)
  const ns = ownValue(ctx.config.namespaces, run.namespace)
  const verdict: ApproveVerdict =
    job && ns
      ? mayApprove(ns, job, run.requestedBy, askerOf(msg), approve)
      : { ok: msg.user === run.requestedBy }
  if (run.state === 'awaiting_approval' && !verdict.ok) {
    return {
      said: [
        {
          text: verdict.reason
            ? `Sorry, ${verdict.reason}.`
            : `Sorry, only ${who(run.requestedBy)} or an approver of \`${run.jobType}\` may approve or deny run ${id}.`,
        },
      ],
    }
  }
  const res = await ctx.queue.decideApproval(ctx.now(), id, msg.user, approve)
  if (res.kind === 'not_awaiting') {
    const r = res.run!
    const was =
      r.approval && r.approval !== 'required'
        ? `; it was ${r.approval}${r.approvalBy ? ` by ${who(r.approvalBy)}` : ''}`
        : ''
    return { said: [{ text: `Run ${id} (\`${r.jobType}\`) is not waiting for approval${was}.` }] }
  }
  ctx.log.info(`request.${res.kind}`, { run: id, job: run.jobType, by: msg.user })
  if (res.kind === 'denied')
    return {
      accepted: true,
      runId: id,
      said: [
        {
          text: `:no_entry_sign: ${who(msg.user)} denied run ${id} (\`${run.jobType}\`); it will not run.`,
        },
      ],
    }
  ctx.wake.dispatch.notify()
  const when =
    res.run.dueAt > ctx.now() ? ` It starts in ${formatDuration(res.run.dueAt - ctx.now())}.` : ''
  const replaced = res.replaced ? ` It replaces the pending run ${res.replaced.id}.` : ''
  await tellReplaced(ctx, res.replaced, res.run, 'superseded')
  return {
    accepted: true,
    runId: id,
    said: [
      {
        text: `:white_check_mark: ${who(msg.user)} approved run ${id} (\`${run.jobType}\`).${when}${replaced}`,
      },
    ],
  }
}

/** Called by the dispatcher loop: drops expired requests and says so in their threads. */
export async function expireDue(ctx: AppContext): Promise<number> {
  const expired = await ctx.queue.expireApprovals(ctx.now())
  for (const run of expired) {
    const text = `:hourglass: Nobody approved run ${run.id} (\`${run.jobType}\`) in time, so it was dropped. Ask again when you are ready.`
    await ctx.queue.enqueueOutgoing(
      ctx.now(),
      replyDoor(ctx, run),
      [{ kind: 'message', purpose: 'reply', channel: run.channel, threadTs: run.threadTs, text }],
      run.id,
    )
    ctx.log.info('request.approval_expired', { run: run.id, job: run.jobType })
  }
  if (expired.length) ctx.wake.outbox.notify()
  return expired.length
}
