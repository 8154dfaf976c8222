// Carries out the router's decision against the queue, then stores the acknowledgement and
// replies in the outbox: by the time a front door acknowledges its transport, both the request
// and everything said about it are durable.
import { mayRead, mayRun } from '../commands/access.ts'
import { ownValue } from '../util/own.ts'
import { applyAway, utcDay } from '../commands/away.ts'
import { route } from '../commands/route.ts'
import { findJob } from '../config/types.ts'
import { type StatusInput, statusText } from '../commands/status-text.ts'
import { anyRunsOn, instanceLabel, instancesUp, labelOfId, waitsForTags } from './instances.ts'
import { METAFLOW_STATUS_HINT } from '../metaflow/chat-text.ts'
import { suppressionWindow, formatUtc } from '../commands/times.ts'
import type { MessageIn, Outgoing } from './door.ts'
import type { Queue } from '../queue/queue.ts'
import type { Snapshot } from '../queue/read.ts'
import { scheduleNotes } from './schedule-notes.ts'
import type { AppContext } from './context.ts'
import { tellReplaced } from './replaced-notice.ts'
import { requestFor } from './request.ts'
import { askForApproval, decide } from './approvals.ts'
import {
  isImmediate,
  metaflowAction,
  metaflowImmediate,
  metaflowThreadOf,
} from './metaflow-actions.ts'
import { askerOf } from './asker.ts'
import { replyDoorOf } from './doors.ts'
import { logsAction, runAction, type ActionResult } from './run-actions.ts'
import { scheduleAction, scheduleStatus } from './schedule-actions.ts'

export interface Handled {
  kind: string
  accepted: boolean
  runId?: number
  replies: string[]
}

const ACK_REACTION = 'crossed_fingers'

export interface HandleOptions {
  /**
   * Marks the delivery as taken (Slack event id, message ts) inside the same transaction that
   * stores the request and the replies: returning false (already taken) stores nothing. So a
   * crash can neither lose an unacknowledged message nor let its redelivery run it twice.
   */
  claim?: (q: Queue) => Promise<boolean>
  /**
   * a cheap look before work that waits on files or the network (`logs`, Metaflow reads): true
   * when the delivery is already known to be taken. Other commands leave it to `claim`, in their
   * unit of work: a look outside it is one more statement queued behind the open group commit.
   */
  taken?: () => Promise<boolean>
}

/** `kind: 'duplicate'` when the claim found the delivery already taken. */
export type HandleResult = Handled

