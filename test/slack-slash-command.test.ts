// `/ebmbot <command>` from a real bot against the fake Slack, in socket mode: help and errors are
// answered privately in the ack; a command posts a visible message and runs in its thread like a
// mention; a channel the bot cannot post in gets a private answer and runs nothing.
import { afterEach, describe, expect, test } from 'bun:test'
import { GENERAL, startSlackBot, stopSlackBot, type SlackBot } from './support/slack-bot.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

let s: SlackBot | undefined
afterEach(async () => {
  await stopSlackBot(s)
  s = undefined
}, HOOK_TIMEOUT)

const runs = () => s!.query<{ n: number }>('select count(*) as n from runs')[0]!.n

describe('/ebmbot', () => {
  test('help is answered privately in the ack, posts nothing, queues nothing', async () => {
    s = await startSlackBot()
    const posted = s.fake.messages.length
    const sent = s.fake.sendSlashCommand({ user: 'U1', channel: GENERAL, text: 'help' })
    await sent.acked
    const answer = s.fake.ackPayloadOf(sent.envelopeId) as { response_type: string; text: string }
    expect(answer.response_type).toBe('ephemeral')
    expect(answer.text).toContain('`demo`: Demo jobs')
    await Bun.sleep(300)
    expect(s.fake.messages.length).toBe(posted)
    expect(runs()).toBe(0)
  })

  test('a command that does not parse gets its "did you mean" privately', async () => {
    s = await startSlackBot()
    const sent = s.fake.sendSlashCommand({ user: 'U1', channel: GENERAL, text: 'demo helo you' })
    await sent.acked
    const answer = s.fake.ackPayloadOf(sent.envelopeId) as { text: string }
    expect(answer.text).toContain('Did you mean: `demo hello [name]`')
    expect(runs()).toBe(0)
  })

  test('a command posts a visible message naming who ran what, and reports in its thread', async () => {
    s = await startSlackBot()
    const sent = s.fake.sendSlashCommand({ user: 'U1', channel: GENERAL, text: 'demo hello slash' })
    await sent.acked
    // A plain ack: no private answer when the channel sees the command.
    expect(
      (s.fake.ackPayloadOf(sent.envelopeId) as { text?: string } | undefined)?.text,
    ).toBeUndefined()
    const top = await s.fake.waitFor(
      (f) => f.messages.find((m) => m.channel === GENERAL && !!m.text?.includes('ran `/ebmbot')),
      5000,
      'the visible message',
    )
    expect(top.text).toBe('<@U1> ran `/ebmbot demo hello slash`')
    expect(top.thread_ts).toBeUndefined()
    const report = await s.fake.waitFor(
      (f) => f.messages.find((m) => m.thread_ts === top.ts && m.text === 'Hello, slash!'),
      10_000,
      'the report in its thread',
    )
    expect(report.channel).toBe(GENERAL)
    expect(runs()).toBe(1)
    const row = s.query<{ requested_by: string; thread_ts: string }>(
      'select requested_by, thread_ts from runs',
    )[0]!
    expect(row).toEqual({ requested_by: 'U1', thread_ts: top.ts })
  })

  test('a channel the bot cannot post in gets a private answer saying how to fix it; nothing runs', async () => {
    s = await startSlackBot()
    s.fake.failNext('chat.postMessage', { error: 'not_in_channel' })
    const sent = s.fake.sendSlashCommand({ user: 'U1', channel: GENERAL, text: 'demo hello x' })
    await sent.acked
    const answer = s.fake.ackPayloadOf(sent.envelopeId) as { text: string }
    expect(answer.text).toContain('I cannot post in this channel')
    expect(answer.text).toContain('/invite @')
    expect(runs()).toBe(0)
  })

  test('a guest is refused a restricted namespace privately, as in a mention', async () => {
    s = await startSlackBot()
    const sent = s.fake.sendSlashCommand({
      user: 'UGUEST',
      channel: GENERAL,
      text: 'op deploy prod',
    })
    await sent.acked
    const answer = s.fake.ackPayloadOf(sent.envelopeId) as { text: string }
    expect(answer.text).toStartWith('Sorry, ')
    expect(runs()).toBe(0)
  })
})
