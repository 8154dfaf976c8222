// Typed params: a captured value that does not fit its command's `params:` is refused with a
// reply saying what fits, and nothing is queued; a text value starting with "-" is refused unless
// the param allows it; choices pass on their listed spelling.
import { describe, expect, test } from 'bun:test'
import { commandText, missingParams } from '../src/commands/missing-params.ts'
import { checkParams, describeParam } from '../src/commands/param-check.ts'
import { route } from '../src/commands/route.ts'
import { paramSpecSchema } from '../src/config/param-schema.ts'
import { configErrorOf, configFrom } from './support/configs.ts'

const spec = (o: Record<string, unknown>) => paramSpecSchema.parse(o)

describe('checkParams', () => {
  test.each([
    [{ type: 'integer' }, '42', true],
    [{ type: 'integer' }, '-3', true],
    [{ type: 'integer' }, '4.5', false],
    [{ type: 'integer' }, 'abc', false],
    [{ type: 'integer' }, '', false],
    [{ type: 'integer', min: 0, max: 600 }, '600', true],
    [{ type: 'integer', min: 0, max: 600 }, '601', false],
    [{ type: 'integer', min: 0 }, '-1', false],
    [{ type: 'number' }, '0.5', true],
    [{ type: 'number' }, '.5', true],
    [{ type: 'number' }, '1e999', false],
    [{ type: 'number', max: 1 }, '1.01', false],
    [{ pattern: '[a-z0-9-]+' }, 'feature-1', true],
    [{ pattern: '[a-z0-9-]+' }, 'Feature 1', false],
    // The whole value must match, not a part of it.
    [{ pattern: '[a-z]+' }, 'abc; rm -rf /', false],
    [{}, '--force', false],
    [{}, '-n', false],
    [{ allow_dash: true }, '-n', true],
    [{}, 'a-b', true],
  ])('%j with %p: fits=%p', (s, value, ok) => {
    expect(checkParams({ v: value }, { v: spec(s) }).ok).toBe(ok)
  })
  test('a param with no spec is text that must not start with "-"', () => {
    expect(checkParams({ name: 'world' }, {})).toEqual({ ok: true, params: { name: 'world' } })
    expect(checkParams({ name: '--help' }, {})).toEqual({
      ok: false,
      param: 'name',
      reason: '`--help` does not fit [name]: it must be text not starting with "-".',
    })
  })
  test('choices match ignoring case and pass on their listed spelling', () => {
    const s = { env: spec({ choices: ['Staging', 'production'] }) }
    expect(checkParams({ env: 'staging' }, s)).toEqual({ ok: true, params: { env: 'Staging' } })
    expect(checkParams({ env: 'qa' }, s)).toEqual({
      ok: false,
      param: 'env',
      reason: '`qa` does not fit [env]: it must be one of `Staging`, `production`.',
    })
  })
  test('what fits is said in words', () => {
    expect(describeParam(spec({ type: 'integer', min: 1, max: 10 }))).toBe(
      'a whole number from 1 to 10',
    )
    expect(describeParam(spec({ type: 'number', min: 0 }))).toBe('a number of at least 0')
    expect(describeParam(spec({ pattern: 'v\\d+' }))).toBe(
      'text matching `v\\d+` not starting with "-"',
    )
  })
})

const YAML = `
namespaces:
  op:
    jobs:
      scale: {run: 'echo scale [service] to [count]'}
      tag: {run: 'echo [tag]'}
    commands:
      - pattern: scale [service] to [count]
        job: scale
        help: set the replica count
        params:
          service: {choices: [web, worker]}
          count: {type: integer, min: 1, max: 20}
      - pattern: tag [tag]
        job: tag
        params:
          tag: {pattern: 'v\\d+\\.\\d+', allow_dash: false}
`

describe('the router refuses what does not fit, queueing nothing', () => {
  const config = configFrom(YAML)
  const say = (text: string) =>
    route({ config }, { text, user: 'U1', isGuest: false, isDirect: true })
  test('a value out of range is a reply naming the param, what fits and the usage', () => {
    const d = say('op scale web to 50')
    expect(d).toMatchObject({
      kind: 'reply',
      text: 'Sorry, `50` does not fit [count]: it must be a whole number from 1 to 20. Usage: `op scale [service] to [count]` (set the replica count).',
    })
  })
  test('fitting values schedule the job, a choice in its listed spelling', () => {
    const d = say('op scale WEB to 3')
    expect(d.kind).toBe('schedule')
    expect(d.kind === 'schedule' && d.params).toEqual({ service: 'web', count: '3' })
  })
  test('a pattern param refuses text that only partly matches', () => {
    expect(say('op tag v1.2').kind).toBe('schedule')
    expect(say('op tag v1.2-evil').kind).toBe('reply')
  })
})

describe('loading params', () => {
  test('params for a name the pattern does not capture are refused, naming the key and line', () => {
    const e = configErrorOf(YAML.replace('          count: {type', '          cuont: {type'))
    expect(e.message).toContain(
      'conf.yaml:13: namespaces.op.commands[0].params.cuont: the pattern "scale [service] to [count]" captures no [cuont] (it captures [service], [count])',
    )
  })
  test('min above max, min on text, a bad regular expression, an unknown key', () => {
    expect(configErrorOf(YAML.replace('min: 1, max: 20', 'min: 5, max: 2')).message).toContain(
      'min must not be above max',
    )
    expect(configErrorOf(YAML.replace('{choices: [web, worker]}', '{min: 1}')).message).toContain(
      'min and max need type integer or number',
    )
    expect(configErrorOf(YAML.replace("'v\\d+\\.\\d+'", "'v(('")).message).toContain(
      'not a valid regular expression',
    )
    expect(configErrorOf(YAML.replace('min: 1, max: 20', 'minimum: 1')).message).toContain(
      'params.count.minimum: unknown key',
    )
  })
})

describe('a command typed without its params', () => {
  const config = configFrom(YAML)
  test('is found by its literal words, or the words before its first param', () => {
    for (const text of ['op scale to', 'op scale', 'OP Scale'])
      expect(missingParams(config, text)?.command.pattern).toBe('scale [service] to [count]')
    expect(missingParams(config, 'op scale')?.params).toEqual(['service', 'count'])
  })
  test('nothing is found for other words, a full command, or a namespace alone', () => {
    for (const text of ['op', 'op scale web to 3', 'op deploy', 'nope scale', ''])
      expect(missingParams(config, text)).toBeUndefined()
  })
  test('the filled-in form stands for the whole command text', () => {
    const m = missingParams(config, 'op scale')!
    expect(commandText(m, { service: 'web', count: '3' })).toBe('op scale web to 3')
  })
})
