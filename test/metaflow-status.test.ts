// Run status derivation and step summaries, on hand-built metadata rows.
import { describe, expect, test } from 'bun:test'
import { attemptOf, attemptsByTask, endStepOf } from '../src/metaflow/attempts.ts'
import { deriveRunStatus, summarizeSteps, type StatusInput } from '../src/metaflow/status.ts'
import type { MetaflowMetadata } from '../src/metaflow/types.ts'

const T0 = 1_717_000_000_000 // ms
const NOW = T0 / 1000 + 3600 // s: an hour after the run was created

function md(
  step: string,
  task: number,
  field: string,
  value: string,
  tsMs: number,
  attempt: number | null = 0,
): MetaflowMetadata {
  return {
    id: 1,
    flow_id: 'HelloFlow',
    run_number: 12,
    step_name: step,
    task_id: task,
    field_name: field,
    value,
    type: field,
    user_name: 'savin',
    ts_epoch: tsMs,
    tags: attempt === null ? [] : [`attempt_id:${attempt}`],
    system_tags: null,
  }
}

/** One task attempt: started at `at` s after T0; outcome after 2 s. */
function attemptRows(
  step: string,
  task: number,
  n: number,
  at: number,
  ok?: boolean,
): MetaflowMetadata[] {
  const rows = [md(step, task, 'attempt', String(n), T0 + at * 1000, n)]
  if (ok !== undefined)
    rows.push(
      md(step, task, 'attempt_ok', ok ? 'True' : 'False', T0 + (at + 2) * 1000, n),
      md(step, task, 'attempt-done', String(n), T0 + (at + 2) * 1000 + 5, n),
    )
  return rows
}

const params = [
  md('_parameters', 1, 'end_step', 'end', T0 + 10, null),
  ...attemptRows('_parameters', 1, 0, 0, true),
]
const tasks = [
  { step_name: 'start', task_id: 2, last_heartbeat_ts: null },
  { step_name: 'end', task_id: 3, last_heartbeat_ts: null },
]

function input(metadata: MetaflowMetadata[], more: Partial<StatusInput> = {}): StatusInput {
  return {
    run: { ts_epoch: T0, last_heartbeat_ts: null },
    tasks,
    metadata: [...params, ...metadata],
    nowSeconds: NOW,
    ...more,
  }
}

