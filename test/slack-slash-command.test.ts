// `/ebmbot <command>` from a real bot against the fake Slack, in socket mode: help and errors are
// answered privately in the ack; a command posts a visible message and runs in its thread like a
// mention; a channel the bot cannot post in gets a private answer and runs nothing; a command
// typed without its params opens a form that asks for them (a select for choices), refuses
// values that do not fit under their inputs, and runs the command once they fit.
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

  test('the visible message shows the text, never as a mention or a broadcast', async () => {
    s = await startSlackBot()
    const sent = s.fake.sendSlashCommand({
      user: 'U1',
      channel: GENERAL,
      text: 'demo hello <!channel> & `x`',
    })
    await sent.acked
    const top = await s.fake.waitFor(
      (f) => f.messages.find((m) => m.channel === GENERAL && !!m.text?.includes('ran `/ebmbot')),
      5000,
      'the visible message',
    )
    expect(top.text).toBe("<@U1> ran `/ebmbot demo hello &lt;!channel&gt; &amp; 'x'`")
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

const FORM_YAML = `
settings: {kill_grace: 1s, shutdown_grace: 2s}
namespaces:
  op:
    description: Operations
    restricted: true
    jobs:
      scale: {run: 'echo scale [service] to [count]', report_stdout: true}
    commands:
      - pattern: scale [service] to [count]
        job: scale
        help: set the replica count
        params:
          service: {choices: [web, worker]}
          count: {type: integer, min: 1, max: 20}
`

describe('/ebmbot without the params opens a form', () => {
  type Block = {
    type: string
    block_id?: string
    element?: { type: string; options?: { value: string }[] }
  }

  test('the form asks for each param, refuses what does not fit under its input, and runs what fits', async () => {
    s = await startSlackBot({ yaml: FORM_YAML })
    const sent = s.fake.sendSlashCommand({ user: 'U1', channel: GENERAL, text: 'op scale' })
    await sent.acked
    expect(
      (s.fake.ackPayloadOf(sent.envelopeId) as { text?: string } | undefined)?.text,
    ).toBeUndefined()
    const opened = await s.fake.waitFor((f) => f.views[0], 5000, 'the form')
    const delivered = s.fake.deliveries.find((d) => d.envelopeId === sent.envelopeId)!
    expect(opened.triggerId).toBe((delivered.envelope.payload as { trigger_id: string }).trigger_id)
    const inputs = (opened.view.blocks as Block[]).filter((b) => b.type === 'input')
    expect(inputs.map((b) => [b.block_id, b.element?.type])).toEqual([
      ['param_service', 'static_select'],
      ['param_count', 'plain_text_input'],
    ])
    expect(inputs[0]!.element!.options!.map((o) => o.value)).toEqual(['web', 'worker'])
    expect(runs()).toBe(0)

    const bad = s.fake.submitView(opened, 'U1', { param_service: 'worker', param_count: '50' })
    await bad.acked
    expect(s.fake.ackPayloadOf(bad.envelopeId)).toEqual({
      response_action: 'errors',
      errors: { param_count: '`50` does not fit [count]: it must be a whole number from 1 to 20.' },
    })
    expect(runs()).toBe(0)

    const good = s.fake.submitView(opened, 'U1', { param_service: 'worker', param_count: '3' })
    await good.acked
    expect(
      (s.fake.ackPayloadOf(good.envelopeId) as { response_action?: string } | undefined)
        ?.response_action,
    ).toBeUndefined()
    const top = await s.fake.waitFor(
      (f) => f.messages.find((m) => m.channel === GENERAL && !!m.text?.includes('ran `/ebmbot')),
      5000,
      'the visible message',
    )
    expect(top.text).toBe('<@U1> ran `/ebmbot op scale worker to 3`')
    await s.fake.waitFor(
      (f) => f.messages.find((m) => m.thread_ts === top.ts && m.text === 'scale worker to 3'),
      10_000,
      'the report in its thread',
    )
    expect(runs()).toBe(1)
  })
  test('someone who may not run the command is refused privately instead of getting a form', async () => {
    s = await startSlackBot({ yaml: FORM_YAML })
    const sent = s.fake.sendSlashCommand({ user: 'UGUEST', channel: GENERAL, text: 'op scale' })
    await sent.acked
    const answer = s.fake.ackPayloadOf(sent.envelopeId) as { text: string }
    expect(answer.text).toBe(
      'Sorry, only internal members of this workspace may use the `op` commands.',
    )
    expect(s.fake.views).toHaveLength(0)
  })
})
