// Pure run status (running / finished / failed / lost) and per-step summaries, by the rules the Metaflow client uses.
import { attemptsByTask, endStepOf, taskKey, type TaskAttempts } from './attempts.ts'
import type { MetaflowMetadata, MetaflowRun, MetaflowStep, MetaflowTask } from './types.ts'

/** `cancelled`: the bot's own job that ran it was cancelled before the run ended. */
type RunStatusValue = 'running' | 'finished' | 'failed' | 'lost' | 'cancelled'

export interface StatusThresholds {
  /** RUN_INACTIVE_CUTOFF_TIME: a heartbeat older than this means the run stopped; 360 s */
  inactiveSeconds: number
  /** HEARTBEAT_THRESHOLD: a failed task plus a heartbeat this old means no retry is coming; 60 s */
  failedTaskSeconds: number
}

const DEFAULT_THRESHOLDS: StatusThresholds = { inactiveSeconds: 360, failedTaskSeconds: 60 }

export interface StatusInput {
  run: Pick<MetaflowRun, 'ts_epoch' | 'last_heartbeat_ts'>
  tasks: ReadonlyArray<Pick<MetaflowTask, 'step_name' | 'task_id' | 'last_heartbeat_ts'>>
  /** every task's metadata in the run (the service's run metadata route), any order */
  metadata: readonly MetaflowMetadata[]
  nowSeconds: number
  /**
   * Whether the process running the flow is alive, when the bot knows (it started it). Local runs
   * send no heartbeats, so without this flag they are never "running".
   */
  processAlive?: boolean
  /**
   * How the bot's own job for this run ended, when it was stopped rather than ending by itself:
   * a run whose end step has no outcome is then `cancelled` (or lost, said why), not plain lost.
   */
  stoppedBy?: { how: 'cancelled' | 'timed_out'; ebmbotRunId: number; who?: string | null }
  /** `step/task` keys of tasks the local runtime killed itself (`<n>.runtime` says killed) */
  killedTasks?: readonly string[]
  thresholds?: Partial<StatusThresholds>
}

export interface RunStatus {
  status: RunStatusValue
  /** ms epoch at which the run ended, when known */
  finishedAt: number | null
  /** ms from creation to finish; while running, to now */
  durationMs: number | null
  /**
   * ms: when the end task's latest attempt ended (ok or not), as Metaflow's client reports
   * `Run.finished_at`; null for runs that never reached an end outcome (failed elsewhere, lost).
   */
  endedAt: number | null
  /** a short why, for chat: "end step succeeded", "step train failed", … */
  reason: string
  /** steps with a task whose latest attempt failed (or was killed) */
  failedSteps: string[]
  endStep: string
  /** seconds since the newest heartbeat of the run or any task; null when none was ever sent */
  heartbeatAgeSeconds: number | null
}

export function deriveRunStatus(input: StatusInput): RunStatus {
  const t = { ...DEFAULT_THRESHOLDS, ...input.thresholds }
  const endStep = endStepOf(input.metadata)
  const attempts = attemptsByTask(input.metadata)
  const startMs = input.run.ts_epoch
  const nowMs = input.nowSeconds * 1000

  // Tasks beat too; a scheduler-run flow (Argo, Step Functions) has no runtime to beat for the run.
  const beats = [
    input.run.last_heartbeat_ts,
    ...input.tasks.map((x) => x.last_heartbeat_ts),
  ].filter((b): b is number => typeof b === 'number')
  const lastBeat = beats.length ? Math.max(...beats) : null
  const age = lastBeat === null ? null : Math.max(0, input.nowSeconds - lastBeat)
  const alive = input.processAlive ?? (age !== null && age <= t.inactiveSeconds)
  const recentlyAlive = input.processAlive ?? (age !== null && age <= t.failedTaskSeconds)

  const failedSteps = new Set<string>()
  let lastOutcomeMs: number | null = null
  const killed = new Set(input.killedTasks ?? [])
  for (const a of attempts.values()) {
    if (a.latest?.ok === false) failedSteps.add(a.step)
    for (const at of a.attempts)
      if (at.endedAt !== null) lastOutcomeMs = Math.max(lastOutcomeMs ?? 0, at.endedAt)
  }
  // The runtime kills the other running tasks when one fails (or on Ctrl-C): the run ended badly.
  for (const key of killed) failedSteps.add(key.split('/')[0]!)
  const end = newestEndOutcome(attempts, endStep)
  const base = {
    failedSteps: [...failedSteps],
    endStep,
    heartbeatAgeSeconds: age,
    endedAt: end?.at ?? null,
  }
  const result = (
    status: RunStatusValue,
    finishedAt: number | null,
    reason: string,
  ): RunStatus => ({
    status,
    finishedAt,
    durationMs:
      status === 'running'
        ? Math.max(0, nowMs - startMs)
        : finishedAt !== null
          ? Math.max(0, finishedAt - startMs)
          : null,
    reason,
    ...base,
  })

  // UI rules 1–3 on the end step, using its newest attempt_ok.
  if (end && end.ok === false && end.retryStarted) {
    // A retry of the end step is under way; trust it only while something still beats.
    return alive
      ? result('running', null, `end step is being retried (attempt ${end.retryAttempt})`)
      : result(
          'lost',
          lastBeat === null ? null : lastBeat * 1000,
          lostReason(age, input.processAlive),
        )
  }
  if (end?.ok === true) return result('finished', end.at, 'end step succeeded')
  if (end?.ok === false) return result('failed', end.at, 'end step failed')

  // The bot stopped its own job: that, not a lost heartbeat, is why the run has no end.
  const stop = input.stoppedBy
  if (stop && input.processAlive === false) {
    const at = lastOutcomeMs ?? (lastBeat === null ? null : lastBeat * 1000)
    if (stop.how === 'cancelled')
      return result(
        'cancelled',
        at,
        `run ${stop.ebmbotRunId} was cancelled${stop.who ? ` by <@${stop.who}>` : ''}`,
      )
    return result('lost', at, `run ${stop.ebmbotRunId} timed out and was stopped`)
  }

  // A failed task with no retry started, once the run has stopped beating (a retry may follow a pause).
  if (failedSteps.size > 0 && !recentlyAlive) {
    const at = lastOutcomeMs ?? (lastBeat === null ? null : lastBeat * 1000)
    return result('failed', at, `step ${[...failedSteps].join(', ')} failed`)
  }
  if (alive)
    return result(
      'running',
      null,
      input.processAlive ? 'its process is running' : `heartbeat ${age ?? 0} s ago`,
    )
  return result(
    'lost',
    lastBeat === null ? null : lastBeat * 1000,
    lostReason(age, input.processAlive),
  )
}

