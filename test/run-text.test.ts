// Texts about runs (pure): history lines say each thing once, whatever state the run is in.
import { expect, test } from 'bun:test'
import { historyLine, historyText, type RunLike } from '../src/commands/run-text.ts'

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const run = (extra: Partial<RunLike>): RunLike => ({
  id: 7,
  jobType: 'op_deploy',
  state: 'succeeded',
  requestedBy: 'U1',
  requestText: 'op deploy',
  command: 'deploy',
  queuedAt: T0,
  dueAt: T0,
  startedAt: T0 + 5_000,
  finishedAt: T0 + 95_000,
  exitCode: 0,
  detail: null,
  cancelledBy: null,
  ...extra,
})

test.each([
  [
    'finished',
    run({}),
    '• [7] `op_deploy` succeeded, by <@U1>, 2026-11-23 12:00:05+00:00, took 1m 30s',
  ],
  [
    'running',
    run({ state: 'running', finishedAt: null }),
    '• [7] `op_deploy` running, by <@U1>, 2026-11-23 12:00:05+00:00',
  ],
  [
    'scheduled',
    run({ state: 'pending', startedAt: null, finishedAt: null, dueAt: T0 + 60_000 }),
    '• [7] `op_deploy` scheduled, by <@U1>, asked 2026-11-23 12:00:00+00:00',
  ],
  [
    'cancelled before it started',
    run({ state: 'cancelled', startedAt: null, finishedAt: T0 + 1_000, requestedBy: 'local' }),
    '• [7] `op_deploy` cancelled, by local, asked 2026-11-23 12:00:00+00:00',
  ],
  [
    'approved',
    run({ approval: 'approved', approvalBy: 'U2', approvalAt: T0 + 4_000 }),
    '• [7] `op_deploy` succeeded, by <@U1>, 2026-11-23 12:00:05+00:00, took 1m 30s; approved by <@U2> at 2026-11-23 12:00:04+00:00',
  ],
  [
    'denied',
    run({
      state: 'cancelled',
      startedAt: null,
      finishedAt: T0 + 9_000,
      approval: 'denied',
      approvalBy: 'U1',
      approvalAt: T0 + 9_000,
    }),
    '• [7] `op_deploy` cancelled, by <@U1>, asked 2026-11-23 12:00:00+00:00; denied by <@U1> at 2026-11-23 12:00:09+00:00',
  ],
  [
    'still waiting for approval',
    run({ state: 'awaiting_approval', startedAt: null, finishedAt: null, approval: 'required' }),
    '• [7] `op_deploy` waiting for approval, by <@U1>, asked 2026-11-23 12:00:00+00:00',
  ],
])('a %s run', (_, r, line) => {
  expect(historyLine(r)).toBe(line)
})

test('history says how many runs it counted, and "more than" past the count’s cap', () => {
  const runs = [run({ id: 9 }), run({ id: 8 })]
  expect(
    historyText(runs, 1, 2, { total: 3, capped: false, more: true }, '', 'history page 2'),
  ).toBe(`Runs, newest first (page 1 of 2, 3 in all):
• [9] \`op_deploy\` succeeded, by <@U1>, 2026-11-23 12:00:05+00:00, took 1m 30s
• [8] \`op_deploy\` succeeded, by <@U1>, 2026-11-23 12:00:05+00:00, took 1m 30s
Say \`history page 2\` for older runs.`)
  const capped = { total: 1000, capped: true, more: true }
  expect(
    historyText(runs, 3, 2, capped, ' of `op_deploy`', 'history op deploy page 4'),
  ).toStartWith('Runs of `op_deploy`, newest first (page 3, more than 1,000 in all):\n')
  // The last page past the cap offers no next page.
  const last = historyText(runs, 700, 2, { ...capped, more: false }, '', 'history page 701')
  expect(last).toStartWith('Runs, newest first (page 700, more than 1,000 in all):\n')
  expect(last).not.toContain('Say')
})
