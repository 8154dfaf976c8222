// `ebmbot explain` for the Metaflow commands: which verb a message is, what it reads, and for
// `run <Flow>` the flow command it would queue (from the config alone; run nowhere).
import type { MetaflowVerb } from '../commands/metaflow-verbs.ts'
import type { Config } from '../config/types.ts'
import { flowCommand } from '../metaflow/launch.ts'

const READS: Partial<Record<MetaflowVerb['kind'], string>> = {
  flows: 'lists the flows Metaflow knows',
  runs: 'lists the newest runs of the flow, each with its status',
  inspect: 'opens the run in the thread and shows its summary',
  status: "shows the thread's run status",
  steps: "lists the thread's run steps",
  params: "shows the thread's run parameters",
  export: "uploads the thread's run metadata as a JSON file",
  data: "shows the thread's run artifacts or one value",
  logs: "shows a step's output from the thread's run",
  watch: 'posts in the thread when the run ends',
  'flow-params': 'shows the parameters chat may set for the flow',
  version: "shows the bot's version and the Metaflow versions that wrote the runs",
}

export function explainMetaflow(config: Config, v: MetaflowVerb): string[] {
  const mf = config.metaflow
  if (v.kind === 'reply') return ['action:    reply (nothing is queued)', '', v.text]
  const lines = [`namespace: ${mf?.namespace ?? 'metaflow'}`, `verb:      ${v.kind}`]
  if (v.kind === 'runs' || v.kind === 'flow-params') lines.push(`flow:      ${v.flow}`)
  if (v.kind === 'inspect' && v.spec) lines.push(`run:       ${JSON.stringify(v.spec)}`)
  if (v.kind === 'run' && mf) {
    const flow = mf.flows[v.flow]!
    const params = Object.entries(v.params)
    const confirm = config.namespaces[mf.namespace]?.jobs[flow.job]?.confirm
    lines.push(
      `flow:      ${flow.flow} (${flow.file})`,
      `action:    schedule job ${flow.jobType}${confirm ? ' after approval' : ''}`,
      `params:    ${params.length ? params.map(([k, x]) => `${k}=${JSON.stringify(x)}`).join(' ') : "(none: the flow's defaults)"}`,
      `shell:     ${flowCommand(flow, v.params, '<state>/metaflow/run-ids/<run>', {
        user: mf.user,
        authKeyEnv: mf.authKeyEnv,
        metadata: mf.serviceUrl ? 'service' : 'local',
        ...(mf.serviceUrl ? { serviceUrl: mf.serviceUrl } : {}),
        ...(mf.datastoreSysroot ? { datastoreSysroot: mf.datastoreSysroot } : {}),
      })}`,
      '           (Metaflow settings from the environment are added when it runs)',
    )
    return lines
  }
  const reads = READS[v.kind]
  lines.push(
    `action:    ${reads ? `${reads}; reads Metaflow, queues nothing` : 'answers in chat; queues nothing'}`,
  )
  return lines
}
