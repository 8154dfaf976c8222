// `ebmbot serve` as a real process talking to a fake Slack: what people see when they mention the
// bot or DM it, who it refuses, whom it ignores, and that each message runs at most once.
import { afterEach, describe, expect, test } from 'bun:test'
import {
  APP_TOKEN,
  BOT_TOKEN,
  GENERAL,
  LOGS,
  SLACK_YAML,
  startSlackBot,
  type SlackBot,
} from './support/slack-bot.ts'
import { openStateDb } from './support/state-db.ts'
import { cleanupTemp } from './support/temp.ts'
import { HOOK_TIMEOUT, waitUntil } from './support/wait.ts'

let s: SlackBot | undefined

afterEach(async () => {
  if (!s) return
  // The bot first: a socket client whose Slack is gone keeps trying to reconnect.
  const code = await s.stop()
  await s.fake.stop()
  const { stderr } = s.bot.out
  s = undefined
  cleanupTemp()
  expect(code).toBe(0)
  // Debug logs include the SDKs' own output; not one line may carry a token.
  expect(stderr).not.toContain(BOT_TOKEN)
  expect(stderr).not.toContain(APP_TOKEN)
}, HOOK_TIMEOUT)

const runs = () =>
  s!.query<{
    id: number
    job_type: string
    channel: string
    thread_ts: string
    requested_by: string
    is_dm: number
  }>('select id, job_type, channel, thread_ts, requested_by, is_dm from runs')
const inThread = (channel: string, ts: string) =>
  s!.fake.messages.filter((m) => m.channel === channel && m.thread_ts === ts)

describe('mentions', () => {
  test('a mention runs the job: acked once the request is stored, accepted with a reaction, result in its thread', async () => {
    s = await startSlackBot()
    const { fake } = s
    // A slow user lookup sits between receiving and storing: the ack must wait for both.
    fake.delay('users.info', 300)
    const event = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello world' })
    const ackMs = await fake.sendEvent(event).acked

    expect(ackMs).toBeGreaterThanOrEqual(300)
    expect(ackMs).toBeLessThan(3000)
    expect(runs()).toEqual([
      {
        id: 1,
        job_type: 'demo_hello',
        channel: GENERAL,
        thread_ts: event.ts,
        requested_by: 'U1',
        is_dm: 0,
      },
    ])
    const report = await fake.waitFor(
      () => inThread(GENERAL, event.ts)[0],
      5000,
      'the report in the thread',
    )
    expect(report.text).toBe('Hello, world!')
    expect(fake.reactions).toEqual([
      { channel: GENERAL, timestamp: event.ts, name: 'crossed_fingers' },
    ])
    expect(fake.messages.filter((m) => m.channel === LOGS).map((m) => m.text)).toEqual([
      'Starting `demo_hello` (run 1), requested by <@U1>.',
    ])
  })

  test('an unknown command gets an apology and the help, in the thread the mention was in', async () => {
    s = await startSlackBot()
    const { fake } = s
    const event = fake.mention({
      user: 'U1',
      channel: GENERAL,
      text: 'frobnicate the widgets',
      thread_ts: '1700000000.000001',
    })
    await fake.sendEvent(event).acked

    const reply = await fake.waitFor(
      () => inThread(GENERAL, '1700000000.000001')[0],
      5000,
      'the reply',
    )
    expect(reply.text).toContain("Sorry, I didn't understand `frobnicate the widgets`")
    expect(reply.text).toContain('`demo`: Demo jobs')
    expect(reply.text).toContain('`@ebmbot demo help`')
    expect(runs()).toEqual([])
    expect(fake.reactions).toEqual([])
  })
})

describe('direct messages', () => {
  test('a DM runs the job and answers in a thread of the DM; help there has no @ prefix', async () => {
    s = await startSlackBot()
    const { fake } = s
    const hello = fake.dm({ user: 'U2', text: 'demo hello from a DM' })
    const help = fake.dm({ user: 'U2', text: 'help' })
    await fake.sendEvent(hello).acked
    await fake.sendEvent(help).acked

    const report = await fake.waitFor(() => inThread('D2', hello.ts)[0], 5000, 'the DM report')
    expect(report.text).toBe('Hello, from a DM!')
    expect(runs()).toMatchObject([{ channel: 'D2', thread_ts: hello.ts, is_dm: 1 }])
    const helpReply = await fake.waitFor(() => inThread('D2', help.ts)[0], 5000, 'the help reply')
    expect(helpReply.text).toContain('`demo help`')
    expect(helpReply.text).not.toContain('@ebmbot')
  })
})

