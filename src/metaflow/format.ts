// Pure chat texts for Metaflow answers: run lines, run summary, steps, parameters, artifacts, logs, help, export.
import { escapeSlackText as esc } from '../util/slack-text.ts'
import { formatDuration } from '../util/duration.ts'
import type { ArtifactContent } from './artifacts.ts'
import type { RenderedLog } from './logs.ts'
import { pyRepr, pyToJson, type Json } from './py-repr.ts'
import { RUN_SPEC_HELP } from './run-spec.ts'
import type { RunView } from './run-view.ts'
import type { RunStatus, StepSummary } from './status.ts'
import { ownerOf, runPathspec, userTags } from './tags.ts'
import type { MetaflowArtifact, MetaflowFlow, MetaflowRun } from './types.ts'

/** Slack shows a message whole only below ~4000 characters; keep a margin for wrappers. */
const MAX_MESSAGE_CHARS = 3800
const MAX_STEPS_SHOWN = 50

/** "5 minutes ago"; past a month, the UTC date. */
export function formatAgo(thenMs: number, nowMs: number): string {
  const s = Math.round((nowMs - thenMs) / 1000)
  if (s < 0) return `at ${new Date(thenMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`
  if (s < 45) return 'just now'
  const units: Array<[number, string]> = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ]
  if (s >= 30 * 86400) return `on ${new Date(thenMs).toISOString().slice(0, 10)}`
  for (const [size, name] of units) {
    const n = Math.round(s / size)
    if (n >= 1 && s >= size * 0.75) return `${n} ${name}${n === 1 ? '' : 's'} ago`
  }
  return 'just now'
}

export function statusPhrase(st: RunStatus): string {
  const took = st.durationMs !== null ? formatDuration(st.durationMs) : null
  switch (st.status) {
    case 'finished':
      return `succeeded${took ? ` in ${took}` : ''}`
    case 'failed':
      return `failed${took ? ` after ${took}` : ''} (${st.reason})`
    case 'running':
      return `still running${took ? ` (for ${took})` : ''}`
    case 'lost':
      return `did not finish (${st.reason})`
    case 'cancelled':
      return `was cancelled${took ? ` after ${took}` : ''} (${st.reason})`
  }
}

/** One line per run for `runs <Flow>`; the status is optional because it costs a metadata read per run. */
export function formatRunLine(run: MetaflowRun, nowMs: number, status?: RunStatus): string {
  const parts = [`\`${runPathspec(run)}\``]
  if (status)
    parts.push(
      status.status +
        (status.durationMs !== null && status.status !== 'lost'
          ? ` (${formatDuration(status.durationMs)})`
          : '') +
        (status.status === 'failed' && status.failedSteps.length
          ? ` at \`${status.failedSteps[0]}\``
          : ''),
    )
  parts.push(esc(ownerOf(run)), `started ${formatAgo(run.ts_epoch, nowMs)}`)
  const tags = userTags(run)
  if (tags.length) parts.push(`tags: ${tags.map((t) => `\`${esc(t)}\``).join(', ')}`)
  return parts.join(' · ')
}

export function formatRunList(
  flow: string,
  runs: ReadonlyArray<{ run: MetaflowRun; status?: RunStatus }>,
  nowMs: number,
): string {
  if (runs.length === 0) return `\`${flow}\` has no runs yet.`
  const lines = runs.map(({ run, status }) => `• ${formatRunLine(run, nowMs, status)}`)
  return clip([`Recent runs of \`${flow}\`, newest first:`, ...lines].join('\n'))
}

export function formatFlowList(flows: readonly MetaflowFlow[]): string {
  if (flows.length === 0) return 'No Metaflow flows found.'
  const names = flows.map((f) => f.flow_id).sort((a, b) => a.localeCompare(b))
  return clip(
    `${names.length} flow${names.length === 1 ? '' : 's'}: ${names.map((n) => `\`${n}\``).join(', ')}`,
  )
}

/** Several runs matched: list them as the Slack bot did and ask for one id. */
export function formatCandidates(runs: readonly MetaflowRun[], nowMs: number): string {
  const lines = runs.map(
    (r) => `• \`${runPathspec(r)}\` by ${ownerOf(r)}, ${formatAgo(r.ts_epoch, nowMs)}`,
  )
  return [
    `${runs.length} runs match, newest first. Say \`inspect <Flow/id>\` with one of them:`,
    ...lines,
  ].join('\n')
}

function formatStepLine(s: StepSummary): string {
  const parts = [`${s.tasks} task${s.tasks === 1 ? '' : 's'}`]
  if (s.durationMs !== null) parts.push(formatDuration(s.durationMs))
  if (s.allSucceeded) parts.push('all succeeded')
  else {
    const counts = [
      s.succeeded ? `${s.succeeded} succeeded` : null,
      s.failed ? `${s.failed} failed` : null,
      s.unfinished ? `${s.unfinished} unfinished` : null,
    ]
    parts.push(counts.filter(Boolean).join(', ') || 'no tasks')
  }
  return `• \`${s.step}\`: ${parts.join(', ')}`
}

export function formatSteps(summaries: readonly StepSummary[]): string {
  if (summaries.length === 0) return 'No steps have started yet.'
  const shown = summaries.slice(0, MAX_STEPS_SHOWN).map(formatStepLine)
  if (summaries.length > MAX_STEPS_SHOWN)
    shown.push(`…and ${summaries.length - MAX_STEPS_SHOWN} more steps`)
  return clip(shown.join('\n'))
}

