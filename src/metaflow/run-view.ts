// Gathers what the chat commands show about one run (objects, status, step summaries, parameters) from a MetaflowSource.
import type { ArtifactContent } from './artifacts.ts'
import { attemptsByTask, taskKey } from './attempts.ts'
import type { MetaflowSource } from './source.ts'
import {
  deriveRunStatus,
  summarizeSteps,
  type RunStatus,
  type StatusInput,
  type StatusThresholds,
  type StepSummary,
} from './status.ts'
import type {
  MetaflowMetadata,
  MetaflowRun,
  MetaflowStep,
  MetaflowTask,
  TaskPath,
} from './types.ts'

export interface RunView {
  run: MetaflowRun
  steps: MetaflowStep[]
  tasks: MetaflowTask[]
  metadata: MetaflowMetadata[]
  status: RunStatus
  stepSummaries: StepSummary[]
}

export interface RunViewOptions {
  nowSeconds: number
  /** whether the bot's own `python flow.py run` process for this run is alive, when it started one */
  processAlive?: boolean
  /** the bot stopped its own job for this run (cancel, timeout) */
  stoppedBy?: StatusInput['stoppedBy']
  thresholds?: Partial<StatusThresholds>
}

/** Runtime records are read only for tasks without an outcome, and only this many. */
const MAX_RUNTIME_READS = 50

export async function loadRunView(
  source: MetaflowSource,
  flow: string,
  runId: string,
  options: RunViewOptions,
): Promise<RunView> {
  const run = await source.getRun(flow, runId)
  const [steps, tasks, metadata] = await Promise.all([
    source.listSteps(flow, runId),
    source.listRunTasks(flow, runId),
    source.getRunMetadata(flow, runId),
  ])
  const status = await statusFrom(source, run, tasks, metadata, options)
  return {
    run,
    steps,
    tasks,
    metadata,
    status,
    stepSummaries: summarizeSteps(steps, tasks, metadata),
  }
}

/** Just the status of a run already listed, e.g. for each line of `runs <Flow>`. */
export async function loadRunStatus(
  source: MetaflowSource,
  run: MetaflowRun,
  options: RunViewOptions,
): Promise<RunStatus> {
  const id = String(run.run_number)
  const [tasks, metadata] = await Promise.all([
    source.listRunTasks(run.flow_id, id),
    source.getRunMetadata(run.flow_id, id),
  ])
  return statusFrom(source, run, tasks, metadata, options)
}

async function statusFrom(
  source: MetaflowSource,
  run: MetaflowRun,
  tasks: MetaflowTask[],
  metadata: MetaflowMetadata[],
  options: RunViewOptions,
): Promise<RunStatus> {
  const killedTasks = await findKilledTasks(source, run.flow_id, String(run.run_number), metadata)
  return deriveRunStatus({
    run,
    tasks,
    metadata,
    nowSeconds: options.nowSeconds,
    processAlive: options.processAlive,
    stoppedBy: options.stoppedBy,
    killedTasks,
    thresholds: options.thresholds,
  })
}

/** Tasks whose latest attempt has no outcome but whose `<n>.runtime` says the runtime killed them. */
async function findKilledTasks(
  source: MetaflowSource,
  flow: string,
  run: string,
  metadata: MetaflowMetadata[],
): Promise<string[]> {
  const open = [...attemptsByTask(metadata).values()]
    .filter((a) => a.latest && a.latest.ok === null)
    .slice(0, MAX_RUNTIME_READS)
  const records = await Promise.all(
    open.map((a) =>
      source
        .readRuntimeRecord({ flow, run, step: a.step, task: a.task }, a.latest!.attempt)
        .catch(() => null),
    ),
  )
  return open.filter((_, i) => records[i]?.killed === true).map((a) => taskKey(a.step, a.task))
}

/** The task whose artifacts are "the run's data" in Metaflow's client: the end step's task. */
export function dataTask(view: RunView): TaskPath | null {
  const end = view.tasks.find((t) => t.step_name === view.status.endStep)
  return end ? taskPathOf(end) : null
}

export function taskPathOf(
  t: Pick<MetaflowTask, 'flow_id' | 'run_number' | 'step_name' | 'task_id'>,
): TaskPath {
  return { flow: t.flow_id, run: String(t.run_number), step: t.step_name, task: String(t.task_id) }
}

/** Artifact names that are not parameters, by the UI's rule. */
const NOT_PARAMETERS = new Set(['name', 'script_name'])

function isParameterName(name: string): boolean {
  return !name.startsWith('_') && !NOT_PARAMETERS.has(name)
}

/** Parameters are the artifacts of the hidden `_parameters` task, minus internal names. */
export async function loadParameters(
  source: MetaflowSource,
  flow: string,
  run: string,
): Promise<ArtifactContent[]> {
  const tasks = await source.listTasks(flow, run, '_parameters')
  const task = tasks[0]
  if (!task) return []
  const artifacts = (await source.listArtifacts(taskPathOf(task))).filter((a) =>
    isParameterName(a.name),
  )
  const contents = await Promise.all(artifacts.map((a) => source.loadArtifact(a)))
  return contents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
