// Tech-support's out-of-office commands and dates, without Slack: parsing, the
// date rules as tables, what each command says and stores, and the router's view of them.
import { describe, expect, test } from 'bun:test'
import {
  applyAway,
  awayNotice,
  awayWindow,
  isAwayOn,
  longDay,
  parseAwayCommand,
  parseDay,
  utcDay,
  type StoredAway,
  type AwayWindow,
} from '../src/commands/away.ts'
import { route } from '../src/commands/route.ts'
import { configFrom, OPS_YAML } from './support/configs.ts'

const member = { isGuest: false }
const parse = (text: string) => parseAwayCommand(text.toLowerCase().split(' '), member, '@ebmbot ')

describe('parsing the out-of-office words', () => {
  test.each([
    ['out-of-office', { kind: 'out_of_office', action: 'show' }],
    ['out-of-office status', { kind: 'out_of_office', action: 'show' }],
    ['out-of-office off', { kind: 'out_of_office', action: 'off' }],
    [
      'out-of-office from 2026-12-24 to 2027-01-02',
      { kind: 'out_of_office', action: 'on', start: '2026-12-24', end: '2027-01-02' },
    ],
    [
      'OUT-OF-OFFICE From 2026-12-24 Until 2027-01-02',
      { kind: 'out_of_office', action: 'on', start: '2026-12-24', end: '2027-01-02' },
    ],
    [
      'out-of-office until 2027-01-02',
      { kind: 'out_of_office', action: 'on', start: 'today', end: '2027-01-02' },
    ],
  ])('%p', (text, want) => {
    expect(parse(text)).toEqual(want as never)
  })

  test.each([
    'out-of-office on',
    'out-of-office from 2026-12-24',
    'out-of-office 2026-12-24 to 2027-01-02',
    'out-of-office off now',
    'out-of-office from a to b c',
  ])('%p gets the usage, naming every form', (text) => {
    const d = parse(text)
    expect(d?.kind).toBe('reply')
    const reply = (d as { text: string }).text
    for (const form of [
      '`@ebmbot out-of-office from [YYYY-MM-DD] to [YYYY-MM-DD]`',
      '`@ebmbot out-of-office off`',
      '`@ebmbot out-of-office`',
    ])
      expect(reply).toContain(form)
  })

  test('other words are not this command', () => {
    for (const text of ['out of office', 'status', 'demo out-of-office', 'out-of-offices'])
      expect(parse(text)).toBeNull()
  })

  test('a guest is refused every form, like a restricted namespace', () => {
    for (const text of [
      'out-of-office',
      'out-of-office off',
      'out-of-office from 2026-12-24 to 2027-01-02',
    ]) {
      expect(parseAwayCommand(text.split(' '), { isGuest: true })).toEqual({
        kind: 'reply',
        text: 'Sorry, only internal members of this workspace may use the `out-of-office` commands.',
      })
    }
  })
})

describe('dates', () => {
  test.each([
    ['2026-12-24', true, ''],
    ['2028-02-29', true, ''],
    ['2026-02-28', true, ''],
    ['2026-02-29', false, 'February 2026 has 28 days'],
    ['2026-02-30', false, 'February 2026 has 28 days'],
    ['2026-04-31', false, 'April 2026 has 30 days'],
    ['2026-00-10', false, 'there is no month 00'],
    ['2026-13-01', false, 'there is no month 13'],
    ['2026-12-00', false, 'December 2026 has 31 days'],
    ['2026-1-5', false, 'write it as `YYYY-MM-DD`'],
    ['24/12/2026', false, 'write it as `YYYY-MM-DD`'],
    ['tomorrow', false, 'write it as `YYYY-MM-DD`'],
  ])('%p valid=%p', (text, ok, reason) => {
    const res = parseDay(text)
    expect(res.ok).toBe(ok)
    if (!res.ok) expect(res.reason).toContain(reason)
  })

  const today = '2026-12-20'
  test.each([
    ['2026-12-24', '2027-01-02', { startsOn: '2026-12-24', endsOn: '2027-01-02' }],
    ['2026-12-20', '2026-12-20', { startsOn: '2026-12-20', endsOn: '2026-12-20' }], // one day, today
    ['2026-12-01', '2026-12-21', { startsOn: '2026-12-01', endsOn: '2026-12-21' }], // under way already
    ['today', '2026-12-31', { startsOn: '2026-12-20', endsOn: '2026-12-31' }],
  ])('from %p to %p is stored', (start, end, window) => {
    expect(awayWindow(start, end, today)).toEqual({ ok: true, window })
  })

  test.each([
    ['2027-01-02', '2026-12-24', 'the start (2027-01-02) is after the end (2026-12-24)'],
    ['2026-12-01', '2026-12-19', '2026-12-19 has already passed (today is 2026-12-20, UTC)'],
    ['2026-02-30', '2027-01-02', '`2026-02-30` is not a date: February 2026 has 28 days'],
    ['2026-12-24', '2027-02-30', '`2027-02-30` is not a date: February 2027 has 28 days'],
    ['today', '2026-12-19', 'has already passed'],
  ])('from %p to %p is refused', (start, end, reason) => {
    const res = awayWindow(start, end, today)
    expect(res.ok).toBe(false)
    if (!res.ok) expect(res.reason).toContain(reason)
  })

  test('a window covers its first and last day and nothing around them', () => {
    const w: AwayWindow = { startsOn: '2026-12-24', endsOn: '2027-01-02' }
    expect(
      ['2026-12-23', '2026-12-24', '2026-12-31', '2027-01-02', '2027-01-03'].map((d) =>
        isAwayOn(w, d),
      ),
    ).toEqual([false, true, true, true, false])
    expect(isAwayOn(undefined, '2026-12-24')).toBe(false)
  })

  test('today is the UTC day, and days read as words', () => {
    expect(utcDay(Date.parse('2026-12-24T23:59:59Z'))).toBe('2026-12-24')
    expect(utcDay(Date.parse('2026-12-25T00:00:00Z'))).toBe('2026-12-25')
    expect(longDay('2027-01-02')).toBe('Saturday 2 January 2027')
    expect(awayNotice({ startsOn: '2026-12-24', endsOn: '2027-01-02' })).toContain(
      'out of office until the end of Saturday 2 January 2027 (UTC)',
    )
  })
})