describe('deriveRunStatus', () => {
  test('finished when the end task succeeded; duration from creation to its attempt_ok', () => {
    const st = deriveRunStatus(
      input([...attemptRows('start', 2, 0, 5, true), ...attemptRows('end', 3, 0, 10, true)]),
    )
    expect(st.status).toBe('finished')
    expect(st.finishedAt).toBe(T0 + 12_000)
    expect(st.durationMs).toBe(12_000)
    expect(st.reason).toBe('end step succeeded')
  })

  test('finished regardless of a stale heartbeat', () => {
    const st = deriveRunStatus(
      input([...attemptRows('start', 2, 0, 5, true), ...attemptRows('end', 3, 0, 10, true)], {
        run: { ts_epoch: T0, last_heartbeat_ts: T0 / 1000 + 12 },
      }),
    )
    expect(st.status).toBe('finished')
  })

  test('failed when the end step failed with no retry', () => {
    const st = deriveRunStatus(
      input([...attemptRows('start', 2, 0, 5, true), ...attemptRows('end', 3, 0, 10, false)], {
        run: { ts_epoch: T0, last_heartbeat_ts: NOW - 5 },
      }),
    )
    expect(st.status).toBe('failed')
    expect(st.reason).toBe('end step failed')
    expect(st.failedSteps).toEqual(['end'])
  })

  test('end-step retry rule: a failed end attempt followed by a new attempt is running while the run beats', () => {
    const rows = [
      ...attemptRows('start', 2, 0, 5, true),
      ...attemptRows('end', 3, 0, 10, false),
      ...attemptRows('end', 3, 1, 20),
    ]
    const st = deriveRunStatus(input(rows, { run: { ts_epoch: T0, last_heartbeat_ts: NOW - 5 } }))
    expect(st.status).toBe('running')
    expect(st.reason).toContain('retried (attempt 1)')
    // …and lost once the heartbeat is older than 6 minutes, instead of "running" forever.
    const stale = deriveRunStatus(
      input(rows, { run: { ts_epoch: T0, last_heartbeat_ts: NOW - 400 } }),
    )
    expect(stale.status).toBe('lost')
  })

  test('the retry of the end step that succeeds makes the run finished', () => {
    const rows = [
      ...attemptRows('start', 2, 0, 5, true),
      ...attemptRows('end', 3, 0, 10, false),
      ...attemptRows('end', 3, 1, 20, true),
    ]
    expect(deriveRunStatus(input(rows)).status).toBe('finished')
  })

  test('running while the heartbeat is at most 360 s old', () => {
    const rows = attemptRows('start', 2, 0, 5)
    expect(
      deriveRunStatus(input(rows, { run: { ts_epoch: T0, last_heartbeat_ts: NOW - 360 } })).status,
    ).toBe('running')
    const st = deriveRunStatus(input(rows, { run: { ts_epoch: T0, last_heartbeat_ts: NOW - 20 } }))
    expect(st.durationMs).toBe(3600_000)
    expect(st.heartbeatAgeSeconds).toBe(20)
  })

  test('lost when heartbeats stopped without an end', () => {
    const st = deriveRunStatus(
      input(attemptRows('start', 2, 0, 5), { run: { ts_epoch: T0, last_heartbeat_ts: NOW - 361 } }),
    )
    expect(st.status).toBe('lost')
    expect(st.reason).toBe('its heartbeat stopped 6 min ago')
    expect(st.finishedAt).toBe((NOW - 361) * 1000)
  })

  test('lost when no heartbeat was ever sent (old clients)', () => {
    const st = deriveRunStatus(input(attemptRows('start', 2, 0, 5)))
    expect(st.status).toBe('lost')
    expect(st.reason).toContain('no heartbeat')
  })

  test('a fresh task heartbeat keeps a run alive (scheduler runs have no runtime heartbeat)', () => {
    const st = deriveRunStatus(
      input(attemptRows('start', 2, 0, 5), {
        run: { ts_epoch: T0, last_heartbeat_ts: T0 / 1000 },
        tasks: [{ step_name: 'start', task_id: 2, last_heartbeat_ts: NOW - 30 }],
      }),
    )
    expect(st.status).toBe('running')
  })

  test('a failed task is failed once the run stopped beating for a minute, sooner than the 6-minute cutoff', () => {
    const rows = [...attemptRows('start', 2, 0, 5, true), ...attemptRows('train', 4, 0, 10, false)]
    const st = deriveRunStatus(input(rows, { run: { ts_epoch: T0, last_heartbeat_ts: NOW - 90 } }))
    expect(st.status).toBe('failed')
    expect(st.reason).toBe('step train failed')
    expect(st.finishedAt).toBe(T0 + 12_000)
    // Within a minute a retry may still follow, so it stays running.
    expect(
      deriveRunStatus(input(rows, { run: { ts_epoch: T0, last_heartbeat_ts: NOW - 30 } })).status,
    ).toBe('running')
  })

  test('a failed attempt followed by a retry is not a failure', () => {
    const rows = [...attemptRows('train', 4, 0, 10, false), ...attemptRows('train', 4, 1, 20)]
    expect(
      deriveRunStatus(input(rows, { run: { ts_epoch: T0, last_heartbeat_ts: NOW - 90 } })).status,
    ).toBe('running')
  })

  describe('local runs (no heartbeats)', () => {
    test('running only while the bot knows its process is alive', () => {
      expect(
        deriveRunStatus(input(attemptRows('start', 2, 0, 5), { processAlive: true })).status,
      ).toBe('running')
      expect(
        deriveRunStatus(input(attemptRows('start', 2, 0, 5), { processAlive: true })).reason,
      ).toBe('its process is running')
    })
    test('lost when the process is gone (or unknown) without end or failure', () => {
      expect(
        deriveRunStatus(input(attemptRows('start', 2, 0, 5), { processAlive: false })).reason,
      ).toBe('its process ended before the end step')
      expect(deriveRunStatus(input(attemptRows('start', 2, 0, 5))).status).toBe('lost')
    })
    test('cancelled, not lost or failed, when the bot cancelled its own job (tasks the runtime killed included)', () => {
      const st = deriveRunStatus(
        input(attemptRows('start', 2, 0, 5), {
          processAlive: false,
          killedTasks: ['start/2'],
          stoppedBy: { how: 'cancelled', ebmbotRunId: 7, who: 'U9' },
        }),
      )
      expect([st.status, st.reason, st.endedAt]).toEqual([
        'cancelled',
        'run 7 was cancelled by <@U9>',
        null,
      ])
      // A run that reached its end before the cancel landed keeps its outcome.
      const ended = deriveRunStatus(
        input([...attemptRows('start', 2, 0, 5, true), ...attemptRows('end', 3, 0, 9, true)], {
          processAlive: false,
          stoppedBy: { how: 'cancelled', ebmbotRunId: 7 },
        }),
      )
      expect([ended.status, ended.endedAt]).toEqual(['finished', T0 + 11_000])
      const timedOut = deriveRunStatus(
        input(attemptRows('start', 2, 0, 5), {
          processAlive: false,
          stoppedBy: { how: 'timed_out', ebmbotRunId: 8 },
        }),
      )
      expect([timedOut.status, timedOut.reason]).toEqual([
        'lost',
        'run 8 timed out and was stopped',
      ])
    })
    test("endedAt is only the end task's end: none for a run failed at an earlier step", () => {
      const st = deriveRunStatus(
        input(attemptRows('start', 2, 0, 5, false), { processAlive: false }),
      )
      expect([st.status, st.endedAt]).toEqual(['failed', null])
      expect(st.finishedAt).toBe(T0 + 7000)
    })
    test('failed when a task failed and the process exited', () => {
      expect(
        deriveRunStatus(input(attemptRows('start', 2, 0, 5, false), { processAlive: false }))
          .status,
      ).toBe('failed')
      // A live process may still retry the task.
      expect(
        deriveRunStatus(input(attemptRows('start', 2, 0, 5, false), { processAlive: true })).status,
      ).toBe('running')
    })
    test('tasks the runtime killed count as a failure', () => {
      const st = deriveRunStatus(input(attemptRows('start', 2, 0, 5), { killedTasks: ['start/2'] }))
      expect(st.status).toBe('failed')
      expect(st.failedSteps).toEqual(['start'])
    })
  })

  test('the end step comes from the _parameters metadata', () => {
    const rows = [
      md('_parameters', 1, 'end_step', 'finish', T0 + 20, null),
      ...attemptRows('finish', 5, 0, 10, true),
    ]
    const st = deriveRunStatus(input(rows))
    expect(st.endStep).toBe('finish')
    expect(st.status).toBe('finished')
  })
})

