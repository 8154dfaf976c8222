// Run verbs: with a number anywhere, without one in a run's thread; history filters and pages.
import { describe, expect, test } from 'bun:test'
import { parseRunVerb } from '../src/commands/run-verbs.ts'

const p = (text: string, threadRun?: number) =>
  parseRunVerb(text.toLowerCase().split(' '), threadRun)

describe('outside a thread the verbs take a run number', () => {
  test.each([
    ['logs 42', { kind: 'logs', id: 42, spec: { stream: 'stdout', lines: 40 } }],
    ['logs 42 stderr', { kind: 'logs', id: 42, spec: { stream: 'stderr', lines: 40 } }],
    ['logs 42 100', { kind: 'logs', id: 42, spec: { stream: 'stdout', lines: 100 } }],
    ['logs 42 all', { kind: 'logs', id: 42, spec: { stream: 'stdout', lines: 'all' } }],
    ['logs 42 99999', { kind: 'logs', id: 42, spec: { stream: 'stdout', lines: 500 } }],
    ['cancel 7', { kind: 'cancel_run', id: 7 }],
    ['rerun 7', { kind: 'rerun', id: 7 }],
    ['quiet 7', { kind: 'quiet', id: 7, quiet: true }],
    ['loud 7', { kind: 'quiet', id: 7, quiet: false }],
    ['status 7', { kind: 'run_status', id: 7 }],
  ])('%p', (text, expected) => expect(p(text)).toEqual(expected as never))
  test('without a number they explain how to name a run', () => {
    expect(p('logs')).toMatchObject({ kind: 'usage' })
    expect(p('cancel')).toMatchObject({
      kind: 'usage',
      text: expect.stringContaining('`cancel 42`'),
    })
  })
  test('plain `status` is the queue status, not a run verb', () => {
    expect(p('status')).toBeNull()
  })
  test('other words are not run verbs', () => {
    expect(p('cancel sleep')).toBeNull()
    expect(p('logs /etc/passwd')).toBeNull()
    expect(p('logs ../../x')).toBeNull()
  })
})

describe("in a run's thread they need no number", () => {
  test.each([
    ['status', { kind: 'run_status', id: 5 }],
    ['logs', { kind: 'logs', id: 5, spec: { stream: 'stdout', lines: 40 } }],
    ['logs stderr', { kind: 'logs', id: 5, spec: { stream: 'stderr', lines: 40 } }],
    ['logs 100', { kind: 'logs', id: 5, spec: { stream: 'stdout', lines: 100 } }],
    ['logs 9 100', { kind: 'logs', id: 9, spec: { stream: 'stdout', lines: 100 } }],
    ['cancel', { kind: 'cancel_run', id: 5 }],
    ['cancel 9', { kind: 'cancel_run', id: 9 }],
    ['rerun', { kind: 'rerun', id: 5 }],
    ['quiet', { kind: 'quiet', id: 5, quiet: true }],
  ])('%p', (text, expected) => expect(p(text, 5)).toEqual(expected as never))
})

describe('history', () => {
  test.each([
    ['history', { kind: 'history', page: 1 }],
    ['history failed', { kind: 'history', outcome: 'failed', page: 1 }],
    ['history demo', { kind: 'history', namespace: 'demo', page: 1 }],
    [
      'history demo hello timed-out page 3',
      { kind: 'history', namespace: 'demo', job: 'hello', outcome: 'timed_out', page: 3 },
    ],
  ])('%p', (text, expected) => expect(p(text)).toEqual(expected as never))
  test('too many names is a usage hint', () => {
    expect(p('history a b c')).toMatchObject({ kind: 'usage' })
  })
})
