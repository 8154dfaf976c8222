// The Metaflow verbs that read a run's contents in its thread: `data` (artifacts and values, by
// run or by step) and `logs <step>`, with suggestions when a step or artifact name is mistyped.
import type { MetaflowVerb } from '../commands/metaflow-verbs.ts'
import { renderArtifact } from '../metaflow/artifacts.ts'
import { pathspecOf } from '../metaflow/chat-text.ts'
import { closeNames, didYouMean } from '../metaflow/flow-names.ts'
import { formatArtifactList, formatLog, visibleNames } from '../metaflow/format.ts'
import { renderLogTail } from '../metaflow/logs.ts'
import { dataTask, taskPathOf } from '../metaflow/run-view.ts'
import type { MetaflowSource } from '../metaflow/source.ts'
import { viewRun } from './metaflow-status.ts'
import { compareIds } from '../metaflow/tags.ts'
import type { MetaflowTask } from '../metaflow/types.ts'
import type { MetaflowThread } from '../queue/schema.ts'
import type { MetaflowCall } from './metaflow-call.ts'

/** `data`: the end task's artifacts (the run's data, as Metaflow's client has it), a value, or a step's. */
export async function data(
  call: MetaflowCall,
  source: MetaflowSource,
  row: MetaflowThread,
  verb: Extract<MetaflowVerb, { kind: 'data' }>,
): Promise<string> {
  const runId = row.runId!
  const pathspec = pathspecOf(row)
  if (verb.step !== undefined)
    return stepData(source, row.flow, runId, verb.step, verb.task, verb.name)
  const view = await viewRun(call.ctx, row.flow, runId)
  const end = dataTask(view)
  const steps = view.stepSummaries.map((s) => s.step)
  if (
    verb.name !== undefined &&
    steps.includes(verb.name) &&
    !(end && (await source.listArtifacts(end)).some((a) => a.name === verb.name))
  ) {
    return stepData(source, row.flow, runId, verb.name, undefined, undefined)
  }
  // Not at the end (or no end yet): maybe an earlier step set it.
  const holder = async (name: string) => {
    for (const step of steps.filter((s) => s !== view.status.endStep)) {
      const task = view.tasks.find((t) => t.step_name === step)
      if (task && (await source.listArtifacts(taskPathOf(task))).some((a) => a.name === name))
        return step
    }
    return null
  }
  if (!end) {
    const head = `\`${pathspec}\` has not reached its \`${view.status.endStep}\` step, so it has no run-level data${view.status.status === 'running' ? ' yet' : ''}.`
    if (verb.name !== undefined) {
      const step = await holder(verb.name)
      if (step)
        return `${head} Step \`${step}\` has \`${verb.name}\`: say \`data ${step} ${verb.name}\`.`
    }
    return `${head} Say \`data <step>\` for a step's artifacts (steps: ${steps.map((s) => `\`${s}\``).join(', ') || 'none yet'}).`
  }
  const artifacts = await source.listArtifacts(end)
  if (verb.name === undefined) return formatArtifactList(pathspec, artifacts)
  const artifact = artifacts.find((a) => a.name === verb.name)
  if (artifact) return renderArtifact(await source.loadArtifact(artifact))
  const step = await holder(verb.name)
  if (step)
    return `\`${verb.name}\` is not among the run's final artifacts, but step \`${step}\` has it: say \`data ${step} ${verb.name}\`.`
  const close = closeNames(verb.name, [...visibleNames(artifacts), ...steps])
  return `\`${pathspec}\` has no artifact or step called \`${verb.name}\`.${didYouMean(close)} Say \`data\` for its artifacts.`
}

async function stepData(
  source: MetaflowSource,
  flow: string,
  runId: string,
  step: string,
  taskId: string | undefined,
  name: string | undefined,
): Promise<string> {
  const picked = await pickTask(source, flow, runId, step, taskId)
  if (typeof picked === 'string') return picked
  const label = `${flow}/${runId}/${step}/${picked.task.task_id}`
  const artifacts = await source.listArtifacts(taskPathOf(picked.task))
  if (name === undefined) return `${formatArtifactList(label, artifacts)}${picked.note}`
  const artifact = artifacts.find((a) => a.name === name)
  if (!artifact)
    return `\`${label}\` has no artifact \`${name}\`.${didYouMean(closeNames(name, visibleNames(artifacts)))} Say \`data ${step}\` for its artifacts.`
  return `${renderArtifact(await source.loadArtifact(artifact))}${picked.note}`
}

/** One task of a step: the one named, else the first (a foreach has several; say so). */
async function pickTask(
  source: MetaflowSource,
  flow: string,
  runId: string,
  step: string,
  taskId: string | undefined,
): Promise<{ task: MetaflowTask; note: string } | string> {
  const tasks = [...(await source.listTasks(flow, runId, step))].sort((a, b) =>
    compareIds(a.task_id, b.task_id),
  )
  if (!tasks.length) {
    const steps = (await source.listSteps(flow, runId))
      .sort((a, b) => a.ts_epoch - b.ts_epoch)
      .map((s) => s.step_name)
      .filter((s) => s !== '_parameters')
    return `\`${flow}/${runId}\` has no step \`${step}\`${steps.length ? ` (steps: ${steps.map((s) => `\`${s}\``).join(', ')})` : ' yet'}.${didYouMean(closeNames(step, steps, 1))}`
  }
  if (taskId !== undefined) {
    const task = tasks.find((t) => String(t.task_id) === taskId)
    return task
      ? { task, note: '' }
      : `Step \`${step}\` has no task \`${taskId}\` (tasks: ${tasks
          .slice(0, 20)
          .map((t) => `\`${t.task_id}\``)
          .join(', ')}).`
  }
  const note =
    tasks.length > 1
      ? `\n(Task 1 of ${tasks.length}; say \`${step}/<task>\` for another: ${tasks
          .slice(0, 10)
          .map((t) => `\`${t.task_id}\``)
          .join(', ')}.)`
      : ''
  return { task: tasks[0]!, note }
}

export async function logs(
  source: MetaflowSource,
  row: MetaflowThread,
  verb: Extract<MetaflowVerb, { kind: 'logs' }>,
): Promise<string> {
  const runId = row.runId!
  if (verb.step === undefined) {
    const steps = (await source.listSteps(row.flow, runId))
      .sort((a, b) => a.ts_epoch - b.ts_epoch)
      .map((s) => s.step_name)
      .filter((s) => s !== '_parameters')
    return `Say \`logs <step>\` for a step's output, or \`logs <step> stderr\`. Steps of \`${pathspecOf(row)}\`: ${steps.map((s) => `\`${s}\``).join(', ') || 'none yet'}.`
  }
  const picked = await pickTask(source, row.flow, runId, verb.step, verb.task)
  if (typeof picked === 'string') return picked
  const log = await source.readLog(taskPathOf(picked.task), verb.stream)
  const label = `${row.flow}/${runId}/${verb.step}/${picked.task.task_id}`
  return `${formatLog(label, verb.stream, log.attempt, renderLogTail(log.lines), log.found)}${picked.note}`
}
