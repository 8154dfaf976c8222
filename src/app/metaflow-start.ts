// The Metaflow verbs that act: `run <Flow>` (an ebmbot job, so queueing, confirmation, timeouts
// and cancel all apply), `rerun`, `cancel`, `watch` and `quiet`.
import { existsSync } from 'node:fs'
import { mayRun } from '../commands/access.ts'
import type { MetaflowVerb } from '../commands/metaflow-verbs.ts'
import { paramsText } from '../commands/metaflow-params.ts'
import type { MetaflowFlowConfig } from '../config/metaflow-config.ts'
import { paramsUsed, pathspecOf } from '../metaflow/chat-text.ts'
import { launchSettings } from '../metaflow/deployment.ts'
import { caseNote } from '../metaflow/flow-names.ts'
import { statusPhrase } from '../metaflow/format.ts'
import { flowCommand, prepareRunIdDir, runIdFilePath } from '../metaflow/launch.ts'
import { statusOptions, viewRun } from './metaflow-status.ts'
import type { ScheduleResult } from '../queue/schedule.ts'
import type { MetaflowThread } from '../queue/schema.ts'
import { askForApproval } from './approvals.ts'
import { askerOf } from './asker.ts'
import { threadKeyOf, type MetaflowCall } from './metaflow-call.ts'
import { requestFor } from './request.ts'
import { runAction, type ActionResult } from './run-actions.ts'
import { tellReplaced } from './replaced-notice.ts'

/** The verbs that change state without reading Metaflow: database work only. */
export type ImmediateVerb = Extract<MetaflowVerb, { kind: 'run' | 'rerun' | 'cancel' | 'quiet' }>
const one = (text: string): ActionResult => ({ said: [{ text }] })

export async function immediateVerb(
  call: MetaflowCall,
  verb: ImmediateVerb,
): Promise<ActionResult> {
  const mf = call.ctx.config.metaflow!
  switch (verb.kind) {
    case 'run':
      return startFlow(call, mf.flows[verb.flow]!, verb.params, call.cleaned, verb.typed)
    case 'rerun':
      return rerun(call, verb.id)
    case 'cancel': {
      const id = call.thread?.ebmbotRunId ?? call.threadRunId
      if (id === undefined) {
        const what = call.thread ? `\`${pathspecOf(call.thread)}\`` : 'this run'
        return one(`I did not start ${what} here, so I cannot stop it; stop it where it runs.`)
      }
      return runAction(call.ctx, call.msg, { kind: 'cancel_run', id })
    }
    case 'quiet': {
      const row = call.thread!
      await call.ctx.queue.setWatching(call.ctx.now(), row.id, false)
      const job =
        row.ebmbotRunId !== null ? await call.ctx.queue.getRun(row.ebmbotRunId) : undefined
      if (job?.state === 'running') await call.ctx.queue.setQuiet(job.id, true)
      return {
        accepted: true,
        said: [
          {
            text: `No more notices about \`${pathspecOf(row)}\` here; \`watch\` turns them back on.`,
          },
        ],
      }
    }
  }
}

/**
 * Queues the flow's job and makes this thread follow it, in one unit of work: the command names
 * a run-id file after the new row's id, and the thread must know the row before the dispatcher
 * can start it.
 */
async function startFlow(
  call: MetaflowCall,
  flow: MetaflowFlowConfig,
  params: Record<string, string>,
  requestText: string,
  typed?: string,
): Promise<ActionResult> {
  const { ctx, msg } = call
  const mf = ctx.config.metaflow!
  const job = ctx.config.namespaces[mf.namespace]!.jobs[flow.job]!
  // A config pointing at a missing file or folder would fail every run; say so before queueing.
  const missing = !existsSync(flow.file) ? 'file' : !existsSync(flow.workdir) ? 'workdir' : null
  if (missing) {
    ctx.log.error('metaflow.flow_path_missing', {
      flow: flow.flow,
      file: flow.file,
      workdir: flow.workdir,
    })
    return one(
      `The ${missing === 'file' ? 'flow file' : 'working directory'} of \`${flow.flow}\` is missing on the bot's host, so nothing was started. Ask whoever runs the bot to fix \`metaflow.flows.${flow.flow}.${missing}\`.`,
    )
  }
  prepareRunIdDir(ctx.env.stateDir)
  const launch = launchSettings(mf, ctx.env, ctx.metaflow!)
  const now = ctx.now()
  // The command needs the run's number, so it is set once the request exists.
  const req = requestFor(msg, job, params, requestText, { command: '' })
  const done = await ctx.queue.atomically(async (q) => {
    let approval: ActionResult | undefined
    let scheduled: ScheduleResult | undefined
    if (job.confirm) approval = await askForApproval({ ...ctx, queue: q }, job, req)
    else {
      scheduled = await q.scheduleRequest(now, req)
      await tellReplaced({ ...ctx, queue: q }, scheduled.previous, scheduled.run)
    }
    const id = approval?.runId ?? scheduled!.run.id
    await q.setRequestCommand(
      id,
      flowCommand(flow, params, runIdFilePath(ctx.env.stateDir, id), launch),
    )
    // A run this conversation still follows keeps its watch and its notices: it moves aside.
    const key = threadKeyOf(msg)
    const before = await q.getThread(key.channel, key.threadTs)
    if (before && stillFollowed(before)) await q.parkThread(now, before)
    // A replaced pending request keeps its id: the thread that asked first no longer owns it.
    await q.releaseEbmbotRun(now, id)
    await q.followInThread(now, key, {
      flow: flow.flow,
      runId: null,
      watching: true,
      lastStatus: null,
      ebmbotRunId: id,
    })
    return { id, approval, scheduled }
  })
  ctx.log.info('request.queued', {
    run: done.id,
    job: job.type,
    door: msg.door,
    user: msg.user,
    metaflow: flow.flow,
    approval: job.confirm,
  })
  ctx.wake.dispatch.notify()
  const withParams = Object.keys(params).length ? ` with ${paramsText(params)}` : ''
  const used = paramsUsed(params, flow)
  const note =
    typed && typed !== flow.flow ? `${caseNote({ kind: 'case', flow: flow.flow, typed })} ` : ''
  if (done.approval) {
    return {
      ...done.approval,
      said: [
        ...done.approval.said,
        {
          text: `Once run ${done.id} is approved and starts \`${flow.flow}\`${withParams}, I will follow the Metaflow run in this thread.`,
        },
      ],
    }
  }
  const s = done.scheduled!
  const behind = s.behind
    ? ` A \`${job.type}\` run is going (run ${s.behind.id}); this one starts after it.`
    : ''
  const replaced = s.replaced ? ' It replaces the request that was waiting.' : ''
  return {
    accepted: true,
    runId: done.id,
    said: [
      {
        text: `${note}Starting \`${flow.flow}\` ${used.given} as run ${done.id}${used.defaults}.${behind}${replaced} I will post here when the Metaflow run starts and ends (\`quiet\` stops that, \`cancel\` stops the run).`,
      },
    ],
  }
}

