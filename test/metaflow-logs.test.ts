// MFLOG parsing and merging and the chat tail of a log.
import { describe, expect, test } from 'bun:test'
import { mergeLogs, parseMflog, parseMflogLine, renderLogTail } from '../src/metaflow/logs.ts'

const ID = 'dbb67665-a575-4e3e-ba96-21d0e5293a04'
const line = (ts: string, source: string, text: string, persist = false) =>
  `${persist ? '[!' : ''}[MFLOG|0|${ts}|${source}|${ID}]${text}`

describe('parseMflogLine', () => {
  test('the documented example', () => {
    expect(parseMflogLine(line('2026-11-23T13:56:12.103562Z', 'runtime', 'hello stdout'))).toEqual({
      ts: '2026-11-23T13:56:12.103562Z',
      source: 'runtime',
      text: 'hello stdout',
    })
  })
  test('the [! persist prefix is stripped; text may hold brackets and pipes', () => {
    expect(parseMflogLine(line('2026-11-23T13:56:12.103562Z', 'task', 'a [b|c] d', true))).toEqual({
      ts: '2026-11-23T13:56:12.103562Z',
      source: 'task',
      text: 'a [b|c] d',
    })
  })
  test('anything else is plain text without a timestamp', () => {
    for (const raw of [
      'plain',
      '[MFLOG|1|2026-11-23T13:56:12.103562Z|task|x]v1',
      '[MFLOG|0|2026-11-23T13:56:12Z|task|x]no micros',
      '',
    ]) {
      expect(parseMflogLine(raw)).toEqual({ ts: null, source: null, text: raw })
    }
  })
})

describe('parseMflog', () => {
  test('a trailing newline adds no line; a last line without one still counts; CRLF tolerated', () => {
    expect(parseMflog('a\nb\n').map((l) => l.text)).toEqual(['a', 'b'])
    expect(parseMflog('a\nb').map((l) => l.text)).toEqual(['a', 'b'])
    expect(parseMflog('a\r\n\nb').map((l) => l.text)).toEqual(['a', '', 'b'])
    expect(parseMflog('')).toEqual([])
  })
})

describe('mergeLogs', () => {
  test('runtime and task files interleave by timestamp; untimed lines go last', () => {
    const runtime = [
      line('2026-11-23T13:56:12.000001Z', 'runtime', 'r1'),
      'untimed runtime',
      line('2026-11-23T13:56:12.000003Z', 'runtime', 'r3'),
    ].join('\n')
    const task =
      [
        line('2026-11-23T13:56:12.000002Z', 'task', 't2'),
        line('2026-11-23T13:56:12.000003Z', 'task', 't3 same time'),
        'untimed task',
      ].join('\n') + '\n'
    expect(mergeLogs(runtime, task).map((l) => l.text)).toEqual([
      'r1',
      't2',
      'r3',
      't3 same time',
      'untimed runtime',
      'untimed task',
    ])
    expect(mergeLogs(null, undefined, '')).toEqual([])
  })
})

describe('renderLogTail', () => {
  const lines = parseMflog(
    Array.from({ length: 100 }, (_, i) =>
      line(`2026-11-23T13:56:${String(i % 60).padStart(2, '0')}.000000Z`, 'task', `line ${i}`),
    ).join('\n'),
  )
  test('keeps the last lines and counts the rest', () => {
    const r = renderLogTail(lines, { maxLines: 3 })
    expect(r).toEqual({ text: 'line 97\nline 98\nline 99', omitted: 97, total: 100 })
  })
  test('stays under the character cap; a huge single line shows its end', () => {
    expect(renderLogTail(lines, { maxChars: 20 }).text).toBe('line 98\nline 99')
    const huge = renderLogTail([{ ts: null, source: null, text: `start${'x'.repeat(100)}END` }], {
      maxChars: 10,
    })
    expect(huge.text).toBe('…xxxxxxEND')
  })
  test('optional HH:MM:SS timestamps', () => {
    expect(renderLogTail(lines, { maxLines: 1, timestamps: true }).text).toBe('13:56:39 line 99')
  })
})
