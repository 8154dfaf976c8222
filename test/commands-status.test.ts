// The status reply's content: sections in order, counts in singular or plural, UTC times.
import { expect, test } from 'bun:test'
import { statusText } from '../src/commands/status-text.ts'
import { parseHhMm, suppressionWindow } from '../src/commands/times.ts'

const now = Date.UTC(2026, 10, 23, 12, 0, 0)
const at = (h: number, m = 0) => Date.UTC(2026, 10, 23, h, m)

test('nothing at all says nothing is happening', () => {
  expect(statusText({ now, running: [], scheduled: [], suppressions: [] })).toBe(
    'It is 2026-11-23 12:00:00+00:00. Nothing is happening: no jobs running, scheduled or waiting for approval, no suppressions.',
  )
})

test('running, scheduled (held marked), active and future suppressions, in order', () => {
  const text = statusText({
    now,
    running: [{ id: 3, jobType: 'op_deploy', startedAt: at(11, 59), dueAt: at(11, 59) }],
    scheduled: [
      { id: 4, jobType: 'op_deploy', startedAt: null, dueAt: at(12, 5) },
      { id: 5, jobType: 'demo_hello', startedAt: null, dueAt: at(11, 0) },
    ],
    suppressions: [
      { id: 1, jobType: 'demo_hello', startAt: at(10), endAt: at(13) },
      { id: 2, jobType: 'op_deploy', startAt: at(15), endAt: at(16) },
    ],
  })
  expect(text).toBe(
    [
      'It is 2026-11-23 12:00:00+00:00.',
      '',
      '1 job running:\n• [3] `op_deploy` started at 2026-11-23 11:59:00+00:00',
      '',
      '2 jobs scheduled:\n• [4] `op_deploy` due at 2026-11-23 12:05:00+00:00\n• [5] `demo_hello` due at 2026-11-23 11:00:00+00:00 (held by a suppression until 13:00 UTC)',
      '',
      '1 active suppression:\n• [1] `demo_hello` from 2026-11-23 10:00:00+00:00 to 2026-11-23 13:00:00+00:00',
      '',
      '1 scheduled suppression:\n• [2] `op_deploy` from 2026-11-23 15:00:00+00:00 to 2026-11-23 16:00:00+00:00',
    ].join('\n'),
  )
})

test('runs waiting for approval are listed with who asked and how to answer; nothing else is then "nothing is happening"', () => {
  const text = statusText({
    now,
    running: [],
    scheduled: [],
    suppressions: [],
    awaiting: [
      { id: 8, jobType: 'op_deploy', requestedBy: 'U123ABC', approvalExpiresAt: at(13) },
      { id: 9, jobType: 'op_restart', requestedBy: 'local', approvalExpiresAt: null },
    ],
  })
  expect(text).toBe(
    [
      'It is 2026-11-23 12:00:00+00:00.',
      '',
      '2 runs waiting for approval:',
      '• [8] `op_deploy` asked by <@U123ABC>, until 2026-11-23 13:00:00+00:00 (`approve 8` or `deny 8`)',
      '• [9] `op_restart` asked by local (`approve 9` or `deny 9`)',
    ].join('\n'),
  )
})

test('a job held by overlapping suppressions is held until the later one ends', () => {
  const text = statusText({
    now,
    running: [],
    scheduled: [{ id: 5, jobType: 'demo_hello', startedAt: null, dueAt: at(11) }],
    suppressions: [
      { id: 1, jobType: 'demo_hello', startAt: at(10), endAt: at(13) },
      { id: 2, jobType: 'demo_hello', startAt: at(11), endAt: at(14, 30) },
    ],
  })
  expect(text).toContain('(held by a suppression until 14:30 UTC)')
})

test('HH:MM parsing accepts 00:00-23:59 (and HHMM), nothing else', () => {
  expect(parseHhMm('09:05')).toBe(545)
  expect(parseHhMm('1120')).toBe(680)
  for (const bad of ['9:00', '11:5', '24:00', '11:60', 'xx:10', '', '12:00:00'])
    expect(parseHhMm(bad)).toBeNull()
})

test('a suppression window is today in UTC, start strictly before end', () => {
  expect(suppressionWindow(now, '09:00', '17:30')).toEqual({ startAt: at(9), endAt: at(17, 30) })
  expect(suppressionWindow(now, '10:00', '10:00')).toBeNull()
  expect(suppressionWindow(now, '11:00', '10:00')).toBeNull()
})