describe('the database locked by another writer', () => {
  test('past the busy timeout the event is left unacknowledged; Slack delivers it again and it runs once, with no error reply', async () => {
    s = await startSlackBot()
    const { fake } = s
    const other = openStateDb(s.stateDir)
    other.run('BEGIN IMMEDIATE')
    const event = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello locked' })
    const sent = fake.sendEvent(event)
    try {
      // The bot waits out its busy timeout (5 s), stores nothing, and does not acknowledge.
      await waitUntil(
        'the event to be deferred',
        () => s!.bot.out.stderr.includes('event=slack.event_deferred'),
        20_000,
      )
    } finally {
      other.run('ROLLBACK')
      other.close()
    }
    const report = await fake.waitFor(
      () => inThread(GENERAL, event.ts).find((m) => m.text === 'Hello, locked!'),
      20_000,
      'the report',
    )
    expect(report).toBeTruthy()
    expect(runs()).toHaveLength(1)
    expect(inThread(GENERAL, event.ts).filter((m) => m.text?.startsWith(':x:'))).toEqual([])
    const deliveries = fake.deliveries.filter((d) => d.eventId === sent.eventId)
    expect(deliveries[0]!.ackedAt).toBeUndefined()
    expect(deliveries.some((d) => d.retryAttempt > 0 && d.ackedAt !== undefined)).toBe(true)
  })
})

describe('buttons', () => {
  test('a press is acknowledged at once, before the slow lookups its handling needs', async () => {
    s = await startSlackBot()
    const { fake } = s
    const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello buttons' })
    await fake.sendEvent(ask).acked
    const report = await fake.waitFor(
      () => inThread(GENERAL, ask.ts).find((m) => m.text === 'Hello, buttons!'),
      5000,
      'the report with its buttons',
    )
    // U2 is new to the bot: pressing Rerun makes it ask Slack about them, and Slack is slow.
    fake.delay('users.info', 2000)
    const acked = await fake.sendInteractive(
      fake.blockAction({
        user: 'U2',
        channel: GENERAL,
        message_ts: report.ts,
        action_id: 'ebmbot_rerun',
        value: '1',
      }),
    ).acked
    expect(acked).toBeLessThan(1000)
    await fake.waitFor(
      () => inThread(GENERAL, ask.ts).filter((m) => m.text === 'Hello, buttons!').length === 2,
      10_000,
      'the rerun report',
    )
  })
})

describe('guests', () => {
  test('a guest is refused a restricted namespace with a clear reply, and may still use the others', async () => {
    s = await startSlackBot()
    const { fake } = s
    const refused = fake.mention({ user: 'UGUEST', channel: GENERAL, text: 'op deploy production' })
    const allowed = fake.mention({ user: 'UGUEST', channel: GENERAL, text: 'demo hello guest' })
    const member = fake.mention({ user: 'U1', channel: GENERAL, text: 'op deploy production' })
    for (const e of [refused, allowed, member]) await fake.sendEvent(e).acked

    const reply = await fake.waitFor(() => inThread(GENERAL, refused.ts)[0], 5000, 'the refusal')
    expect(reply.text).toBe(
      'Sorry, only internal members of this workspace may use the `op` commands.',
    )
    expect(runs().map((r) => [r.job_type, r.requested_by])).toEqual([
      ['demo_hello', 'UGUEST'],
      ['op_deploy', 'U1'],
    ])
    await fake.waitFor((f) => f.reactions.length === 2, 5000, 'the two acceptances')
    expect(fake.reactions.map((r) => r.timestamp).sort()).toEqual([allowed.ts, member.ts].sort())
    // Users are looked up once and cached.
    expect(fake.callsOf('users.info').map((c) => c.args.user)).toEqual(['UGUEST', 'U1'])
  })

  test('a member Slack does not vouch for in time is refused for that reason, and let in when it answers', async () => {
    s = await startSlackBot()
    const { fake } = s
    fake.delay('users.info', 2500) // past the lookup's 1.5 s, inside Slack's 3 s for the ack
    const first = fake.mention({ user: 'U1', channel: GENERAL, text: 'op deploy production' })
    await fake.sendEvent(first).acked
    const reply = await fake.waitFor(() => inThread(GENERAL, first.ts)[0], 5000, 'the refusal')
    expect(reply.text).toBe(
      'Sorry, I could not look you up in Slack just now, so I cannot tell whether you are a member of this workspace, and the `op` commands are for members only; try again in a moment.',
    )
    expect(runs()).toEqual([])

    fake.delay('users.info', 0)
    const again = fake.mention({ user: 'U1', channel: GENERAL, text: 'op deploy production' })
    await fake.sendEvent(again).acked
    await fake.waitFor(
      (f) => f.reactions.some((r) => r.timestamp === again.ts),
      5000,
      'the acceptance',
    )
    expect(runs().map((r) => [r.job_type, r.requested_by])).toEqual([['op_deploy', 'U1']])
  })
})

