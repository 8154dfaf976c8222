// Carries out the router's decision against the queue, then stores the acknowledgement and
// replies in the outbox: by the time a front door acknowledges its transport, both the request
// and everything said about it are durable.
import { route, type Incoming } from '../commands/route.ts'
import { renderCommand } from '../commands/template.ts'
import { statusText } from '../commands/status-text.ts'
import { suppressionWindow, formatUtc } from '../commands/times.ts'
import type { Outgoing } from '../notify/outgoing.ts'
import { cancelPending, removeJob } from '../queue/cancel.ts'
import { enqueueOutgoing } from '../queue/outbox.ts'
import { threadRun } from '../queue/history.ts'
import { snapshot } from '../queue/read.ts'
import { scheduleRequest, type RequestInput } from '../queue/schedule.ts'
import type { Door } from '../queue/schema.ts'
import { addSuppression, cancelSuppressions } from '../queue/suppress.ts'
import type { AppContext } from './context.ts'
import { askForApproval, decide } from './approvals.ts'
import { metaflowAction, metaflowThreadOf } from './metaflow-actions.ts'
import { runAction, type Said } from './run-actions.ts'

export interface MessageIn extends Incoming {
  door: Door
  channel: string
  /** the reply spot: the thread the message was in, or its own ts when top-level */
  threadTs?: string | null
  /** the message itself, for the acknowledgement reaction and permalinks */
  messageTs?: string | null
}

export interface Handled {
  kind: string
  accepted: boolean
  runId?: number
  replies: string[]
}

export const ACK_REACTION = 'crossed_fingers'

export async function handleMessage(ctx: AppContext, msg: MessageIn, who: { botUserId?: string; botName?: string } = {}): Promise<Handled> {
  const { db } = ctx.queue
  const inThread = !!msg.threadTs && !!msg.messageTs && msg.threadTs !== msg.messageTs
  const thread = inThread ? threadRun(db, msg.channel, msg.threadTs!) : undefined
  const mfThread = metaflowThreadOf(ctx, msg)
  const decision = route({ config: ctx.config, ...who }, { ...msg, threadRun: thread?.id, trusted: msg.door === 'local', threadMetaflow: mfThread && (mfThread.runId ? `${mfThread.flow}/${mfThread.runId}` : mfThread.flow) })
  const now = ctx.now()
  const said: Said[] = []
  const replies = { push: (text: string) => said.push({ text }) }
  let accepted = false
  let runId: number | undefined

  switch (decision.kind) {
    case 'reply':
      replies.push(decision.text)
      break
    case 'status':
      replies.push(statusText(snapshot(db, now)))
      break
    case 'schedule': {
      const { job, params } = decision
      const req: RequestInput = {
        namespace: job.namespace,
        job: job.name,
        jobType: job.type,
        door: msg.door,
        requestedBy: msg.user,
        channel: msg.channel,
        threadTs: msg.threadTs,
        messageTs: msg.messageTs,
        isDm: msg.isDirect,
        requestText: decision.cleaned,
        params,
        command: renderCommand(job.run, params),
        delaySeconds: decision.delaySeconds,
      }
      if (job.confirm) {
        const res = askForApproval(ctx, job, req)
        said.push(...res.said)
        accepted = true
        runId = res.runId
        break
      }
      const res = scheduleRequest(db, now, req)
      accepted = true
      runId = res.run.id
      if (res.behind) {
        replies.push(
          `A \`${job.type}\` job is running (run ${res.behind.id}); this request (run ${res.run.id}) will start after it. ` +
            `Say \`status\` to see the queue, or \`remove job id ${res.run.id}\` to drop it.`,
        )
      }
      ctx.log.info('request.queued', { run: res.run.id, job: job.type, replaced: res.replaced, due_at: res.run.dueAt, door: msg.door, user: msg.user })
      ctx.wake.dispatch.notify()
      break
    }
    case 'decide': {
      const res = decide(ctx, msg, decision.id, decision.approve)
      said.push(...res.said)
      accepted = !!res.accepted
      runId = res.runId
      break
    }
    case 'cancel_job': {
      const dropped = cancelPending(db, now, decision.job.type, msg.user)
      accepted = true
      if (dropped) ctx.log.info('request.cancelled', { run: dropped.id, job: dropped.jobType, by: msg.user })
      break
    }
    case 'suppress': {
      const window = suppressionWindow(now, decision.start, decision.end)
      if (!window) {
        replies.push('Both times must be `HH:MM` (24-hour, UTC, today), with the start before the end, e.g. `from 09:00 to 17:30`.')
        break
      }
      const s = addSuppression(db, now, decision.job.type, window.startAt, window.endAt, msg.user)
      accepted = true
      replies.push(`\`${decision.job.type}\` jobs will not start from ${formatUtc(s.startAt)} to ${formatUtc(s.endAt)}.`)
      break
    }
    case 'cancel_suppression': {
      const n = cancelSuppressions(db, decision.job.type)
      accepted = true
      replies.push(n ? `Lifted the suppression${n === 1 ? '' : 's'} of \`${decision.job.type}\`.` : `\`${decision.job.type}\` had no suppressions.`)
      ctx.wake.dispatch.notify()
      break
    }
    case 'remove': {
      const res = removeJob(db, now, decision.id, msg.user, (run) => !(msg.isGuest && ctx.config.namespaces[run.namespace]?.restricted))
      if (res.kind === 'unknown') {
        replies.push(`No running or scheduled job has the number ${decision.id}. Say \`status\` to see them.`)
      } else if (res.kind === 'refused') {
        replies.push(`Sorry, only internal members of this workspace may use the \`${res.run.namespace}\` commands.`)
      } else {
        accepted = true
        runId = res.run.id
        replies.push(
          res.kind === 'removed'
            ? `Removed job ${res.run.id} (\`${res.run.jobType}\`).`
            : `Stopping run ${res.run.id} (\`${res.run.jobType}\`); it will be recorded as cancelled.`,
        )
        ctx.wake.dispatch.notify()
      }
      break
    }
    case 'run_status':
    case 'logs':
    case 'cancel_run':
    case 'rerun':
    case 'quiet':
    case 'history': {
      const res = await runAction(ctx, msg, decision)
      said.push(...res.said)
      accepted = !!res.accepted
      runId = res.runId
      break
    }
    case 'metaflow': {
      const res = await metaflowAction(ctx, msg, decision.verb, { cleaned: decision.cleaned, thread: mfThread, threadRunId: thread?.id })
      said.push(...res.said)
      accepted = !!res.accepted
      runId = res.runId
      break
    }
  }

  const out: Outgoing[] = []
  if (accepted && msg.messageTs) {
    out.push({ kind: 'reaction', purpose: 'ack', channel: msg.channel, ts: msg.messageTs, name: ACK_REACTION, ...(runId ? { label: `run ${runId}` } : {}) })
  }
  for (const r of said) out.push({ kind: 'message', purpose: 'reply', channel: msg.channel, threadTs: msg.threadTs ?? null, ...r })
  enqueueOutgoing(db, now, msg.door, out, runId)
  if (out.length) ctx.wake.outbox.notify()
  return { kind: decision.kind, accepted, runId, replies: said.map((r) => r.text) }
}
