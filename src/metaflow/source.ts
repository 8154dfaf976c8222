// The one interface the chat layer reads Metaflow through, its metadata-service implementation, and the choice from env.
import { join } from 'node:path'
import { loadArtifact, type ArtifactContent, type LoadArtifactOptions } from './artifacts.ts'
import { LocalDatastore, type LogStream, type TaskLog } from './datastore.ts'
import { MetaflowUnavailableError } from './errors.ts'
import { LocalSource } from './local-reader.ts'
import { ServiceClient, type RunListOptions } from './service-client.ts'
import type {
  MetaflowArtifact,
  MetaflowFlow,
  MetaflowMetadata,
  MetaflowRun,
  MetaflowStep,
  MetaflowTask,
  RuntimeRecord,
  TaskPath,
} from './types.ts'

export type { RunListOptions } from './service-client.ts'

/**
 * Reads Metaflow objects in the metadata service's shapes, wherever they live. Missing objects
 * throw MetaflowNotFoundError; lists under a missing parent are empty, as the service answers.
 */
export interface MetaflowSource {
  readonly kind: 'service' | 'local'
  /** for messages: "Metaflow metadata service at …" or "local Metaflow datastore at …" */
  readonly description: string
  listFlows(): Promise<MetaflowFlow[]>
  getFlow(flow: string): Promise<MetaflowFlow>
  /** newest first, filtered by required tags, at most `limit` */
  listRuns(flow: string, options?: RunListOptions): Promise<MetaflowRun[]>
  getRun(flow: string, run: string): Promise<MetaflowRun>
  listSteps(flow: string, run: string): Promise<MetaflowStep[]>
  listTasks(flow: string, run: string, step: string): Promise<MetaflowTask[]>
  /** every task of every step */
  listRunTasks(flow: string, run: string): Promise<MetaflowTask[]>
  /** oldest first */
  getTaskMetadata(task: TaskPath): Promise<MetaflowMetadata[]>
  /** every task's metadata, oldest first */
  getRunMetadata(flow: string, run: string): Promise<MetaflowMetadata[]>
  /** without `attempt`: the latest attempt that finished */
  listArtifacts(task: TaskPath, attempt?: number): Promise<MetaflowArtifact[]>
  loadArtifact(artifact: MetaflowArtifact, options?: LoadArtifactOptions): Promise<ArtifactContent>
  /** without `attempt`: the latest started; throws MetaflowUnavailableError when logs are out of reach */
  readLog(task: TaskPath, stream: LogStream, attempt?: number): Promise<TaskLog>
  /** `<n>.runtime` (local runtime's exit record); null when absent or out of reach */
  readRuntimeRecord(task: TaskPath, attempt: number): Promise<RuntimeRecord | null>
}

/** Metadata from the service; artifacts and logs from the local datastore root, when one is given. */
export class ServiceSource implements MetaflowSource {
  readonly kind = 'service'
  readonly description: string
  readonly client: ServiceClient
  readonly datastore: LocalDatastore | null

  constructor(client: ServiceClient, datastore: LocalDatastore | null) {
    this.client = client
    this.datastore = datastore
    this.description = `Metaflow metadata service at ${client.displayUrl}`
  }

  listFlows() {
    return this.client.listFlows()
  }
  getFlow(flow: string) {
    return this.client.getFlow(flow)
  }
  listRuns(flow: string, options?: RunListOptions) {
    return this.client.listRuns(flow, options)
  }
  getRun(flow: string, run: string) {
    return this.client.getRun(flow, run)
  }
  listSteps(flow: string, run: string) {
    return this.client.listSteps(flow, run)
  }
  listTasks(flow: string, run: string, step: string) {
    return this.client.listTasks(flow, run, step)
  }
  getTaskMetadata(task: TaskPath) {
    return this.client.getTaskMetadata(task)
  }
  getRunMetadata(flow: string, run: string) {
    return this.client.getRunMetadata(flow, run)
  }
  listArtifacts(task: TaskPath, attempt?: number) {
    return this.client.listTaskArtifacts(task, attempt)
  }

