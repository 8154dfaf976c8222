// The router: built-ins, namespace commands, help texts, refusals and not-understood replies.
import { describe, expect, test } from 'bun:test'
import { route, type Incoming } from '../src/commands/route.ts'
import { configFrom, OPS_YAML } from './support/configs.ts'

const config = configFrom(OPS_YAML)
const ctx = { config, botUserId: 'UBOT', botName: 'ebmbot' }
const say = (text: string, extra: Partial<Incoming> = {}) =>
  route(ctx, { text, user: 'U1', isGuest: false, isDirect: false, ...extra })
const replyOf = (text: string, extra: Partial<Incoming> = {}) => {
  const d = say(text, extra)
  if (d.kind !== 'reply') throw new Error(`expected a reply, got ${d.kind}`)
  return d.text
}

describe('built-ins', () => {
  test('status and remove job id, in any case', () => {
    expect(say('<@UBOT> Status').kind).toBe('status')
    expect(say('<@UBOT> remove JOB id 42')).toMatchObject({ kind: 'remove', id: 42 })
  })
  test('remove job id without a number gives a usage hint', () => {
    expect(replyOf('<@UBOT> remove job id')).toContain('Usage: `@ebmbot remove job id [id]`')
    expect(replyOf('<@UBOT> remove job id seven')).toContain('Usage')
  })
  test('help lists namespaces sorted, restricted ones locked, with the mention prefix', () => {
    const text = replyOf('<@UBOT> help')
    expect(text.indexOf('`demo`: Demo jobs')).toBeLessThan(text.indexOf(':lock: `op`: Operations'))
    expect(text).toContain('`@ebmbot status`')
    expect(text).toContain('`@ebmbot demo help`')
  })
  test('help lists the run verbs, each with the mention prefix', () => {
    const text = replyOf('<@UBOT> help')
    for (const verb of [
      'history',
      'status N',
      'logs N',
      'rerun N',
      'cancel N',
      'approve N',
      'deny N',
    ])
      expect(text).toContain(`\`@ebmbot ${verb}\``)
  })
  test('the out-of-office line shows only when the config has support routes', () => {
    expect(replyOf('<@UBOT> help')).toContain('out-of-office')
    const quiet = configFrom(OPS_YAML.replace('settings:\n', 'settings:\n  support_routes: []\n'))
    const d = route(
      { config: quiet, botUserId: 'UBOT', botName: 'ebmbot' },
      { text: '<@UBOT> help', user: 'U1', isGuest: false, isDirect: false },
    )
    expect(d.kind === 'reply' && d.text).not.toContain('out-of-office')
    expect(d.kind === 'reply' && d.text).toContain('`@ebmbot history`')
  })
  test('in a DM the hints carry no prefix', () => {
    expect(replyOf('help', { isDirect: true })).toContain('say `[namespace] help`')
  })
  test('<ns> help and help <ns> list the commands sorted, with the restricted notice', () => {
    for (const t of ['<@UBOT> op help', '<@UBOT> help op']) {
      const text = replyOf(t)
      expect(text).toContain('Only internal members')
      expect(text.indexOf('`op cancel deploy`')).toBeLessThan(
        text.indexOf('`op deploy [env] [branch]`: deploy a branch'),
      )
    }
  })
  test('help for a namespace that does not exist lists the real ones', () => {
    expect(replyOf('<@UBOT> nope help')).toBe(
      'There is no namespace called `nope`. The namespaces are: `demo`, `op`.',
    )
  })
})

describe('namespace commands', () => {
  test('a command captures its params and names its job', () => {
    const d = say('<@UBOT> OP deploy staging feature/x')
    expect(d).toMatchObject({ kind: 'schedule', params: { env: 'staging', branch: 'feature/x' } })
    if (d.kind === 'schedule') expect(d.job.type).toBe('op_deploy')
  })
  test('guests are refused restricted namespaces, with the namespace named', () => {
    expect(replyOf('<@UBOT> op restart', { isGuest: true })).toContain(
      'only internal members of this workspace may use the `op` commands',
    )
    expect(say('<@UBOT> demo hello you', { isGuest: true }).kind).toBe('schedule')
  })
  test('suppression commands give start and end in pattern order', () => {
    expect(say('<@UBOT> demo suppress hello from 09:00 to 10:30')).toMatchObject({
      kind: 'suppress',
      start: '09:00',
      end: '10:30',
    })
  })
  test('cancel job', () => {
    expect(say('<@UBOT> op cancel deploy').kind).toBe('cancel_job')
  })
})

describe('not understood', () => {
  test('apologises, suggests close commands and lists help', () => {
    const text = replyOf('<@UBOT> op deplyo staging main')
    expect(text).toStartWith("Sorry, I didn't understand `op deplyo staging main`.")
    expect(text).toContain('Did you mean: `op deploy [env] [branch]`')
    expect(text).toContain('Namespaces:')
  })
  test('a bare mention is not understood and queues nothing', () => {
    expect(replyOf('<@UBOT>')).toStartWith("Sorry, I didn't catch a command")
  })
  test('nothing close: no suggestion line', () => {
    expect(replyOf('<@UBOT> make me a sandwich')).not.toContain('Did you mean')
  })
})

describe('overlapping commands: a literal word beats a placeholder', () => {
  const yaml = (first: string, second: string) => `namespaces:
  workflows:
    jobs:
      show: {run: "echo show [target]"}
      show_all: {run: echo all}
    commands:
      - ${first}
      - ${second}
`
  const one = '{pattern: "show [target]", job: show}'
  const all = '{pattern: show all, job: show_all}'
  test.each([
    ['placeholder first', yaml(one, all)],
    ['literal first', yaml(all, one)],
  ])('%s: "show all" runs show_all, anything else fills [target]', (_, text) => {
    const c = { config: configFrom(text), botUserId: 'UBOT' }
    const run = (t: string) => route(c, { text: t, user: 'U1', isGuest: false, isDirect: true })
    expect(run('workflows show all')).toMatchObject({ kind: 'schedule', job: { name: 'show_all' } })
    expect(run('workflows show ebmdatalab')).toMatchObject({
      kind: 'schedule',
      job: { name: 'show' },
      params: { target: 'ebmdatalab' },
    })
    expect(run('workflows show all of it')).toMatchObject({
      params: { target: 'all of it' },
    })
  })
})
