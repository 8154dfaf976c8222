// The compiled `metaflow` section, and the ebmbot namespace its flows become: one job per flow, so
// `run <Flow>` goes through the queue, dispatcher, timeouts, cancel and history like any job.
import { dirname, isAbsolute, resolve } from 'node:path'
import type { MetaflowSection } from './metaflow-schema.ts'
import type { Settings } from './schema.ts'
import { jobType, type EnvAllow, type Job, type Namespace } from './types.ts'
import { ownValue } from '../util/own.ts'

export interface MetaflowParam {
  name: string
  help: string
  choices?: string[]
  /** the flow's default, as the config states it (shown only; Metaflow applies its own) */
  default?: string
}

export interface MetaflowFlowConfig {
  /** the Python class name, case as written */
  flow: string
  /** absolute path of the flow file */
  file: string
  python: string
  /** absolute working directory of its runs */
  workdir: string
  description: string
  params: MetaflowParam[]
  /** the ebmbot job: `HelloFlow` → job `HelloFlow`, type `metaflow_HelloFlow` (`_` becomes `-`) */
  job: string
  jobType: string
}

export interface MetaflowConfig {
  namespace: string
  serviceUrl?: string
  authKeyEnv: string
  /** absolute; the folder that holds `.metaflow` */
  datastoreSysroot?: string
  restricted: boolean
  user: string
  watchIntervalSeconds: number
  flows: Record<string, MetaflowFlowConfig>
}

/**
 * Metaflow settings a flow's process may read from the bot's environment: whatever the host has
 * configured for Metaflow reaches the flow, and nothing else of the bot's does.
 */
const METAFLOW_PASS_THROUGH = [
  'METAFLOW_DEFAULT_METADATA',
  'METAFLOW_SERVICE_URL',
  'METAFLOW_SERVICE_HEADERS',
  'METAFLOW_DEFAULT_DATASTORE',
  'METAFLOW_DATASTORE_SYSROOT_LOCAL',
  'METAFLOW_DATASTORE_SYSROOT_S3',
  'METAFLOW_DATASTORE_SYSROOT_AZURE',
  'METAFLOW_DATASTORE_SYSROOT_GS',
  'METAFLOW_PROFILE',
  'METAFLOW_HOME',
]

/** Job names are one word of letters, digits and hyphens; flow names may hold underscores. */
const flowJobName = (flow: string) => flow.replace(/_/g, '-')

export function compileMetaflow(
  data: MetaflowSection,
  base: string,
  settings: Settings,
): { metaflow: MetaflowConfig; namespace: Namespace } {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p))
  const flows: Record<string, MetaflowFlowConfig> = {}
  const jobs: Record<string, Job> = {}
  const authEnv: EnvAllow = { name: data.auth_key_env, secret: true }
  for (const [flow, f] of Object.entries(data.flows)) {
    const file = abs(f.file)
    const params: MetaflowParam[] = Array.isArray(f.params)
      ? f.params.map((name) => ({ name, help: '' }))
      : Object.entries(f.params).map(([name, p]) => ({
          name,
          help: p.help,
          ...(p.choices ? { choices: p.choices } : {}),
          ...(p.default !== undefined ? { default: p.default } : {}),
        }))
    const job = flowJobName(flow)
    const compiled: MetaflowFlowConfig = {
      flow,
      file,
      python: f.python ?? data.python,
      workdir: f.workdir ? abs(f.workdir) : dirname(file),
      description: f.description,
      params,
      job,
      jobType: jobType(data.namespace, job),
    }
    flows[flow] = compiled
    const extraEnv = f.env.map((e) => (typeof e === 'string' ? { name: e, secret: false } : e))
    jobs[job] = {
      name: job,
      namespace: data.namespace,
      type: compiled.jobType,
      // Only a description: each request builds its command from the chat parameters and its
      // own run-id file (src/metaflow/launch.ts), and that exact command is what the run row holds.
      run: `${compiled.python} ${compiled.file} run`,
      description: f.description || `Metaflow flow ${flow}`,
      timeoutSeconds: f.timeout ?? settings.default_timeout,
      env: [
        ...METAFLOW_PASS_THROUGH.map((name) => ({ name, secret: false })),
        authEnv,
        ...extraEnv,
      ],
      reportStdout: false,
      reportSuccess: true,
      reportFormat: 'text',
      reportTo: 'thread',
      callback: false,
      allow: f.allow,
      confirm: f.confirm,
      approvers: f.approvers ?? data.approvers,
      confirmTimeoutSeconds: f.confirm_timeout ?? settings.confirm_timeout,
      // The flow's own output (`[run/step/task] …` lines) is the progress worth showing.
      progress: true,
      maxOutputBytes: settings.max_output,
    }
  }
  const metaflow: MetaflowConfig = {
    namespace: data.namespace,
    ...(data.service_url ? { serviceUrl: data.service_url } : {}),
    authKeyEnv: data.auth_key_env,
    ...(data.datastore_sysroot ? { datastoreSysroot: abs(data.datastore_sysroot) } : {}),
    restricted: data.restricted,
    user: data.user,
    watchIntervalSeconds: data.watch_interval,
    flows,
  }
  const namespace: Namespace = {
    name: data.namespace,
    description: data.description,
    restricted: data.restricted,
    allow: data.allow,
    approvers: data.approvers,
    fetch: [],
    // Flow commands `cd` into their own folder; this is only where a stray relative path lands.
    workdir: base,
    jobs,
    commands: [],
  }
  return { metaflow, namespace }
}

/** The configured flow a chat word names: exact, else the only one equal ignoring case. */
export function findFlow(config: MetaflowConfig, name: string): MetaflowFlowConfig | undefined {
  const exact = ownValue(config.flows, name)
  if (exact) return exact
  const matches = Object.values(config.flows).filter(
    (f) => f.flow.toLowerCase() === name.toLowerCase(),
  )
  return matches.length === 1 ? matches[0] : undefined
}
