// Messages that mention the bot without asking it to act: words before the mention ("please do
// NOT run @ebmbot op deploy"), a quote of an earlier request, a Slack reminder nobody can be
// held to. A real `ebmbot serve` against the fake Slack: nothing runs, and the reply says why.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { route } from '../src/commands/route.ts'
import { configFrom } from './support/configs.ts'
import { GENERAL, SLACK_YAML, startSlackBot, type SlackBot } from './support/slack-bot.ts'
import { cleanupTemp } from './support/temp.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

let s: SlackBot

beforeAll(async () => {
  s = await startSlackBot()
}, HOOK_TIMEOUT)
afterAll(async () => {
  await s.stop()
  await s.fake.stop()
  cleanupTemp()
}, HOOK_TIMEOUT)

const runsOf = (jobType: string) =>
  s.query<{ id: number; params: string }>('select id, params from runs where job_type = ?', jobType)
const replyIn = (ts: string, label: string) =>
  s.fake.waitFor(
    () => s.fake.messages.find((m) => m.channel === GENERAL && m.thread_ts === ts),
    5000,
    label,
  )

describe('text before the mention', () => {
  test('"please do NOT run @ebmbot op deploy prod yet" runs nothing, and the reply says how to ask', async () => {
    const e = s.fake.mention({
      user: 'U1',
      channel: GENERAL,
      text: 'please do NOT run <@UBOT> demo hello prod yet',
    })
    await s.fake.sendEvent(e).acked
    const reply = await replyIn(e.ts, 'the how-to-ask reply')
    expect(reply.text).toContain('start a message with the mention')
    expect(reply.text).toContain('demo hello prod yet')
    expect(runsOf('demo_hello')).toEqual([])
  })

  test('with settings.commands_after_text the command after the words runs, as before', () => {
    const config = configFrom(
      SLACK_YAML.replace('settings:\n', 'settings:\n  commands_after_text: true\n'),
    )
    const d = route(
      { config, botUserId: 'UBOT', botName: 'ebmbot' },
      { text: 'hey team, <@UBOT> demo hello world', user: 'U1', isGuest: false, isDirect: false },
    )
    expect(d.kind).toBe('schedule')
  })
})

describe('quoted lines', () => {
  test('a quote of an earlier request (> @ebmbot demo hello) neither runs nor gets a reply', async () => {
    const e = s.fake.mention({
      user: 'U1',
      channel: GENERAL,
      text: '&gt; <@UBOT> demo hello again',
    })
    await s.fake.sendEvent(e).acked
    await Bun.sleep(500)
    expect(s.fake.messages.filter((m) => m.thread_ts === e.ts)).toEqual([])
    expect(runsOf('demo_hello')).toEqual([])
  })

  test('a request above a quoted one runs alone: the quoted command is not part of it', async () => {
    const e = s.fake.mention({
      user: 'U1',
      channel: GENERAL,
      text: '<@UBOT> demo hello fresh\n&gt; <@UBOT> op deploy prod',
    })
    await s.fake.sendEvent(e).acked
    expect((await replyIn(e.ts, 'the report')).text).toBe('Hello, fresh!')
    expect(runsOf('op_deploy')).toEqual([])
  })
})

describe('Slack reminders', () => {
  test('a reminder of a restricted command is refused: Slack does not say who set it', async () => {
    const e = s.fake.channelMessage({
      user: 'USLACKBOT',
      channel: GENERAL,
      text: 'Reminder: <@UBOT> op deploy prod.',
    })
    await s.fake.sendEvent(e).acked
    const reply = await replyIn(e.ts, 'the refusal')
    expect(reply.text).toContain('a Slack reminder cannot run `op_deploy`')
    expect(runsOf('op_deploy')).toEqual([])
  })

  test('a reminder of a command anyone may run still runs it', async () => {
    const e = s.fake.channelMessage({
      user: 'USLACKBOT',
      channel: GENERAL,
      text: 'Reminder: <@UBOT> demo hello reminded.',
    })
    await s.fake.sendEvent(e).acked
    expect((await replyIn(e.ts, 'the report')).text).toBe('Hello, reminded!')
  })
})
