// The Metaflow verbs that look: flows, runs, inspect, and in a thread status, steps, params, data,
// logs, export and help. Each reads through the MetaflowSource and answers with one message.
import { startableFlows, type MetaflowVerb } from '../commands/metaflow-verbs.ts'
import { metaflowHelp, notStartedYet, pathspecOf, threadHelp } from '../metaflow/chat-text.ts'
import { renderArtifact } from '../metaflow/artifacts.ts'
import { MetaflowNotFoundError } from '../metaflow/errors.ts'
import { processAlive, threadState } from './metaflow-follow.ts'
import {
  formatArtifactList,
  formatCandidates,
  formatFlowList,
  formatLog,
  formatNoRunChosen,
  formatParams,
  formatRunList,
  formatRunSummary,
  formatStatus,
  formatSteps,
  runExport,
  statusPhrase,
} from '../metaflow/format.ts'
import { renderLogTail } from '../metaflow/logs.ts'
import { resolveRunSpec, type RunSpec } from '../metaflow/run-spec.ts'
import {
  dataTask,
  loadParameters,
  loadRunStatus,
  loadRunView,
  taskPathOf,
  type RunView,
} from '../metaflow/run-view.ts'
import type { MetaflowSource } from '../metaflow/source.ts'
import { compareIds } from '../metaflow/tags.ts'
import type { MetaflowTask } from '../metaflow/types.ts'
import type { MetaflowThread } from '../queue/schema.ts'
import { threadKeyOf, type MetaflowCall } from './metaflow-call.ts'
import { askerOf } from './asker.ts'
import type { ActionResult } from './run-actions.ts'

type ReadVerb = Exclude<
  MetaflowVerb,
  { kind: 'run' | 'rerun' | 'cancel' | 'watch' | 'quiet' | 'reply' }
>
const RUNS_SHOWN = 10
const one = (text: string): ActionResult => ({ said: [{ text }] })

export async function readVerb(call: MetaflowCall, verb: ReadVerb): Promise<ActionResult> {
  const source = call.ctx.metaflow!
  switch (verb.kind) {
    case 'flows':
      return one(await flows(call, source))
    case 'runs':
      return one(await runsOf(call, source, verb.flow))
    case 'inspect':
      return inspect(call, source, verb.spec, verb.watch ?? false)
    case 'help':
      return one(
        call.thread
          ? threadHelp(await threadState(call.ctx, call.thread))
          : metaflowHelp(
              call.ctx.config.metaflow!,
              source.description,
              startableFlows(call.ctx.config, askerOf(call.msg)),
            ),
      )
  }
  // The rest are about the thread's run.
  const row = call.thread
  if (!row) return one(formatNoRunChosen())
  if (!row.runId) return one(notStartedYet(await threadState(call.ctx, row)))
  const runId = row.runId
  const pathspec = pathspecOf(row)
  switch (verb.kind) {
    case 'status': {
      const view = await viewOf(call, source, row.flow, runId)
      const st = await threadState(call.ctx, row)
      const started = st.ebmbot ? ` Started here as run ${st.ebmbot.id} (${st.ebmbot.state}).` : ''
      return one(
        `${formatStatus(view)}${started}${row.watching && view.status.status === 'running' ? ' I will post here when it ends.' : ''}`,
      )
    }
    case 'steps':
      return one(
        `Steps of \`${pathspec}\`:\n${formatSteps((await viewOf(call, source, row.flow, runId)).stepSummaries)}`,
      )
    case 'params':
      return one(formatParams(pathspec, await loadParameters(source, row.flow, runId)))
    case 'export': {
      const [view, params] = await Promise.all([
        viewOf(call, source, row.flow, runId),
        loadParameters(source, row.flow, runId),
      ])
      const content = `${JSON.stringify(runExport(view, params), null, 2)}\n`
      return {
        said: [
          {
            text: `The metadata of \`${pathspec}\`:`,
            file: { filename: `${row.flow}-${runId}.json`, content },
          },
        ],
      }
    }
    case 'data':
      return one(await data(call, source, row, verb))
    case 'logs':
      return one(await logs(source, row, verb))
  }
}

async function viewOf(
  call: MetaflowCall,
  source: MetaflowSource,
  flow: string,
  runId: string,
): Promise<RunView> {
  const alive = await processAlive(call.ctx, flow, runId, call.thread)
  return loadRunView(source, flow, runId, {
    nowSeconds: Math.floor(call.ctx.now() / 1000),
    processAlive: alive,
  })
}

