// The Metaflow verbs that look: flows, runs, inspect, and in a thread status, steps, params,
// export and help (`data` and `logs` are in metaflow-contents.ts). Each answers with one message.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { startableFlows, type MetaflowVerb } from '../commands/metaflow-verbs.ts'
import {
  metaflowHelp,
  notStartedYet,
  pathspecOf,
  runnableFlows,
  threadHelp,
} from '../metaflow/chat-text.ts'
import { failureText, loadFailure } from '../metaflow/failure.ts'
import { caseNote, findFlowName, flowNotFound } from '../metaflow/flow-names.ts'
import { threadState } from './metaflow-follow.ts'
import { statusOfListed, viewRun } from './metaflow-status.ts'
import {
  formatCandidates,
  formatFlowList,
  formatNoRunChosen,
  formatParams,
  formatRunList,
  formatRunSummary,
  formatStatus,
  formatSteps,
  runExport,
  statusPhrase,
} from '../metaflow/format.ts'
import { resolveRunSpec, type RunSpec } from '../metaflow/run-spec.ts'
import { loadParameters } from '../metaflow/run-view.ts'
import type { MetaflowSource } from '../metaflow/source.ts'
import { threadKeyOf, type MetaflowCall } from './metaflow-call.ts'
import { data, logs } from './metaflow-contents.ts'
import { askerOf } from './asker.ts'
import { stillFollowed } from './metaflow-start.ts'
import { flowParams, talkAnswer } from './metaflow-talk.ts'
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
    case 'flow-params':
      return one(await flowParams(call, verb.flow))
    case 'intro':
    case 'howto':
    case 'version':
    case 'did-you-mean':
      return one(await talkAnswer(call, verb))
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
  const others = verb.kind === 'status' ? await othersFollowed(call) : ''
  if (!row.runId) return one(`${notStartedYet(await threadState(call.ctx, row))}${others}`)
  const runId = row.runId
  const pathspec = pathspecOf(row)
  switch (verb.kind) {
    case 'status': {
      const view = await viewRun(call.ctx, row.flow, runId)
      const st = await threadState(call.ctx, row)
      const started = st.ebmbot ? ` Started here as run ${st.ebmbot.id} (${st.ebmbot.state}).` : ''
      const failure = await loadFailure(source, view).catch(() => null)
      return one(
        `${formatStatus(view)}${started}${row.watching && view.status.status === 'running' ? ' I will post here when it ends.' : ''}${failure ? `\n${failureText(failure)}` : ''}${others}`,
      )
    }
    case 'steps':
      return one(
        `Steps of \`${pathspec}\`:\n${formatSteps((await viewRun(call.ctx, row.flow, runId)).stepSummaries)}`,
      )
    case 'params':
      return one(formatParams(pathspec, await loadParameters(source, row.flow, runId)))
    case 'export': {
      const [view, params] = await Promise.all([
        viewRun(call.ctx, row.flow, runId),
        loadParameters(source, row.flow, runId),
      ])
      const content = `${JSON.stringify(runExport(view, params), null, 2)}\n`
      const filename = `${row.flow}-${runId}.json`
      // A terminal shows only the head of an upload: write the whole file and say where.
      if (call.msg.door === 'local') {
        const path = join(call.ctx.env.stateDir, 'exports', filename)
        await mkdir(dirname(path), { recursive: true })
        await writeFile(path, content)
        return one(`Wrote the metadata of \`${pathspec}\` to ${path}`)
      }
      return {
        said: [
          {
            text: `The metadata of \`${pathspec}\`:`,
            file: { filename, content },
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

/** The runs this conversation followed before the current one and still watches, one line each. */
async function othersFollowed(call: MetaflowCall): Promise<string> {
  const key = threadKeyOf(call.msg)
  const rows = (await call.ctx.queue.threadsOfConversation(key.channel, key.threadTs)).filter(
    (r) => r.id !== call.thread?.id && stillFollowed(r),
  )
  return rows
    .map(
      (r) =>
        `\nThis thread also follows \`${pathspecOf(r)}\`${r.ebmbotRunId !== null ? ` (run ${r.ebmbotRunId})` : ''}: ${r.runId ? 'its end is' : 'its start and end are'} posted here too.`,
    )
    .join('')
}

async function flows(call: MetaflowCall, source: MetaflowSource): Promise<string> {
  const list = formatFlowList(await source.listFlows())
  const startable = startableFlows(call.ctx.config, askerOf(call.msg))
  const may = startable.length
    ? `\nYou may start ${runnableFlows(call.ctx.config.metaflow!, startable)} with \`run <Flow> [name=value …]\` (\`params <Flow>\` shows what each takes).`
    : ''
  return `${list} (${source.description})\nSay \`runs <Flow>\` for its recent runs.${may}`
}

async function runsOf(call: MetaflowCall, source: MetaflowSource, typed: string): Promise<string> {
  const name = await findFlowName(source, typed)
  if (name.kind === 'missing') return flowNotFound(name)
  const flow = name.flow
  const now = call.ctx.now()
  const list = await source.listRuns(flow, { limit: RUNS_SHOWN })
  const withStatus = await Promise.all(
    list.map(async (run) => ({ run, status: await statusOfListed(call.ctx, run) })),
  )
  const note = name.kind === 'case' ? `${caseNote(name)}\n` : ''
  return `${note}${formatRunList(flow, withStatus, now)}${list.length ? '\nSay `inspect <Flow/id>` to open one here.' : ''}`
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
  let note = ''
  if (!spec) {
    if (!call.thread) return one(formatNoRunChosen())
    if (!call.thread.runId) return one(notStartedYet(await threadState(ctx, call.thread)))
    flow = call.thread.flow
    runId = call.thread.runId
  } else {
    const name = await findFlowName(source, spec.flow)
    if (name.kind === 'missing') return one(flowNotFound(name))
    if (name.kind === 'case') note = `${caseNote(name)}\n`
    const found = await resolveRunSpec(source, { ...spec, flow: name.flow })
    if (found.kind === 'not-found') return one(`${note}${found.message}`)
    if (found.kind === 'candidates') return one(`${note}${formatCandidates(found.runs, ctx.now())}`)
    flow = found.run.flow_id
    runId = String(found.run.run_number)
  }
  const view = await viewRun(call.ctx, flow, runId)
  const running = view.status.status === 'running'
  const prior = call.thread
  const same = prior && prior.flow === flow && prior.runId === runId ? prior : undefined
  // A run this conversation followed before and moved aside comes back with its watch, so two
  // rows never watch one run (that would post its end twice).
  const key = threadKeyOf(call.msg)
  const parked = same
    ? undefined
    : (await ctx.queue.threadsOfConversation(key.channel, key.threadTs)).find(
        (r) => r.id !== prior?.id && r.flow === flow && r.runId === runId,
      )
  const earlier = same ?? parked
  // Re-inspecting keeps the thread's watch and its ebmbot run; another run starts afresh.
  const watching = watch ? running : earlier ? earlier.watching : false
  const row = await ctx.queue.atomically(async (q) => {
    // Another run this thread still follows keeps its notices: it moves aside (see `run`).
    if (prior && !same && stillFollowed(prior)) await q.parkThread(ctx.now(), prior)
    if (parked) await q.setWatching(ctx.now(), parked.id, false)
    return q.followInThread(ctx.now(), key, {
      flow,
      runId,
      watching,
      lastStatus: watching ? 'running' : earlier ? earlier.lastStatus : null,
      ebmbotRunId: earlier ? earlier.ebmbotRunId : null,
    })
  })
  const lines = [`${note}${formatRunSummary(view, ctx.now())}`]
  if (watch)
    lines.push(
      running
        ? 'Watching: I will post here when it finishes, fails or is lost.'
        : `Nothing to watch: it ${statusPhrase(view.status)}.`,
    )
  lines.push(
    `Ask here about it: \`status\`, \`steps\`, \`params\`, \`data\`, \`logs <step>\`, \`export\`${row.watching || !running ? '' : ', `watch`'}.`,
  )
  return { said: [{ text: lines.join('\n') }] }
}
