// Answers that need no run: `params <Flow>`, the greeting intro, `how to run`, `how to set
// parameters`, `version`, and "did you mean" for a mistyped verb.
import { startableFlows } from '../commands/metaflow-verbs.ts'
import type { TalkVerb } from '../commands/metaflow-talk.ts'
import { findFlow } from '../config/metaflow-config.ts'
import { caseNote, closeNames, didYouMean } from '../metaflow/flow-names.ts'
import {
  flowParamsText,
  howToRun,
  howToSetParams,
  introText,
  versionText,
} from '../metaflow/flow-help.ts'
import { loadParameters } from '../metaflow/run-view.ts'
import { ServiceSource } from '../metaflow/source.ts'
import { BOT_VERSION } from '../util/version.ts'
import { askerOf } from './asker.ts'
import type { MetaflowCall } from './metaflow-call.ts'

/** Flows whose newest runs are read for `version`: enough to see what wrote the data. */
const VERSION_FLOWS = 10

export async function talkAnswer(call: MetaflowCall, verb: TalkVerb): Promise<string> {
  const { ctx } = call
  const mf = ctx.config.metaflow!
  const mine = startableFlows(ctx.config, askerOf(call.msg))
  switch (verb.kind) {
    case 'intro':
      return introText(mf.namespace)
    case 'howto':
      return verb.topic === 'run' ? howToRun(mine) : howToSetParams(mine)
    case 'did-you-mean':
      return `Sorry, I didn't understand \`${verb.typed}\`. Did you mean \`${verb.meant}\`?`
    case 'version': {
      const source = ctx.metaflow!
      const [service, versions] = await Promise.all([
        source instanceof ServiceSource
          ? source.client.ping().then(
              (p) => p.version,
              () => null,
            )
          : Promise.resolve(null),
        metaflowVersions(call),
      ])
      return versionText(BOT_VERSION, source.description, versions, service)
    }
  }
}

/** `params <Flow>` for a flow chat may start; others are named with the ones it may. */
export async function flowParams(call: MetaflowCall, typed: string): Promise<string> {
  const { ctx } = call
  const mf = ctx.config.metaflow!
  const flow = findFlow(mf, typed)
  const mine = startableFlows(ctx.config, askerOf(call.msg)).map((f) => f.flow)
  if (!flow || !mine.includes(flow.flow)) {
    const list = mine.length
      ? `Flows you may start: ${mine.map((f) => `\`${f}\``).join(', ')}.`
      : 'There is no flow you may start here.'
    return `\`${typed}\` is not a flow I may run.${didYouMean(closeNames(typed, mine))} ${list}`
  }
  const source = ctx.metaflow!
  // What the latest run was given, when Metaflow has one: real values beside the config's words.
  const latest = await source
    .listRuns(flow.flow, { limit: 1 })
    .then(async ([run]) =>
      run
        ? {
            pathspec: `${flow.flow}/${run.run_number}`,
            params: await loadParameters(source, flow.flow, String(run.run_number)),
          }
        : null,
    )
    .catch(() => null)
  const note = flow.flow !== typed ? `${caseNote({ kind: 'case', flow: flow.flow, typed })}\n` : ''
  return `${note}${flowParamsText(flow, latest)}`
}

async function metaflowVersions(call: MetaflowCall): Promise<string[]> {
  const source = call.ctx.metaflow!
  const flows = (await source.listFlows()).slice(0, VERSION_FLOWS)
  const runs = await Promise.all(
    flows.map((f) => source.listRuns(f.flow_id, { limit: 1 }).catch(() => [])),
  )
  const versions = new Set<string>()
  for (const run of runs.flat())
    for (const t of run.system_tags ?? [])
      if (t.startsWith('metaflow_version:')) versions.add(t.slice('metaflow_version:'.length))
  return [...versions].sort()
}