async function flows(call: MetaflowCall, source: MetaflowSource): Promise<string> {
  const list = formatFlowList(await source.listFlows())
  const mine = startableFlows(call.ctx.config, askerOf(call.msg)).map((f) => `\`${f.flow}\``)
  const may = mine.length
    ? `\nYou may start ${mine.join(', ')} with \`run <Flow> [name=value …]\`.`
    : ''
  return `${list} (${source.description})\nSay \`runs <Flow>\` for its recent runs.${may}`
}

async function runsOf(call: MetaflowCall, source: MetaflowSource, flow: string): Promise<string> {
  const missing = await flowMissing(source, flow)
  if (missing) return missing
  const now = call.ctx.now()
  const list = await source.listRuns(flow, { limit: RUNS_SHOWN })
  const withStatus = await Promise.all(
    list.map(async (run) => {
      const alive = await processAlive(call.ctx, flow, String(run.run_number))
      return {
        run,
        status: await loadRunStatus(source, run, {
          nowSeconds: Math.floor(now / 1000),
          processAlive: alive,
        }),
      }
    }),
  )
  return `${formatRunList(flow, withStatus, now)}${list.length ? '\nSay `inspect <Flow/id>` to open one here.' : ''}`
}

/** The service answers `[]` for runs of a flow that does not exist; say which name is wrong. */
async function flowMissing(source: MetaflowSource, flow: string): Promise<string | null> {
  try {
    await source.getFlow(flow)
    return null
  } catch (e) {
    if (!(e instanceof MetaflowNotFoundError)) throw e
  }
  const similar = (await source.listFlows())
    .map((f) => f.flow_id)
    .find((f) => f.toLowerCase() === flow.toLowerCase())
  return `Flow \`${flow}\` was not found.${similar ? ` Did you mean \`${similar}\`?` : ''} Flow names are case-sensitive; say \`flows\` for the list.`
}

async function inspect(
  call: MetaflowCall,
  source: MetaflowSource,
  spec: RunSpec | undefined,
  watch: boolean,
): Promise<ActionResult> {
  const { ctx } = call
  let flow: string
  let runId: string
  if (!spec) {
    if (!call.thread) return one(formatNoRunChosen())
    if (!call.thread.runId) return one(notStartedYet(await threadState(ctx, call.thread)))
    flow = call.thread.flow
    runId = call.thread.runId
  } else {
    const found = await resolveRunSpec(source, spec)
    if (found.kind === 'not-found') return one(found.message)
    if (found.kind === 'candidates') return one(formatCandidates(found.runs, ctx.now()))
    flow = found.run.flow_id
    runId = String(found.run.run_number)
  }
  const view = await viewOf(call, source, flow, runId)
  const running = view.status.status === 'running'
  const prior = call.thread
  const same = prior && prior.flow === flow && prior.runId === runId
  // Re-inspecting keeps the thread's watch and its ebmbot run; another run starts afresh.
  const watching = watch ? running : same ? prior.watching : false
  const row = await ctx.queue.followInThread(ctx.now(), threadKeyOf(call.msg), {
    flow,
    runId,
    watching,
    lastStatus: watching ? 'running' : same ? prior.lastStatus : null,
    ebmbotRunId: same ? prior.ebmbotRunId : null,
  })
  const lines = [formatRunSummary(view, ctx.now())]
  if (watch)
    lines.push(
      running
        ? 'Watching: I will post here when it finishes, fails or is lost.'
        : `Nothing to watch: it ${statusPhrase(view.status)}.`,
    )
  lines.push(
    `Ask here about it: \`status\`, \`steps\`, \`params\`, \`data\`, \`logs <step>\`, \`export\`${row.watching ? '' : ', `watch`'}.`,
  )
  return { said: [{ text: lines.join('\n') }] }
}