export async function handleMessage(
  ctx: AppContext,
  msg: MessageIn,
  who: { botUserId?: string; botName?: string } = {},
  opts: HandleOptions = {},
): Promise<HandleResult> {
  const inThread = !!msg.threadTs && !!msg.messageTs && msg.threadTs !== msg.messageTs
  const thread = inThread ? await ctx.queue.threadRun(msg.channel, msg.threadTs!) : undefined
  const mfThread = await metaflowThreadOf(ctx, msg)
  const decision = route(
    { config: ctx.config, ...who },
    {
      ...msg,
      threadRun: thread?.id,
      trusted: !!msg.trusted,
      threadMetaflow:
        mfThread && (mfThread.runId ? `${mfThread.flow}/${mfThread.runId}` : mfThread.flow),
    },
  )

  // Work that waits on files or the network happens first, outside the transaction (and not for
  // a delivery already taken). Metaflow verbs that only queue or change thread state (`run`,
  // `cancel`…) run in the transaction below.
  const mfWhere = { cleaned: decision.cleaned, thread: mfThread, threadRunId: thread?.id }
  const prepares =
    decision.kind === 'logs' || (decision.kind === 'metaflow' && !isImmediate(decision.verb))
  if (prepares && (await opts.taken?.())) return { kind: 'duplicate', accepted: false, replies: [] }
  let prepared: ActionResult | undefined
  if (decision.kind === 'logs') prepared = await logsAction(ctx, msg, decision)
  if (decision.kind === 'metaflow' && !isImmediate(decision.verb))
    prepared = await metaflowAction(ctx, msg, decision.verb, mfWhere)

  const result = await ctx.queue.atomically(async (q) => {
    if (opts.claim && !(await opts.claim(q))) return null
    const txCtx: AppContext = { ...ctx, queue: q }
    const res =
      prepared ??
      (decision.kind === 'metaflow'
        ? (await metaflowImmediate(txCtx, msg, decision.verb, mfWhere))!
        : await execute(txCtx, msg, decision))
    const out: Outgoing[] = []
    // The label names a run this message started; a verb on an existing run is not "run 8 accepted".
    const started = ['schedule', 'rerun', 'metaflow'].includes(decision.kind)
    if (res.accepted && msg.messageTs) {
      out.push({
        kind: 'reaction',
        purpose: 'ack',
        channel: msg.channel,
        ts: msg.messageTs,
        name: ACK_REACTION,
        ...(res.runId && started ? { label: `run ${res.runId}` } : {}),
      })
    }
    for (const r of res.said)
      out.push({
        kind: 'message',
        purpose: 'reply',
        channel: msg.channel,
        threadTs: msg.threadTs ?? null,
        ...r,
      })
    // A door that cannot answer itself (the web page) has its answers delivered by the one it names.
    await q.enqueueOutgoing(ctx.now(), replyDoorOf(ctx.doors, msg.door), out, res.runId)
    return res
  })
  if (!result) return { kind: 'duplicate', accepted: false, replies: [] }
  ctx.wake.outbox.notify()
  return {
    kind: decision.kind,
    accepted: !!result.accepted,
    runId: result.runId,
    replies: result.said.map((r) => r.text),
  }
}

/** The queue as this asker may see it: runs and suppressions of jobs they may run, or asked for. */
function readableStatus(ctx: AppContext, msg: MessageIn, all: Snapshot): Snapshot {
  const asker = askerOf(msg)
  const may = (jobType: string, requester?: string) => {
    const job = findJob(ctx.config, jobType)
    const ns = job && ownValue(ctx.config.namespaces, job.namespace)
    if (!ns) return true
    return requester ? mayRead(ns, job, requester, asker).ok : mayRun(ns, job, asker).ok
  }
  return {
    ...all,
    running: all.running.filter((r) => may(r.jobType, r.requestedBy)),
    scheduled: all.scheduled.filter((r) => may(r.jobType, r.requestedBy)),
    suppressions: all.suppressions.filter((s) => may(s.jobType)),
  }
}

/**
 * With several instances (or jobs that choose theirs): which one runs what, what waits for an
 * instance that is not up, and the instances up. One instance and no runs_on: the plain status.
 */
async function withInstances(ctx: AppContext, s: Snapshot): Promise<StatusInput> {
  const up = await instancesUp(ctx)
  if (up.length <= 1 && !anyRunsOn(ctx)) return s
  const label = new Map(up.map((w) => [w.id, instanceLabel(w)]))
  return {
    ...s,
    running: s.running.map((r) => ({
      ...r,
      on: r.owner ? (label.get(r.owner) ?? labelOfId(r.owner)) : undefined,
    })),
    scheduled: s.scheduled.map((r) => ({ ...r, waitsFor: waitsForTags(ctx, r, up) })),
    instances: up.map((w) => ({
      label: instanceLabel(w),
      tags: w.tags,
      heartbeatAgeMs: Math.max(0, ctx.now() - w.heartbeatAt),
    })),
  }
}

type SyncDecision = Exclude<ReturnType<typeof route>, { kind: 'logs' | 'metaflow' }>

