// Chat texts for Metaflow answers: pure functions over runs, statuses, step summaries and artifacts.
import { describe, expect, test } from 'bun:test'
import { formatDuration } from '../src/util/duration.ts'
import type { ArtifactContent } from '../src/metaflow/artifacts.ts'
import {
  formatAgo,
  formatArtifactList,
  formatCandidates,
  formatFlowList,
  formatLog,
  formatNoRunChosen,
  formatParams,
  formatRunLine,
  formatRunList,
  formatRunSummary,
  formatStatus,
  formatSteps,
  runExport,
  statusPhrase,
} from '../src/metaflow/format.ts'
import type { RunView } from '../src/metaflow/run-view.ts'
import type { RunStatus, StepSummary } from '../src/metaflow/status.ts'
import type { MetaflowArtifact, MetaflowRun } from '../src/metaflow/types.ts'

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0)
const run = (
  id: number | string,
  user: string,
  agoMs: number,
  tags: string[] = [],
): MetaflowRun => ({
  flow_id: 'HelloFlow',
  run_number: id,
  user_name: user,
  ts_epoch: NOW - agoMs,
  tags,
  system_tags: [`user:${user}`, 'runtime:dev'],
  last_heartbeat_ts: null,
})
const status = (s: Partial<RunStatus>): RunStatus => ({
  status: 'finished',
  finishedAt: null,
  durationMs: 252_000,
  reason: 'end step succeeded',
  failedSteps: [],
  endStep: 'end',
  heartbeatAgeSeconds: null,
  endedAt: null,
  ...s,
})
const step = (s: Partial<StepSummary> & { step: string }): StepSummary => ({
  tasks: 1,
  succeeded: 1,
  failed: 0,
  unfinished: 0,
  startedAt: NOW,
  finishedAt: NOW + 3000,
  durationMs: 3000,
  allSucceeded: true,
  ...s,
})

describe('time texts', () => {
  test('formatDuration', () => {
    expect(
      [400, 5000, 252_000, 3 * 3600_000 + 60_000, 3 * 86400_000 + 7200_000].map(formatDuration),
    ).toEqual(['0s', '5s', '4m 12s', '3h 1m', '3d 2h'])
  })
  test('formatAgo', () => {
    expect(formatAgo(NOW - 10_000, NOW)).toBe('just now')
    expect(formatAgo(NOW - 60_000, NOW)).toBe('1 minute ago')
    expect(formatAgo(NOW - 5 * 60_000, NOW)).toBe('5 minutes ago')
    expect(formatAgo(NOW - 3 * 3600_000, NOW)).toBe('3 hours ago')
    expect(formatAgo(NOW - 2 * 86400_000, NOW)).toBe('2 days ago')
    expect(formatAgo(NOW - 40 * 86400_000, NOW)).toBe('on 2026-04-22')
    expect(formatAgo(NOW + 60_000, NOW)).toBe('at 2026-06-01 12:01 UTC')
  })
})