function lostReason(age: number | null, processAlive: boolean | undefined): string {
  if (processAlive === false) return 'its process ended before the end step'
  if (age === null) return 'no heartbeat was ever recorded'
  return `its heartbeat stopped ${formatAge(age)} ago`
}

function formatAge(s: number): string {
  if (s < 120) return `${Math.round(s)} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  if (s < 172800) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86400)} days`
}

interface EndOutcome {
  ok: boolean
  at: number
  retryStarted: boolean
  retryAttempt: number | null
}

function newestEndOutcome(attempts: Map<string, TaskAttempts>, endStep: string): EndOutcome | null {
  let best: EndOutcome | null = null
  for (const a of attempts.values()) {
    if (a.step !== endStep) continue
    for (const at of a.attempts) {
      if (at.ok === null || at.endedAt === null || (best && best.at > at.endedAt)) continue
      const later = a.attempts.find((x) => x.attempt > at.attempt)
      best = {
        ok: at.ok,
        at: at.endedAt,
        retryStarted: later !== undefined,
        retryAttempt: later?.attempt ?? null,
      }
    }
  }
  return best
}

export interface StepSummary {
  step: string
  tasks: number
  succeeded: number
  failed: number
  /** started or registered, no outcome yet (or never: check the run's status) */
  unfinished: number
  /** ms: earliest task creation */
  startedAt: number | null
  /** ms: latest outcome, only when every task has one */
  finishedAt: number | null
  durationMs: number | null
  allSucceeded: boolean
}

/**
 * Steps in execution order (creation time), without the hidden `_parameters` step, each with its
 * task counts by the outcome of their latest attempt.
 */
export function summarizeSteps(
  steps: ReadonlyArray<Pick<MetaflowStep, 'step_name' | 'ts_epoch'>>,
  tasks: ReadonlyArray<Pick<MetaflowTask, 'step_name' | 'task_id' | 'ts_epoch'>>,
  metadata: readonly MetaflowMetadata[],
): StepSummary[] {
  const attempts = attemptsByTask(metadata)
  const ordered = [...steps]
    .filter((s) => s.step_name !== '_parameters')
    .sort((a, b) => a.ts_epoch - b.ts_epoch || (a.step_name < b.step_name ? -1 : 1))
  return ordered.map((s) => {
    const mine = tasks.filter((x) => x.step_name === s.step_name)
    let succeeded = 0
    let failed = 0
    let finishedAt: number | null = null
    for (const task of mine) {
      const latest = attempts.get(taskKey(task.step_name, task.task_id))?.latest
      if (latest?.ok === true) succeeded++
      if (latest?.ok === false) failed++
      if (latest?.endedAt != null) finishedAt = Math.max(finishedAt ?? 0, latest.endedAt)
    }
    const unfinished = mine.length - succeeded - failed
    const startedAt = mine.length ? Math.min(...mine.map((x) => x.ts_epoch)) : s.ts_epoch
    const done = unfinished === 0 && mine.length > 0
    return {
      step: s.step_name,
      tasks: mine.length,
      succeeded,
      failed,
      unfinished,
      startedAt,
      finishedAt: done ? finishedAt : null,
      durationMs: done && finishedAt !== null ? Math.max(0, finishedAt - startedAt) : null,
      allSucceeded: mine.length > 0 && succeeded === mine.length,
    }
  })
}