describe('carrying the commands out', () => {
  /** Dates held in memory, changed as the bot stores what applyAway decides. */
  const memoryStore = () => {
    let row: StoredAway
    const set = (w: AwayWindow) => void (row = { ...w, setBy: 'U1' })
    const apply = (d: Parameters<typeof applyAway>[0], day: string) => {
      const { change, ...said } = applyAway(d, day, row)
      if (change === 'clear') row = undefined
      else if (change) set(change)
      return said
    }
    return { apply, set, row: () => row }
  }
  const today = '2026-12-20'

  test('set, show, then off: each says what it did, and only set and off count as accepted', () => {
    const m = memoryStore()
    expect(m.apply({ kind: 'out_of_office', action: 'show' }, today)).toEqual({
      text: expect.stringContaining('not marked out of office'),
      accepted: false,
    })

    const on = m.apply(
      { kind: 'out_of_office', action: 'on', start: '2026-12-24', end: '2027-01-02' },
      today,
    )
    expect(on.accepted).toBe(true)
    expect(on.text).toContain(
      'will be out of office from Thursday 24 December 2026 to Saturday 2 January 2027',
    )
    expect(m.row()).toEqual({ startsOn: '2026-12-24', endsOn: '2027-01-02', setBy: 'U1' })

    expect(m.apply({ kind: 'out_of_office', action: 'show' }, today).text).toContain(
      'will be out of office from Thursday 24 December 2026',
    )
    expect(m.apply({ kind: 'out_of_office', action: 'show' }, '2026-12-25').text).toMatch(
      /^Tech-support is out of office from .* set by <@U1>/,
    )

    expect(m.apply({ kind: 'out_of_office', action: 'off' }, today)).toEqual({
      text: 'Tech-support is no longer marked out of office.',
      accepted: true,
    })
    expect(m.row()).toBeUndefined()
    expect(m.apply({ kind: 'out_of_office', action: 'off' }, today)).toEqual({
      text: 'Tech-support was not marked out of office.',
      accepted: false,
    })
  })

  test('a refused range changes nothing and says why', () => {
    const m = memoryStore()
    m.set({ startsOn: '2026-12-24', endsOn: '2027-01-02' })
    const res = m.apply(
      { kind: 'out_of_office', action: 'on', start: '2026-02-30', end: '2027-01-02' },
      today,
    )
    expect(res).toEqual({
      text: 'Sorry, `2026-02-30` is not a date: February 2026 has 28 days. Nothing was changed.',
      accepted: false,
    })
    expect(m.row()?.startsOn).toBe('2026-12-24')
  })

  test('who set them: a Slack user as a mention, the local operator as is', () => {
    const shown = (setBy: string) =>
      applyAway({ kind: 'out_of_office', action: 'show' }, today, {
        startsOn: today,
        endsOn: today,
        setBy,
      }).text
    expect(shown('U0123ABC')).toContain('set by <@U0123ABC>.')
    expect(shown('local')).toContain('set by local.')
  })

  test('dates whose end has passed read as not set', () => {
    const m = memoryStore()
    m.set({ startsOn: '2026-12-01', endsOn: '2026-12-05' })
    expect(m.apply({ kind: 'out_of_office', action: 'show' }, today).text).toContain(
      'not marked out of office',
    )
  })
})

describe('in the router', () => {
  const config = configFrom(OPS_YAML)
  const say = (text: string, isGuest = false) =>
    route(
      { config, botUserId: 'UBOT', botName: 'ebmbot' },
      { text, user: 'U1', isGuest, isDirect: false },
    )

  test('after a mention, in any case, before any namespace', () => {
    expect(say('<@UBOT> Out-Of-Office from 2026-12-24 to 2027-01-02.')).toMatchObject({
      kind: 'out_of_office',
      action: 'on',
      start: '2026-12-24',
      end: '2027-01-02',
    })
    expect(say('<@UBOT> out-of-office', true)).toMatchObject({
      kind: 'reply',
      text: expect.stringContaining('only internal members'),
    })
  })

  test('help names the commands, locked like restricted namespaces, with the mention prefix', () => {
    const d = say('<@UBOT> help')
    expect(d.kind).toBe('reply')
    expect((d as { text: string }).text).toContain(
      ':lock: `@ebmbot out-of-office from [YYYY-MM-DD] to [YYYY-MM-DD]`, `@ebmbot out-of-office off`',
    )
  })

  test('no namespace may be called out-of-office', () => {
    expect(() => configFrom(OPS_YAML.replace('  demo:', '  out-of-office:'))).toThrow(
      '"out-of-office" is a built-in command word',
    )
  })
})