/** The `inspect` answer: who, when, outcome, tags, then the steps. */
export function formatRunSummary(view: RunView, nowMs: number): string {
  const { run, status } = view
  const tags = userTags(run)
  return clip(
    [
      `\`${runPathspec(run)}\` was started by ${esc(ownerOf(run))} ${formatAgo(run.ts_epoch, nowMs)}.`,
      `Outcome: ${statusPhrase(status)}.`,
      tags.length ? `Tags: ${tags.map((t) => `\`${esc(t)}\``).join(', ')}` : 'Tags: none',
      'Steps:',
      formatSteps(view.stepSummaries),
    ].join('\n'),
  )
}

export function formatStatus(view: RunView): string {
  return `\`${runPathspec(view.run)}\`: ${statusPhrase(view.status)}.`
}

export function formatParams(pathspec: string, params: readonly ArtifactContent[]): string {
  if (params.length === 0) return `\`${pathspec}\` has no parameters.`
  const lines = params.map(
    (p) =>
      `• \`${p.name}\` = ${p.value ? esc(pyRepr(p.value, { maxItems: 10, maxString: 200 })) : `(${p.type ?? 'value'} not shown: ${esc(p.note ?? 'unknown')})`}`,
  )
  return clip([`Parameters of \`${pathspec}\`:`, ...lines].join('\n'))
}

/** Metaflow's own artifacts in every task: `name` holds the flow's name, `script_name` its file. */
const INTERNAL_NAMES = new Set(['name', 'script_name'])

/** The artifacts a flow's author set, sorted: not `_…` ones, `name` or `script_name`. */
export function visibleNames(artifacts: readonly MetaflowArtifact[]): string[] {
  return artifacts
    .map((a) => a.name)
    .filter((n) => !n.startsWith('_') && !INTERNAL_NAMES.has(n))
    .sort()
}

/** Names of the artifacts; internal ones (`_task_ok`, `name`, …) are counted, not listed. */
export function formatArtifactList(
  pathspec: string,
  artifacts: readonly MetaflowArtifact[],
): string {
  const visible = visibleNames(artifacts)
  const hidden = artifacts.length - visible.length
  const note = hidden ? ` (${hidden} internal artifact${hidden === 1 ? '' : 's'} not listed)` : ''
  if (visible.length === 0) return `\`${pathspec}\` has no artifacts${note}.`
  return clip(
    `Artifacts of \`${pathspec}\`${note}: ${visible.map((n) => `\`${n}\``).join(', ')}\nSay \`data <name>\` to see one.`,
  )
}

export function formatLog(
  taskLabel: string,
  stream: 'stdout' | 'stderr',
  attempt: number | null,
  log: RenderedLog,
  /** a log file exists (the attempt ended): empty then means it wrote nothing */
  written = false,
): string {
  const which = `${stream} of \`${taskLabel}\`${attempt !== null && attempt > 0 ? ` (attempt ${attempt})` : ''}`
  if (log.total === 0 && written)
    return `\`${taskLabel}\`${attempt !== null && attempt > 0 ? ` (attempt ${attempt})` : ''} wrote nothing to ${stream}.`
  if (log.total === 0) return `No ${which} yet (local runs write logs when each task ends).`
  const head =
    log.omitted > 0
      ? `Last ${log.total - log.omitted} of ${log.total} lines of ${which}:`
      : `${which[0]!.toUpperCase()}${which.slice(1)}:`
  return `${head}\n\`\`\`\n${esc(log.text).replaceAll('```', '`\u200b``')}\n\`\`\``
}

export function formatNoRunChosen(): string {
  return `No run is chosen in this thread yet. Say \`inspect <run>\` first.\n${RUN_SPEC_HELP}`
}

/** `export`: the run's metadata as plain JSON, for people who want to paste it elsewhere. */
export function runExport(
  view: RunView,
  parameters: readonly ArtifactContent[] = [],
): Record<string, Json> {
  const { run, status } = view
  return {
    pathspec: runPathspec(run),
    flow: run.flow_id,
    run_id: String(run.run_number),
    user: ownerOf(run),
    created_at: new Date(run.ts_epoch).toISOString(),
    status: status.status,
    status_reason: status.reason,
    // As Metaflow's client: the end task's end, and none for a run that never reached one.
    finished_at: status.endedAt !== null ? new Date(status.endedAt).toISOString() : null,
    duration_ms: status.endedAt !== null ? Math.max(0, status.endedAt - run.ts_epoch) : null,
    tags: run.tags ?? [],
    system_tags: run.system_tags ?? [],
    last_heartbeat_ts: run.last_heartbeat_ts,
    end_step: status.endStep,
    parameters: Object.fromEntries(
      parameters.map((p) => [p.name, p.value ? pyToJson(p.value) : `<${p.type ?? 'unknown'}>`]),
    ),
    steps: view.stepSummaries.map((s) => ({
      name: s.step,
      tasks: s.tasks,
      succeeded: s.succeeded,
      failed: s.failed,
      unfinished: s.unfinished,
      started_at: s.startedAt !== null ? new Date(s.startedAt).toISOString() : null,
      finished_at: s.finishedAt !== null ? new Date(s.finishedAt).toISOString() : null,
      duration_ms: s.durationMs,
    })),
  }
}

function clip(text: string, max = MAX_MESSAGE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}\n…(shortened)`
}
