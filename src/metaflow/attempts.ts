// Pure reading of per-task attempt history out of Metaflow metadata rows.
import type { MetaflowMetadata } from './types.ts'

interface AttemptInfo {
  attempt: number
  /** ms: when the `attempt` item was written */
  startedAt: number | null
  /** `attempt_ok`: true/false, or null while there is no outcome */
  ok: boolean | null
  /** ms: when `attempt_ok` was written */
  endedAt: number | null
  /** an `attempt-done` item exists (the artifact index was written) */
  done: boolean
}

export interface TaskAttempts {
  step: string
  task: string
  /** by attempt number, ascending */
  attempts: AttemptInfo[]
  /** the highest attempt started, or null when none has been recorded */
  latest: AttemptInfo | null
}

/** `attempt_id:<n>` in a metadata item's tags; the `attempt` item also carries n as its value. */
export function attemptOf(
  m: Pick<MetaflowMetadata, 'tags' | 'field_name' | 'value'>,
): number | null {
  for (const t of m.tags ?? []) {
    const match = /^attempt_id:(\d+)$/.exec(t)
    if (match) return Number(match[1])
  }
  if (m.field_name === 'attempt' && /^\d+$/.test(m.value)) return Number(m.value)
  return null
}

export function taskKey(step: string, task: string | number): string {
  return `${step}/${task}`
}

/** Groups every task's attempt items; keys are `step/task`. */
export function attemptsByTask(metadata: readonly MetaflowMetadata[]): Map<string, TaskAttempts> {
  const byTask = new Map<
    string,
    { step: string; task: string; byNumber: Map<number, AttemptInfo> }
  >()
  const sorted = [...metadata].sort((a, b) => a.ts_epoch - b.ts_epoch)
  for (const m of sorted) {
    if (
      m.field_name !== 'attempt' &&
      m.field_name !== 'attempt_ok' &&
      m.field_name !== 'attempt-done'
    )
      continue
    const n = attemptOf(m)
    if (n === null) continue
    const key = taskKey(m.step_name, m.task_id)
    let entry = byTask.get(key)
    if (!entry)
      byTask.set(key, (entry = { step: m.step_name, task: String(m.task_id), byNumber: new Map() }))
    let a = entry.byNumber.get(n)
    if (!a)
      entry.byNumber.set(
        n,
        (a = { attempt: n, startedAt: null, ok: null, endedAt: null, done: false }),
      )
    if (m.field_name === 'attempt') a.startedAt ??= m.ts_epoch
    else if (m.field_name === 'attempt-done') a.done = true
    else {
      // Sorted oldest first, so the newest attempt_ok wins.
      a.ok = m.value === 'True'
      a.endedAt = m.ts_epoch
    }
  }
  const out = new Map<string, TaskAttempts>()
  for (const [key, e] of byTask) {
    const attempts = [...e.byNumber.values()].sort((a, b) => a.attempt - b.attempt)
    out.set(key, {
      step: e.step,
      task: e.task,
      attempts,
      latest: attempts[attempts.length - 1] ?? null,
    })
  }
  return out
}

/** The end step's name: `end_step` in the `_parameters` task's metadata (graph_structure), else `end`. */
export function endStepOf(metadata: readonly MetaflowMetadata[]): string {
  let found: MetaflowMetadata | null = null
  for (const m of metadata) {
    if (m.field_name === 'end_step' && (!found || m.ts_epoch >= found.ts_epoch)) found = m
  }
  return found?.value || 'end'
}