describe('runs and flows', () => {
  test('a run line: id, status, user, start, tags', () => {
    expect(formatRunLine(run(12, 'savin', 3 * 3600_000, ['exp1', 'prod']), NOW, status({}))).toBe(
      '`HelloFlow/12` · finished (4m 12s) · savin · started 3 hours ago · tags: `exp1`, `prod`',
    )
    expect(formatRunLine(run(13, 'ann', 60_000), NOW)).toBe(
      '`HelloFlow/13` · ann · started 1 minute ago',
    )
    expect(
      formatRunLine(run(14, 'ann', 60_000), NOW, status({ status: 'lost', durationMs: 1 })),
    ).toStartWith('`HelloFlow/14` · lost · ann')
  })
  test('the owner is the user: tag, else user_name', () => {
    const r = { ...run(15, 'x', 0), system_tags: ['production:tok'], user_name: 'svc' }
    expect(formatRunLine(r, NOW)).toContain(' · svc · ')
  })
  test('run list and flow list', () => {
    expect(formatRunList('HelloFlow', [{ run: run(12, 'savin', 60_000) }], NOW)).toBe(
      'Recent runs of `HelloFlow`, newest first:\n• `HelloFlow/12` · savin · started 1 minute ago',
    )
    expect(formatRunList('HelloFlow', [], NOW)).toBe('`HelloFlow` has no runs yet.')
    expect(
      formatFlowList([
        { flow_id: 'b', user_name: null, ts_epoch: 0, tags: null, system_tags: null },
        { flow_id: 'A', user_name: null, ts_epoch: 0, tags: null, system_tags: null },
      ]),
    ).toBe('2 flows: `A`, `b`')
    expect(formatFlowList([])).toBe('No Metaflow flows found.')
  })
  test('candidates as the Slack bot listed them', () => {
    expect(formatCandidates([run(21, 'dberg', 7200_000), run(12, 'savin', 86400_000)], NOW)).toBe(
      '2 runs match, newest first. Say `inspect <Flow/id>` with one of them:\n• `HelloFlow/21` by dberg, 2 hours ago\n• `HelloFlow/12` by savin, 1 day ago',
    )
  })
})

describe('status and summary', () => {
  test('statusPhrase for each outcome', () => {
    expect(statusPhrase(status({}))).toBe('succeeded in 4m 12s')
    expect(
      statusPhrase(status({ status: 'failed', durationMs: 60_000, reason: 'step train failed' })),
    ).toBe('failed after 1m 0s (step train failed)')
    expect(statusPhrase(status({ status: 'running', durationMs: 30_000 }))).toBe(
      'still running (for 30s)',
    )
    expect(
      statusPhrase(status({ status: 'lost', reason: 'its heartbeat stopped 20 min ago' })),
    ).toBe('did not finish (its heartbeat stopped 20 min ago)')
  })

  const view: RunView = {
    run: run(12, 'savin', 3 * 3600_000, ['exp1']),
    steps: [],
    tasks: [],
    metadata: [],
    status: status({}),
    stepSummaries: [
      step({ step: 'start' }),
      step({
        step: 'train',
        tasks: 10,
        succeeded: 9,
        failed: 1,
        allSucceeded: false,
        durationMs: 124_000,
      }),
      step({
        step: 'end',
        tasks: 1,
        succeeded: 0,
        unfinished: 1,
        allSucceeded: false,
        durationMs: null,
      }),
    ],
  }

  test('the inspect summary', () => {
    expect(formatRunSummary(view, NOW)).toBe(
      [
        '`HelloFlow/12` was started by savin 3 hours ago.',
        'Outcome: succeeded in 4m 12s.',
        'Tags: `exp1`',
        'Steps:',
        '• `start`: 1 task, 3s, all succeeded',
        '• `train`: 10 tasks, 2m 4s, 9 succeeded, 1 failed',
        '• `end`: 1 task, 1 unfinished',
      ].join('\n'),
    )
    expect(formatStatus(view)).toBe('`HelloFlow/12`: succeeded in 4m 12s.')
  })

  test('steps: at most 50 listed', () => {
    const many = Array.from({ length: 55 }, (_, i) => step({ step: `s${i}` }))
    const text = formatSteps(many)
    expect(text.split('\n')).toHaveLength(51)
    expect(text).toEndWith('…and 5 more steps')
    expect(formatSteps([])).toBe('No steps have started yet.')
  })

  test('export is plain JSON', () => {
    const params: ArtifactContent[] = [
      {
        name: 'alpha',
        type: 'float',
        size: 10,
        encoding: 'pickle-v4',
        value: { kind: 'float', value: 0.5 },
        note: null,
      },
      {
        name: 'model',
        type: 'sklearn.Model',
        size: 10,
        encoding: 'pickle-v4',
        value: null,
        note: 'not a simple Python value',
      },
    ]
    const out = runExport(
      {
        ...view,
        status: status({
          finishedAt: NOW - 3 * 3600_000 + 252_000,
          endedAt: NOW - 3 * 3600_000 + 252_000,
        }),
      },
      params,
    )
    expect(out).toMatchObject({
      pathspec: 'HelloFlow/12',
      run_id: '12',
      user: 'savin',
      status: 'finished',
      duration_ms: 252_000,
      created_at: '2026-06-01T09:00:00.000Z',
      finished_at: '2026-06-01T09:04:12.000Z',
      parameters: { alpha: 0.5, model: '<sklearn.Model>' },
    })
    expect((out.steps as unknown[]).length).toBe(3)
    expect(JSON.parse(JSON.stringify(out))).toEqual(out)
  })
  test('export gives no end time to runs that never reached their end step, as Metaflow does', () => {
    const failed = runExport({
      ...view,
      status: status({
        status: 'failed',
        reason: 'step train failed',
        finishedAt: NOW - 3 * 3600_000 + 9000,
        durationMs: 9000,
        endedAt: null,
      }),
    })
    expect(failed).toMatchObject({ status: 'failed', finished_at: null, duration_ms: null })
    const lost = runExport({
      ...view,
      status: status({ status: 'lost', finishedAt: NOW - 3600_000, endedAt: null }),
    })
    expect(lost).toMatchObject({ status: 'lost', finished_at: null, duration_ms: null })
  })
})

