// Starting a configured flow as an ebmbot job: the exact bash command and the
// run-id file through which the bot learns which Metaflow run the job became.
import { mkdirSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { shellQuote } from '../syntax/template.ts'
import type { MetaflowFlowConfig } from '../config/metaflow-config.ts'

/** What the flow's process needs to record its run where the bot reads it. */
export interface LaunchSettings {
  /** METAFLOW_USER: Metaflow refuses to run without a user, and systemd services have none */
  user: string
  /** the bot reads the metadata service, so the flow must record its run there too */
  metadata: 'service' | 'local'
  /** left out when the flow should take it from its environment (a URL holding credentials) */
  serviceUrl?: string
  /** the variable holding the auth key; when it is not Metaflow's own, the command maps it */
  authKeyEnv: string
  /** the local datastore root the bot reads artifacts and logs from */
  datastoreSysroot?: string
}

/**
 * `cd <workdir> && METAFLOW_…=… exec <python> <file> run --run-id-file <file> --<param> <value>…`
 * Every value from chat or config is one single-quoted word; `--<name>` is the Parameter's own
 * name, which Metaflow requires exactly (`--learning_rate`, not `--learning-rate`). `exec` keeps
 * the flow's process the group leader that timeouts and `cancel` signal. The auth key is never
 * written here (commands are shown by `status`): it comes from the job's environment allowlist.
 */
export function flowCommand(
  flow: MetaflowFlowConfig,
  params: Record<string, string>,
  runIdFile: string,
  s: LaunchSettings,
): string {
  const env = [`METAFLOW_USER=${shellQuote(s.user)}`]
  if (s.datastoreSysroot)
    env.push(`METAFLOW_DATASTORE_SYSROOT_LOCAL=${shellQuote(s.datastoreSysroot)}`)
  if (s.metadata === 'service') {
    env.push('METAFLOW_DEFAULT_METADATA=service')
    if (s.serviceUrl) env.push(`METAFLOW_SERVICE_URL=${shellQuote(s.serviceUrl)}`)
    if (s.authKeyEnv !== 'METAFLOW_SERVICE_AUTH_KEY')
      env.push(`METAFLOW_SERVICE_AUTH_KEY="$${s.authKeyEnv}"`)
  }
  const args = flow.params
    .filter((p) => Object.hasOwn(params, p.name))
    .flatMap((p) => [`--${p.name}`, shellQuote(params[p.name]!)])
  return [
    `cd ${shellQuote(flow.workdir)} &&`,
    ...env,
    'exec',
    shellQuote(flow.python),
    shellQuote(flow.file),
    'run',
    '--run-id-file',
    shellQuote(runIdFile),
    ...args,
  ].join(' ')
}

/** Derived from the ebmbot run's id only, never from chat text. */
export function runIdFilePath(stateDir: string, ebmbotRunId: number): string {
  return join(stateDir, 'metaflow', 'run-ids', String(Math.trunc(ebmbotRunId)))
}

/** Synchronous, so a flow can be queued inside the transaction that stores the request. */
export function prepareRunIdDir(stateDir: string): void {
  mkdirSync(join(stateDir, 'metaflow', 'run-ids'), { recursive: true })
}

/** Metaflow writes the id (no newline) before any step runs; null until then, or if it is not an id. */
export async function readRunIdFile(path: string): Promise<string | null> {
  try {
    if ((await stat(path)).size > 200) return null
    const id = (await readFile(path, 'utf8')).trim()
    return /^[A-Za-z0-9_-]+$/.test(id) ? id : null
  } catch {
    return null
  }
}