describe('who the bot ignores', () => {
  test("its own messages and other bots' are never commands, even in a DM", async () => {
    s = await startSlackBot()
    const { fake } = s
    const events = [
      fake.mention({ user: 'UBOT', channel: GENERAL, text: 'demo hello me' }),
      { ...fake.mention({ user: 'U9', channel: GENERAL, text: 'demo hello bot' }), bot_id: 'B9' },
      fake.dm({ user: 'UBOT', channel: 'D1', text: 'demo hello' }),
      {
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'B9',
        text: 'demo hello',
        ts: '1700000001.000001',
        channel: 'D1',
        channel_type: 'im',
      },
    ]
    for (const e of events) expect(await fake.sendEvent(e).acked).toBeLessThan(3000)

    // Each ack comes after its event was handled, so nothing can still be on its way.
    expect(runs()).toEqual([])
    expect(s.query('select id from outbox')).toEqual([])
    expect(fake.messages).toEqual([])
    expect(fake.callsOf('users.info')).toEqual([])
  })
})

describe('once per message', () => {
  test('a redelivered event and a second event for the same message run one job and answer once', async () => {
    s = await startSlackBot()
    const { fake } = s
    // A DM that mentions the bot arrives as a message event and as an app_mention.
    const dm = fake.dm({ user: 'U1', channel: 'D1', text: '<@UBOT> demo hello twice' })
    const mention = {
      ...fake.mention({ user: 'U1', channel: 'D1', text: '<@UBOT> demo hello twice' }),
      ts: dm.ts,
      event_ts: dm.ts,
    }
    const first = fake.sendEvent(dm)
    await first.acked
    await fake.sendEvent(dm, { eventId: first.eventId, retryAttempt: 1, retryReason: 'timeout' })
      .acked
    await fake.sendEvent(mention).acked

    await fake.waitFor(() => inThread('D1', dm.ts)[0], 5000, 'the report')
    await Bun.sleep(200)
    expect(runs()).toHaveLength(1)
    expect(inThread('D1', dm.ts).map((m) => m.text)).toEqual(['Hello, twice!'])
    expect(fake.reactions).toHaveLength(1)
    expect(fake.deliveries.every((d) => d.ackedAt !== undefined)).toBe(true)
    expect(s.bot.out.stderr).toContain('outcome=duplicate')
  })
})

describe('when handling breaks', () => {
  test('the person gets an :x: and a short reason in the thread (no stack trace), and Slack does not retry', async () => {
    s = await startSlackBot()
    const { fake } = s
    // A fault inside the database: storing any request fails.
    const db = openStateDb(s.stateDir)
    db.run(
      "create trigger broken before insert on runs begin select raise(abort, 'the disk is on fire'); end",
    )
    db.close()
    const event = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello world.' })
    const sent = fake.sendEvent(event)
    await sent.acked

    const reply = await fake.waitFor(() => inThread(GENERAL, event.ts)[0], 5000, 'the error reply')
    expect(reply.text).toStartWith(
      ':x: Sorry, something went wrong handling `demo hello world`: the disk is on fire.',
    )
    expect(reply.text).not.toMatch(/\n\s+at /)
    expect(fake.reactions).toEqual([{ channel: GENERAL, timestamp: event.ts, name: 'x' }])
    expect(fake.deliveries.map((d) => d.eventId)).toEqual([sent.eventId])
    expect(fake.messages.filter((m) => m.channel !== GENERAL)).toEqual([])
  })
})

describe('other bots and workflows', () => {
  test('a mention from a bot in settings.trusted_bots runs the job; one from any other bot is ignored', async () => {
    s = await startSlackBot({
      yaml: SLACK_YAML.replace('settings:\n', 'settings:\n  trusted_bots: [B7]\n'),
    })
    const fromBot = (bot: string, text: string) => ({
      ...s!.fake.mention({ user: 'U1', channel: GENERAL, text }),
      bot_id: bot,
    })
    const untrusted = fromBot('B8', 'demo hello ignored')
    await s.fake.sendEvent(untrusted).acked
    const trusted = fromBot('B7', 'demo hello integration')
    await s.fake.sendEvent(trusted).acked
    await waitUntil('the trusted bot’s report', () =>
      inThread(GENERAL, trusted.ts).some((m) => m.text?.includes('Hello, integration!')),
    )
    expect(runs().map((r) => r.job_type)).toEqual(['demo_hello'])
    expect(inThread(GENERAL, untrusted.ts)).toEqual([])
  })
})