describe('attempt helpers', () => {
  test('attemptOf reads the attempt_id tag, or the attempt item value', () => {
    expect(attemptOf({ tags: ['attempt_id:3'], field_name: 'attempt_ok', value: 'True' })).toBe(3)
    expect(attemptOf({ tags: null, field_name: 'attempt', value: '2' })).toBe(2)
    expect(attemptOf({ tags: [], field_name: 'user', value: 'savin' })).toBeNull()
  })
  test('attemptsByTask groups by task and attempt; endStepOf defaults to end', () => {
    const by = attemptsByTask([
      ...attemptRows('a', 1, 0, 0, false),
      ...attemptRows('a', 1, 1, 5, true),
    ])
    const t = by.get('a/1')!
    expect(t.attempts.map((a) => [a.attempt, a.ok, a.done])).toEqual([
      [0, false, true],
      [1, true, true],
    ])
    expect(t.latest?.attempt).toBe(1)
    expect(endStepOf([])).toBe('end')
  })
})

describe('summarizeSteps', () => {
  test('execution order, counts, runtime, all-succeeded; _parameters hidden', () => {
    const steps = [
      { step_name: 'end', ts_epoch: T0 + 30_000 },
      { step_name: '_parameters', ts_epoch: T0 },
      { step_name: 'start', ts_epoch: T0 + 1000 },
      { step_name: 'train', ts_epoch: T0 + 5000 },
    ]
    const ts = [
      { step_name: 'start', task_id: 2, ts_epoch: T0 + 5000 },
      { step_name: 'train', task_id: 4, ts_epoch: T0 + 10_000 },
      { step_name: 'train', task_id: 5, ts_epoch: T0 + 10_000 },
      { step_name: 'train', task_id: 6, ts_epoch: T0 + 10_000 },
      { step_name: 'end', task_id: 7, ts_epoch: T0 + 30_000 },
    ]
    const rows = [
      ...attemptRows('start', 2, 0, 5, true),
      ...attemptRows('train', 4, 0, 10, true),
      ...attemptRows('train', 5, 0, 10, false),
      ...attemptRows('train', 6, 0, 10),
    ]
    const s = summarizeSteps(steps, ts, rows)
    expect(s.map((x) => x.step)).toEqual(['start', 'train', 'end'])
    expect(s[0]).toMatchObject({ tasks: 1, succeeded: 1, allSucceeded: true, durationMs: 2000 })
    expect(s[1]).toMatchObject({
      tasks: 3,
      succeeded: 1,
      failed: 1,
      unfinished: 1,
      allSucceeded: false,
      finishedAt: null,
      durationMs: null,
    })
    expect(s[2]).toMatchObject({ tasks: 1, succeeded: 0, unfinished: 1, allSucceeded: false })
  })
})