  async listRunTasks(flow: string, run: string): Promise<MetaflowTask[]> {
    const steps = await this.client.listSteps(flow, run)
    return (
      await Promise.all(steps.map((s) => this.client.listTasks(flow, run, s.step_name)))
    ).flat()
  }

  loadArtifact(
    artifact: MetaflowArtifact,
    options?: LoadArtifactOptions,
  ): Promise<ArtifactContent> {
    return loadArtifact(this.datastore, artifact, options)
  }

  async readLog(task: TaskPath, stream: LogStream, attempt?: number): Promise<TaskLog> {
    // The service keeps no logs; tasks write them to the datastore.
    if (!this.datastore)
      throw new MetaflowUnavailableError(
        'task logs are kept in the datastore, and no local datastore root is configured (METAFLOW_DATASTORE_SYSROOT_LOCAL)',
      )
    return this.datastore.taskLog(task, stream, attempt)
  }

  async readRuntimeRecord(task: TaskPath, attempt: number): Promise<RuntimeRecord | null> {
    return this.datastore ? this.datastore.runtimeRecord(task, attempt) : null
  }
}

export interface SourceFromEnvOptions {
  /** service client overrides, e.g. shorter timeouts in tests */
  timeoutMs?: number
  backoffMs?: number
}

/**
 * Picks the source the way Metaflow would: `METAFLOW_DEFAULT_METADATA`, else the service when
 * `METAFLOW_SERVICE_URL` is set, else the local datastore. Returns null when nothing is
 * configured; throws on values that cannot work. The local root must be given explicitly
 * (`METAFLOW_DATASTORE_SYSROOT_LOCAL`): a service has no meaningful working directory to search from.
 */
export function metaflowSourceFromEnv(
  env: Record<string, string | undefined>,
  options: SourceFromEnvOptions = {},
): MetaflowSource | null {
  const sysroot = env.METAFLOW_DATASTORE_SYSROOT_LOCAL?.trim()
  const datastore = sysroot ? new LocalDatastore(join(sysroot, '.metaflow')) : null
  const url = env.METAFLOW_SERVICE_URL?.trim()
  const mode = env.METAFLOW_DEFAULT_METADATA?.trim() || (url ? 'service' : 'local')
  if (mode === 'service') {
    if (!url)
      throw new Error('METAFLOW_DEFAULT_METADATA is "service" but METAFLOW_SERVICE_URL is not set')
    try {
      new URL(url)
    } catch {
      throw new Error(`METAFLOW_SERVICE_URL is not a URL: ${JSON.stringify(url)}`)
    }
    const retryText = env.METAFLOW_SERVICE_RETRY_COUNT?.trim()
    const retries = retryText ? Number(retryText) : undefined
    if (retries !== undefined && (!Number.isInteger(retries) || retries < 0))
      throw new Error('METAFLOW_SERVICE_RETRY_COUNT must be a whole number')
    const client = new ServiceClient({
      url,
      authKey: env.METAFLOW_SERVICE_AUTH_KEY || undefined,
      headers: parseHeaders(env.METAFLOW_SERVICE_HEADERS),
      retries,
      timeoutMs: options.timeoutMs,
      backoffMs: options.backoffMs,
    })
    return new ServiceSource(client, datastore)
  }
  if (mode !== 'local')
    throw new Error(
      `METAFLOW_DEFAULT_METADATA must be "local" or "service", not ${JSON.stringify(mode)}`,
    )
  return datastore ? new LocalSource(datastore) : null
}

function parseHeaders(text: string | undefined): Record<string, string> {
  if (!text?.trim()) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error('METAFLOW_SERVICE_HEADERS must be a JSON object of header names to values')
  }
  if (
    !parsed ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    !Object.values(parsed).every((v) => typeof v === 'string')
  ) {
    throw new Error(
      'METAFLOW_SERVICE_HEADERS must be a JSON object of header names to string values',
    )
  }
  return parsed as Record<string, string>
}