/** `data`: the end task's artifacts (the run's data, as Metaflow's client has it), a value, or a step's. */
async function data(
  call: MetaflowCall,
  source: MetaflowSource,
  row: MetaflowThread,
  verb: Extract<MetaflowVerb, { kind: 'data' }>,
): Promise<string> {
  const runId = row.runId!
  const pathspec = pathspecOf(row)
  if (verb.step !== undefined)
    return stepData(source, row.flow, runId, verb.step, verb.task, verb.name)
  const view = await viewOf(call, source, row.flow, runId)
  const end = dataTask(view)
  const steps = view.stepSummaries.map((s) => s.step)
  if (
    verb.name !== undefined &&
    steps.includes(verb.name) &&
    !(end && (await source.listArtifacts(end)).some((a) => a.name === verb.name))
  ) {
    return stepData(source, row.flow, runId, verb.name, undefined, undefined)
  }
  if (!end) {
    return `\`${pathspec}\` has not reached its \`${view.status.endStep}\` step, so it has no run-level data yet. Say \`data <step>\` for a step's artifacts (steps: ${steps.map((s) => `\`${s}\``).join(', ') || 'none yet'}).`
  }
  const artifacts = await source.listArtifacts(end)
  if (verb.name === undefined) return formatArtifactList(pathspec, artifacts)
  const artifact = artifacts.find((a) => a.name === verb.name)
  if (artifact) return renderArtifact(await source.loadArtifact(artifact))
  // Not at the end: maybe a step set it and a later one dropped it.
  for (const step of steps.filter((s) => s !== view.status.endStep)) {
    const task = view.tasks.find((t) => t.step_name === step)
    if (task && (await source.listArtifacts(taskPathOf(task))).some((a) => a.name === verb.name)) {
      return `\`${verb.name}\` is not among the run's final artifacts, but step \`${step}\` has it: say \`data ${step} ${verb.name}\`.`
    }
  }
  return `\`${pathspec}\` has no artifact or step called \`${verb.name}\`. Say \`data\` for its artifacts.`
}

async function stepData(
  source: MetaflowSource,
  flow: string,
  runId: string,
  step: string,
  taskId: string | undefined,
  name: string | undefined,
): Promise<string> {
  const picked = await pickTask(source, flow, runId, step, taskId)
  if (typeof picked === 'string') return picked
  const label = `${flow}/${runId}/${step}/${picked.task.task_id}`
  const artifacts = await source.listArtifacts(taskPathOf(picked.task))
  if (name === undefined) return `${formatArtifactList(label, artifacts)}${picked.note}`
  const artifact = artifacts.find((a) => a.name === name)
  if (!artifact)
    return `\`${label}\` has no artifact \`${name}\`. Say \`data ${step}\` for its artifacts.`
  return `${renderArtifact(await source.loadArtifact(artifact))}${picked.note}`
}

/** One task of a step: the one named, else the first (a foreach has several; say so). */
async function pickTask(
  source: MetaflowSource,
  flow: string,
  runId: string,
  step: string,
  taskId: string | undefined,
): Promise<{ task: MetaflowTask; note: string } | string> {
  const tasks = [...(await source.listTasks(flow, runId, step))].sort((a, b) =>
    compareIds(a.task_id, b.task_id),
  )
  if (!tasks.length) {
    const steps = (await source.listSteps(flow, runId))
      .map((s) => s.step_name)
      .filter((s) => s !== '_parameters')
    return `\`${flow}/${runId}\` has no step \`${step}\`${steps.length ? ` (steps: ${steps.map((s) => `\`${s}\``).join(', ')})` : ' yet'}.`
  }
  if (taskId !== undefined) {
    const task = tasks.find((t) => String(t.task_id) === taskId)
    return task
      ? { task, note: '' }
      : `Step \`${step}\` has no task \`${taskId}\` (tasks: ${tasks
          .slice(0, 20)
          .map((t) => `\`${t.task_id}\``)
          .join(', ')}).`
  }
  const note =
    tasks.length > 1
      ? `\n(Task 1 of ${tasks.length}; say \`${step}/<task>\` for another: ${tasks
          .slice(0, 10)
          .map((t) => `\`${t.task_id}\``)
          .join(', ')}.)`
      : ''
  return { task: tasks[0]!, note }
}

async function logs(
  source: MetaflowSource,
  row: MetaflowThread,
  verb: Extract<MetaflowVerb, { kind: 'logs' }>,
): Promise<string> {
  const runId = row.runId!
  if (verb.step === undefined) {
    const steps = (await source.listSteps(row.flow, runId))
      .sort((a, b) => a.ts_epoch - b.ts_epoch)
      .map((s) => s.step_name)
      .filter((s) => s !== '_parameters')
    return `Say \`logs <step>\` for a step's output, or \`logs <step> stderr\`. Steps of \`${pathspecOf(row)}\`: ${steps.map((s) => `\`${s}\``).join(', ') || 'none yet'}.`
  }
  const picked = await pickTask(source, row.flow, runId, verb.step, verb.task)
  if (typeof picked === 'string') return picked
  const log = await source.readLog(taskPathOf(picked.task), verb.stream)
  const label = `${row.flow}/${runId}/${verb.step}/${picked.task.task_id}`
  return `${formatLog(label, verb.stream, log.attempt, renderLogTail(log.lines))}${picked.note}`
}