describe('parameters, artifacts, logs, help', () => {
  test('params', () => {
    const p: ArtifactContent[] = [
      {
        name: 'alpha',
        type: 'float',
        size: 1,
        encoding: 'pickle-v4',
        value: { kind: 'float', value: 0.5 },
        note: null,
      },
      {
        name: 'cfg',
        type: 'dict',
        size: 1,
        encoding: 'pickle-v4',
        value: { kind: 'dict', entries: [[{ kind: 'str', value: 'k' }, { kind: 'none' }]] },
        note: null,
      },
      {
        name: 'when',
        type: 'datetime.datetime',
        size: 1,
        encoding: 'pickle-v4',
        value: null,
        note: 'not a simple Python value',
      },
    ]
    expect(formatParams('HelloFlow/12', p)).toBe(
      [
        'Parameters of `HelloFlow/12`:',
        '• `alpha` = 0.5',
        "• `cfg` = {'k': None}",
        '• `when` = (datetime.datetime not shown: not a simple Python value)',
      ].join('\n'),
    )
    expect(formatParams('HelloFlow/12', [])).toBe('`HelloFlow/12` has no parameters.')
  })

  test('artifact list hides internal names', () => {
    const a = (name: string) => ({ name }) as MetaflowArtifact
    expect(
      formatArtifactList('HelloFlow/12', [a('b'), a('_task_ok'), a('a'), a('_foreach_stack')]),
    ).toBe(
      'Artifacts of `HelloFlow/12` (2 internal artifacts not listed): `a`, `b`\nSay `data <name>` to see one.',
    )
    expect(formatArtifactList('HelloFlow/12', [a('_task_ok')])).toBe(
      '`HelloFlow/12` has no artifacts (1 internal artifact not listed).',
    )
  })

  test('logs', () => {
    expect(
      formatLog('HelloFlow/12/start/1', 'stdout', 0, { text: 'hi', omitted: 0, total: 1 }),
    ).toBe('Stdout of `HelloFlow/12/start/1`:\n```\nhi\n```')
    expect(
      formatLog('HelloFlow/12/start/1', 'stderr', 2, { text: 'x\ny', omitted: 8, total: 10 }),
    ).toBe('Last 2 of 10 lines of stderr of `HelloFlow/12/start/1` (attempt 2):\n```\nx\ny\n```')
    expect(
      formatLog('HelloFlow/12/start/1', 'stdout', null, { text: '', omitted: 0, total: 0 }),
    ).toStartWith('No stdout of')
  })

  test('no run chosen', () => {
    expect(formatNoRunChosen()).toStartWith(
      'No run is chosen in this thread yet. Say `inspect <run>` first.\nName a run in one of these ways:',
    )
  })
})