/** A flow's rerun rebuilds its command (and run-id file) from the same parameters; any other job reruns as usual. */
async function rerun(call: MetaflowCall, explicit: number | undefined): Promise<ActionResult> {
  const { ctx, msg } = call
  const mf = ctx.config.metaflow!
  const id = explicit ?? call.thread?.ebmbotRunId ?? call.threadRunId
  if (id === undefined) {
    const flow = call.thread?.flow
    return one(
      `I did not start ${call.thread ? `\`${pathspecOf(call.thread)}\`` : 'a run'} here, so there is nothing to rerun.${flow && mf.flows[flow] ? ` To start \`${flow}\` say \`run ${flow} …\`.` : ''}`,
    )
  }
  const run = await ctx.queue.getRun(id)
  if (!run || run.namespace !== mf.namespace) return runAction(ctx, msg, { kind: 'rerun', id })
  const flow = Object.values(mf.flows).find((f) => f.jobType === run.jobType)
  if (!flow)
    return one(
      `\`${run.jobType}\` is no longer in the configuration, so run ${run.id} cannot be rerun.`,
    )
  const verdict = mayRun(
    ctx.config.namespaces[mf.namespace]!,
    ctx.config.namespaces[mf.namespace]!.jobs[flow.job],
    askerOf(msg),
  )
  if (!verdict.ok) return one(`Sorry, ${verdict.reason}.`)
  const dropped = Object.keys(run.params).filter((p) => !flow.params.some((q) => q.name === p))
  if (dropped.length)
    return one(
      `Run ${run.id} set ${dropped.map((p) => `\`${p}\``).join(', ')}, which chat may no longer set for \`${flow.flow}\`; start it afresh with \`run ${flow.flow} …\`.`,
    )
  return startFlow(call, flow, run.params, `rerun ${run.id}: ${run.requestText}`)
}

/** `watch` reads the run's status first: only a running run is worth watching. */
export async function watchVerb(call: MetaflowCall): Promise<ActionResult> {
  const { ctx } = call
  const row = call.thread!
  if (!row.runId) {
    await ctx.queue.setWatching(ctx.now(), row.id, true)
    return {
      accepted: true,
      said: [{ text: `I will post here when \`${row.flow}\` starts and when it ends.` }],
    }
  }
  const view = await viewRun(ctx, row.flow, row.runId)
  const alive = (await statusOptions(ctx, row.flow, row.runId)).processAlive
  const st = view.status
  const pathspec = pathspecOf(row)
  if (st.status === 'running') {
    if (!(await ctx.queue.watchFrom(ctx.now(), row)))
      return one(`\`${pathspec}\` has just ended; its last status is posted in this thread.`)
    return {
      accepted: true,
      said: [
        { text: `Watching \`${pathspec}\`: I will post here when it finishes, fails or is lost.` },
      ],
    }
  }
  if (st.status === 'lost' && ctx.metaflow!.kind === 'local' && alive === undefined) {
    return one(
      `I cannot watch \`${pathspec}\`: it is a local run I did not start, and local runs send no heartbeats, so nothing tells me whether it still runs.`,
    )
  }
  return one(
    `\`${pathspec}\` ${st.status === 'lost' ? `is lost (${st.reason})` : `already ${statusPhrase(st)}`}; there is nothing to watch.`,
  )
}

/** A run whose end the conversation has not been told yet, and will be (watched, or started here). */
export const stillFollowed = (
  row: Pick<MetaflowThread, 'lastStatus' | 'watching' | 'ebmbotRunId'>,
): boolean =>
  (row.lastStatus === null || row.lastStatus === 'running') &&
  (row.watching || row.ebmbotRunId !== null)
