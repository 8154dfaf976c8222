// Reads Metaflow's local metadata (`.metaflow/<Flow>/<run>/<step>/<task>/_meta`) in the service's shapes.
import { join } from 'node:path'
import { loadArtifact, type ArtifactContent, type LoadArtifactOptions } from './artifacts.ts'
import {
  LocalDatastore,
  listNames,
  objectDirs,
  readJson,
  type LogStream,
  type TaskLog,
} from './datastore.ts'
import { MetaflowNotFoundError } from './errors.ts'
import type { MetaflowSource, RunListOptions } from './source.ts'
import { hasAllTags, newestFirst } from './tags.ts'
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

/** Enough parallel reads to be quick, few enough not to run out of file descriptors on big foreach runs. */
const CONCURRENCY = 32

export class LocalSource implements MetaflowSource {
  readonly kind = 'local'
  readonly description: string
  readonly datastore: LocalDatastore

  constructor(datastore: LocalDatastore | string) {
    this.datastore = typeof datastore === 'string' ? new LocalDatastore(datastore) : datastore
    this.description = `local Metaflow datastore at ${this.datastore.root}`
  }

  async listFlows(): Promise<MetaflowFlow[]> {
    const names = await objectDirs(this.datastore.root)
    const flows = await mapLimit(names, (n) =>
      readSelf<Partial<MetaflowFlow>>(join(this.datastore.root, n)),
    )
    return flows.filter((f) => f !== null).map(normalizeFlow)
  }

  async getFlow(flow: string): Promise<MetaflowFlow> {
    const self = await readSelf<Partial<MetaflowFlow>>(this.datastore.flowDir(flow))
    if (!self) throw new MetaflowNotFoundError(`flow ${flow}`)
    return normalizeFlow(self)
  }

  async listRuns(flow: string, options: RunListOptions = {}): Promise<MetaflowRun[]> {
    await this.getFlow(flow)
    const dir = this.datastore.flowDir(flow)
    const runs = (await mapLimit(await objectDirs(dir), (n) => readSelf<MetaflowRun>(join(dir, n))))
      .filter((r) => r !== null)
      .map(normalizeRun)
      .filter((r) => hasAllTags(r, options.requiredTags ?? []))
    return newestFirst(runs).slice(0, options.limit)
  }

  async getRun(flow: string, run: string): Promise<MetaflowRun> {
    // Check the flow first so a chat user learns which of the two names is wrong.
    await this.getFlow(flow)
    const self = await readSelf<MetaflowRun>(this.datastore.runDir(flow, run))
    if (!self) throw new MetaflowNotFoundError(`run ${flow}/${run}`)
    return normalizeRun(self)
  }

  async listSteps(flow: string, run: string): Promise<MetaflowStep[]> {
    const dir = this.datastore.runDir(flow, run)
    const steps = await mapLimit(await objectDirs(dir), (n) => readSelf<MetaflowStep>(join(dir, n)))
    return steps
      .filter((s) => s !== null)
      .map((s) => ({ ...s, tags: s.tags ?? null, system_tags: s.system_tags ?? null }))
  }

  async listTasks(flow: string, run: string, step: string): Promise<MetaflowTask[]> {
    const dir = this.datastore.stepDir(flow, run, step)
    const tasks = await mapLimit(await objectDirs(dir), (n) => readSelf<MetaflowTask>(join(dir, n)))
    return tasks
      .filter((t) => t !== null)
      .map((t) => ({
        ...t,
        tags: t.tags ?? null,
        system_tags: t.system_tags ?? null,
        last_heartbeat_ts: t.last_heartbeat_ts ?? null,
      }))
  }

  async listRunTasks(flow: string, run: string): Promise<MetaflowTask[]> {
    const steps = await this.listSteps(flow, run)
    return (await mapLimit(steps, (s) => this.listTasks(flow, run, s.step_name))).flat()
  }

