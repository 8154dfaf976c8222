// The loaded configuration, after validation and cross-checks: what the rest of the bot reads.
import type { Token } from '../commands/pattern.ts'
import type { Action, ReportFormat, Settings } from './schema.ts'

export interface EnvAllow {
  name: string
  secret: boolean
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
  callback: boolean
}

export interface Command {
  namespace: string
  pattern: string
  tokens: Token[]
  help: string
  action: Action
  job: string
  delaySeconds: number
}

export interface Namespace {
  name: string
  description: string
  restricted: boolean
  defaultChannel?: string
  /** absolute path */
  workdir: string
  jobs: Record<string, Job>
  commands: Command[]
}

export interface Config {
  /** the file it came from, or a label for the built-in example */
  source: string
  settings: Settings
  namespaces: Record<string, Namespace>
}

export const jobType = (namespace: string, job: string) => `${namespace}_${job}`

/** Finds a job by its type (`demo_hello`). */
export function findJob(config: Config, type: string): Job | undefined {
  for (const ns of Object.values(config.namespaces)) {
    for (const job of Object.values(ns.jobs)) if (job.type === type) return job
  }
  return undefined
}