/** The state-changing part of every decision, inside the caller's unit of work. */
async function execute(
  ctx: AppContext,
  msg: MessageIn,
  decision: ReturnType<typeof route>,
): Promise<ActionResult> {
  const q = ctx.queue
  const now = ctx.now()
  const d = decision as SyncDecision
  const reply = (text: string, extra: Omit<ActionResult, 'said'> = {}): ActionResult => ({
    said: [{ text }],
    ...extra,
  })
  switch (d.kind) {
    case 'reply':
      return reply(d.text)
    case 'status':
      // `status` with no run chosen is the job queue; say how a Metaflow run is chosen instead.
      return reply(
        `${statusText(await withInstances(ctx, readableStatus(ctx, msg, await q.snapshot(now))))}${await scheduleStatus(ctx, msg)}${ctx.config.metaflow ? `\n${METAFLOW_STATUS_HINT}` : ''}`,
      )
    case 'schedule': {
      const { job, params } = d
      const req = requestFor(msg, job, params, d.cleaned, { delaySeconds: d.delaySeconds })
      if (job.confirm) return askForApproval(ctx, job, req)
      const res = await q.scheduleRequest(now, req)
      ctx.log.info('request.queued', {
        run: res.run.id,
        job: job.type,
        replaced: res.replaced,
        due_at: res.run.dueAt,
        door: msg.door,
        user: msg.user,
      })
      await tellReplaced(ctx, res.previous, res.run)
      ctx.wake.dispatch.notify()
      return { said: await scheduleNotes(ctx, res), accepted: true, runId: res.run.id }
    }
    case 'decide':
      return decide(ctx, msg, d.id, d.approve)
    case 'cancel_job': {
      const dropped = await q.cancelPending(now, d.job.type, msg.user)
      if (dropped)
        ctx.log.info('request.cancelled', { run: dropped.id, job: dropped.jobType, by: msg.user })
      return reply(
        dropped
          ? `Dropped the pending \`${d.job.type}\` request (run ${dropped.id}).`
          : `Nothing was pending for \`${d.job.type}\`, so nothing was dropped. A run that has started stops with \`cancel N\`.`,
        { accepted: true },
      )
    }
    case 'suppress': {
      const window = suppressionWindow(now, d.start, d.end)
      if (!window)
        return reply(
          'Both times must be `HH:MM` (24-hour, UTC, today), with the start before the end, e.g. `from 09:00 to 17:30`.',
        )
      const s = await q.addSuppression(now, d.job.type, window.startAt, window.endAt, msg.user)
      return reply(
        `\`${d.job.type}\` jobs will not start from ${formatUtc(s.startAt)} to ${formatUtc(s.endAt)}.`,
        { accepted: true },
      )
    }
    case 'cancel_suppression': {
      const n = await q.cancelSuppressions(d.job.type)
      ctx.wake.dispatch.notify()
      return reply(
        n
          ? `Lifted the suppression${n === 1 ? '' : 's'} of \`${d.job.type}\`.`
          : `\`${d.job.type}\` had no suppressions.`,
        { accepted: true },
      )
    }
    case 'remove': {
      let refusal = ''
      const res = await q.removeJob(now, d.id, msg.user, (run) => {
        const ns = ctx.config.namespaces[run.namespace]
        const verdict = ns
          ? mayRun(ns, findJob(ctx.config, run.jobType), askerOf(msg))
          : { ok: true as const }
        if (!verdict.ok) refusal = verdict.reason
        return verdict.ok
      })
      if (res.kind === 'unknown')
        return reply(
          `No running or scheduled job has the number ${d.id}. Say \`status\` to see them.`,
        )
      if (res.kind === 'refused') return reply(`Sorry, ${refusal}.`)
      ctx.wake.dispatch.notify()
      return reply(
        res.kind === 'removed'
          ? `Removed job ${res.run.id} (\`${res.run.jobType}\`).`
          : `Stopping run ${res.run.id} (\`${res.run.jobType}\`); it will be recorded as cancelled.`,
        { accepted: true, runId: res.run.id },
      )
    }
    case 'out_of_office': {
      const res = applyAway(d, utcDay(now), await q.getAway())
      if (res.change === 'clear') await q.clearAway()
      else if (res.change) await q.setAway(now, res.change, msg.user)
      return reply(res.text, { accepted: res.accepted })
    }
    case 'schedules':
    case 'schedule_control':
      return scheduleAction(ctx, msg, d)
    case 'run_status':
    case 'cancel_run':
    case 'rerun':
    case 'quiet':
    case 'history':
      return runAction(ctx, msg, d)
  }
}