  /** One `sysmeta_<field>_<ms>.json` file per item; the field name comes from the JSON, since names hold `_` and `-`. */
  async getTaskMetadata(t: TaskPath): Promise<MetaflowMetadata[]> {
    const dir = join(this.datastore.taskDir(t), '_meta')
    const files = (await listNames(dir)).filter(
      (n) => n.startsWith('sysmeta_') && n.endsWith('.json'),
    )
    const items = await mapLimit(files, (n) => readJson<MetaflowMetadata>(join(dir, n)))
    return items
      .filter(
        (m): m is MetaflowMetadata =>
          m !== null && typeof m.field_name === 'string' && typeof m.ts_epoch === 'number',
      )
      .map((m) => ({
        ...m,
        value: String(m.value),
        tags: m.tags ?? null,
        system_tags: m.system_tags ?? null,
      }))
      .sort((a, b) => a.ts_epoch - b.ts_epoch)
  }

  async getRunMetadata(flow: string, run: string): Promise<MetaflowMetadata[]> {
    const tasks = await this.listRunTasks(flow, run)
    const all = await mapLimit(
      tasks,
      (t) => this.getTaskMetadata({ flow, run, step: t.step_name, task: String(t.task_id) }),
      8,
    )
    return all.flat().sort((a, b) => a.ts_epoch - b.ts_epoch)
  }

  /** Metaflow's local rule: the attempt named by the newest `attempt-done` item, then its artifact records. */
  async listArtifacts(t: TaskPath, attempt?: number): Promise<MetaflowArtifact[]> {
    let n = attempt
    if (n === undefined) {
      const done = (await this.getTaskMetadata(t)).filter(
        (m) => m.field_name === 'attempt-done' && /^\d+$/.test(m.value),
      )
      if (done.length === 0) return []
      n = Number(done[done.length - 1]!.value)
    }
    const dir = join(this.datastore.taskDir(t), '_meta')
    const prefix = `${n}_artifact_`
    const files = (await listNames(dir)).filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    const records = await mapLimit(files, (f) => readJson<MetaflowArtifact>(join(dir, f)))
    return records
      .filter(
        (a): a is MetaflowArtifact =>
          a !== null && typeof a.name === 'string' && typeof a.sha === 'string',
      )
      .map((a) => ({ ...a, tags: a.tags ?? null, system_tags: a.system_tags ?? null }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  loadArtifact(
    artifact: MetaflowArtifact,
    options?: LoadArtifactOptions,
  ): Promise<ArtifactContent> {
    return loadArtifact(this.datastore, artifact, options)
  }

  readLog(t: TaskPath, stream: LogStream, attempt?: number): Promise<TaskLog> {
    return this.datastore.taskLog(t, stream, attempt)
  }

  readRuntimeRecord(t: TaskPath, attempt: number): Promise<RuntimeRecord | null> {
    return this.datastore.runtimeRecord(t, attempt)
  }

  /** The `latest_run` file: the run last started here by `python flow.py run`. */
  latestRunFile(flow: string): Promise<string | null> {
    return this.datastore.latestRunFile(flow)
  }
}

function readSelf<T>(dir: string): Promise<T | null> {
  return readJson<T>(join(dir, '_meta', '_self.json'))
}

/** Local flow records hold only `flow_id` and `ts_epoch`. */
function normalizeFlow(f: Partial<MetaflowFlow>): MetaflowFlow {
  return {
    flow_id: String(f.flow_id),
    user_name: f.user_name ?? null,
    ts_epoch: f.ts_epoch ?? 0,
    tags: f.tags ?? null,
    system_tags: f.system_tags ?? null,
  }
}

/** Local runs have no heartbeat field at all. */
function normalizeRun(r: MetaflowRun): MetaflowRun {
  return {
    ...r,
    tags: r.tags ?? null,
    system_tags: r.system_tags ?? null,
    last_heartbeat_ts: r.last_heartbeat_ts ?? null,
  }
}

async function mapLimit<T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R>,
  limit = CONCURRENCY,
): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
