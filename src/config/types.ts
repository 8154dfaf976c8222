// The loaded configuration, after validation and cross-checks: what the rest of the bot reads.
import type { Token } from '../syntax/pattern.ts'
import type { MetaflowConfig } from './metaflow-config.ts'
import type { WebConfig } from './web-schema.ts'
import type { ParamSpec } from './param-schema.ts'
import type { MissedPolicy } from './schedule-schema.ts'
import type { Action, ReportFormat, ReportTo, Settings } from './schema.ts'

export interface EnvAllow {
  name: string
  secret: boolean
  /** a fixed value from the config; otherwise the service's own value is passed on */
  value?: string
}

/** Who may do something: empty lists mean no restriction on that axis. */
export interface Allow {
  users: string[]
  groups: string[]
  channels: string[]
}

interface Approvers {
  users: string[]
  groups: string[]
}

export interface Job {
  name: string
  namespace: string
  /** `<namespace>_<job>`: the unit of queueing, overlap, suppression and log folders */
  type: string
  run: string
  description?: string
  timeoutSeconds: number
  env: EnvAllow[]
  reportStdout: boolean
  reportSuccess: boolean
  reportFormat: ReportFormat
  /** channel: a top-level command's report is posted top-level, not in a thread under it */
  reportTo: ReportTo
  callback: boolean
  allow?: Allow
  confirm: boolean
  /** `confirm: approvers`: the requester may not approve their own request */
  twoPerson?: boolean
  approvers?: Approvers
  confirmTimeoutSeconds: number
  progress: boolean
  /** stdout and stderr together, in bytes; the run is stopped past it */
  maxOutputBytes: number
  /** a run lost with its bot process is queued again, once */
  retryOnLost?: boolean
  /** only instances with one of these tags run it; absent: any instance */
  runsOn?: string[]
}

export interface Command {
  namespace: string
  pattern: string
  tokens: Token[]
  help: string
  action: Action
  job: string
  delaySeconds: number
  /** what each captured value must look like; absent names are text not starting with "-" */
  params: Readonly<Record<string, ParamSpec>>
  /** present when the command also runs by itself on a cron schedule */
  schedule?: Schedule
}

/** A command's `schedule:`: it runs as the "schedule" identity at each slot of its cron. */
export interface Schedule {
  /** `<namespace>/<name>`: its key in the queue (slots, pause, skip) */
  id: string
  namespace: string
  /** the `name:`, else the job's name */
  name: string
  job: string
  cron: string
  /** IANA time zone the cron is read in */
  tz: string
  /** where its runs report: its own channel, else the namespace's default_channel */
  channel: string
  /** the command's captures, filled */
  params: Record<string, string>
  /** the command it runs, as typed (`ops disk usage`), for history */
  text: string
  missed: MissedPolicy
  graceSeconds: number
}

export interface Namespace {
  name: string
  description: string
  restricted: boolean
  defaultChannel?: string
  allow?: Allow
  approvers?: Approvers
  /** absolute path */
  workdir: string
  /** files downloaded into workdir before each run */
  fetch: { url: string; file: string }[]
  jobs: Record<string, Job>
  commands: Command[]
}

export interface Config {
  /** the file it came from, or a label for the built-in example */
  source: string
  settings: Settings
  /** absolute; jobs' HOME and the parent of default working folders, outside the state folder */
  jobsDir: string
  namespaces: Record<string, Namespace>
  /** present when the file has a `github` section */
  github?: GitHubConfig
  /** present when the file has a `metaflow` section */
  metaflow?: MetaflowConfig
  /** present when the file has a `web` section */
  web?: WebConfig
  /** things that load but probably do not do what was meant (shown by config check, logged at start) */
  warnings?: string[]
}

export const jobType = (namespace: string, job: string) => `${namespace}_${job}`

/** Finds a job by its type (`demo_hello`). */
export function findJob(config: Config, type: string): Job | undefined {
  for (const ns of Object.values(config.namespaces)) {
    for (const job of Object.values(ns.jobs)) if (job.type === type) return job
  }
  return undefined
}

/** Every schedule of every namespace, in config order. */
export const schedulesOf = (config: Config): Schedule[] =>
  Object.values(config.namespaces).flatMap((ns) =>
    ns.commands.flatMap((c) => (c.schedule ? [c.schedule] : [])),
  )

/** Whether an instance with these tags may run the job. */
export const mayRun = (job: Pick<Job, 'runsOn'>, tags: readonly string[]): boolean =>
  !job.runsOn || job.runsOn.some((t) => tags.includes(t))

/** The job types an instance with these tags must leave to others (its claims skip them). */
export function typesNotFor(config: Config, tags: readonly string[]): string[] {
  const out: string[] = []
  for (const ns of Object.values(config.namespaces))
    for (const job of Object.values(ns.jobs)) if (!mayRun(job, tags)) out.push(job.type)
  return out
}

/** A filter value list: a delivery passes when its field equals (or, for globs, matches) one. */
export type Scalar = string | number | boolean

/** One GitHub trigger, compiled: which deliveries schedule which job, with what, reported where. */
export interface GitHubTrigger {
  /** position in the project's list, for logs and reasons */
  index: number
  event: string
  action?: string[]
  merged?: boolean
  baseBranch?: string[]
  ref?: string[]
  conclusion?: string[]
  where: Record<string, Scalar[]>
  namespace: string
  job: string
  jobType: string
  /** job placeholder -> dotted payload path */
  params: Record<string, string>
  delaySeconds: number
  /** the trigger's channel, else the namespace's default channel (required at load) */
  channel: string
}

export interface GitHubProject {
  name: string
  /** the variable holding its secret; undefined means GITHUB_WEBHOOK_SECRET */
  secretEnv?: string
  allowSha1: boolean
  /** bytes */
  bodyLimit: number
  /** a body seen again within this long is a replay, whatever its delivery id */
  replayWindowMs: number
  triggers: GitHubTrigger[]
}

export interface GitHubConfig {
  projects: Record<string, GitHubProject>
}
