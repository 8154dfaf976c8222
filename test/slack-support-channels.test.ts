// Tech-support reposts and channel joins by a real `ebmbot serve`.
import { afterEach, describe, expect, test } from 'bun:test'
import type { FakeChannel } from './support/fake-slack.ts'
import {
  fakeOptions,
  GENERAL,
  SLACK_YAML,
  SUPPORT,
  startSlackBot,
  stopSlackBot,
  type SlackBot,
} from './support/slack-bot.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

let s: SlackBot | undefined

afterEach(async () => {
  await stopSlackBot(s)
  s = undefined
}, HOOK_TIMEOUT)

const permalink = (channel: string, ts: string) =>
  `https://fake.slack/archives/${channel}/p${ts.replace('.', '')}`

describe('tech-support', () => {
  test('a channel message with the keyword gets the reaction, and its permalink is posted in tech-support once', async () => {
    s = await startSlackBot()
    const { fake } = s
    const msg = fake.channelMessage({
      user: 'U1',
      channel: GENERAL,
      text: 'the deploy is stuck, @tech-support',
    })
    // The same message mentioning the bot arrives as a message event and an app_mention.
    const mention = {
      ...fake.mention({ user: 'U2', channel: GENERAL, text: 'demo hello tech-support' }),
    }
    const mentionCopy = fake.channelMessage({
      user: 'U2',
      channel: GENERAL,
      text: mention.text,
      ts: mention.ts,
    })
    for (const e of [msg, mention, mentionCopy]) await fake.sendEvent(e).acked

    await fake.waitFor(
      (f) =>
        f.messages.filter((m) => m.channel === SUPPORT).length === 2 && f.reactions.length === 2,
      5000,
      'two reposts and reactions',
    )
    await Bun.sleep(200) // time for a duplicate to show
    expect(fake.messages.map((m) => [m.channel, m.thread_ts, m.text])).toEqual([
      [SUPPORT, undefined, permalink(GENERAL, msg.ts)],
      [SUPPORT, undefined, permalink(GENERAL, mention.ts)],
    ])
    expect(fake.reactions).toEqual([
      { channel: GENERAL, timestamp: msg.ts, name: 'sos' },
      { channel: GENERAL, timestamp: mention.ts, name: 'sos' },
    ])
    // A keyword is never a command: no job ran for the mention.
    expect(s.query('select id from runs')).toEqual([])
  })

  test("not in the tech-support channel itself, not for the bot's own messages, not inside a link", async () => {
    s = await startSlackBot()
    const { fake } = s
    const events = [
      fake.channelMessage({ user: 'U1', channel: SUPPORT, text: 'tech-support: looking at it' }),
      {
        ...fake.channelMessage({ user: 'UBOT', channel: GENERAL, text: 'Calling tech-support.' }),
        bot_id: 'BBOT',
      },
      fake.channelMessage({
        user: 'U1',
        channel: GENERAL,
        text: 'read <https://wiki.example/tech-support>',
      }),
    ]
    for (const e of events) await fake.sendEvent(e).acked

    expect(s.query('select id from outbox')).toEqual([])
    expect(fake.reactions).toEqual([])
  })

  test('in a DM the keyword gets a reply saying where to ask, and no repost', async () => {
    s = await startSlackBot()
    const { fake } = s
    const dm = fake.dm({ user: 'U1', text: 'can tech-support help me?' })
    await fake.sendEvent(dm).acked

    const reply = await fake.waitFor(
      (f) => f.messages.find((m) => m.channel === 'D1'),
      5000,
      'the reply',
    )
    expect(reply.thread_ts).toBe(dm.ts)
    expect(reply.text).toContain("can't call `tech-support` from a direct conversation")
    expect(fake.messages.filter((m) => m.channel === SUPPORT)).toEqual([])
    expect(fake.reactions).toEqual([])
  })

  test('an edit that adds the keyword is reposted once; a second edit is not', async () => {
    s = await startSlackBot()
    const { fake } = s
    const original = fake.channelMessage({ user: 'U1', channel: GENERAL, text: 'the site is down' })
    const edit = (text: string) => ({
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: GENERAL,
      channel_type: 'channel',
      ts: `${original.ts}9`,
      event_ts: `${original.ts}9`,
      message: { ...original, text, edited: { user: 'U1', ts: `${original.ts}9` } },
      previous_message: original,
    })
    for (const e of [
      original,
      edit('the site is down, tech-support'),
      edit('the site is down, tech-support!!'),
    ])
      await fake.sendEvent(e).acked

    await fake.waitFor(
      (f) => f.messages.find((m) => m.channel === SUPPORT) && f.reactions.length > 0,
      5000,
      'the repost and reaction',
    )
    await Bun.sleep(200) // time for a second repost to show
    expect(fake.messages.map((m) => m.text)).toEqual([permalink(GENERAL, original.ts)])
    expect(fake.reactions).toHaveLength(1)
  })
})

describe('channels', () => {
  test('at start the bot joins every public channel it is not in, page after page, never private ones', async () => {
    const many: FakeChannel[] = Array.from({ length: 230 }, (_, i) => ({
      id: `CPUB${i}`,
      name: `project-${i}`,
    }))
    const secret: FakeChannel = { id: 'GSECRET', name: 'secret', is_private: true }
    const archived: FakeChannel = { id: 'COLD', name: 'old', is_archived: true }
    s = await startSlackBot({
      fake: {
        channels: [
          { id: 'CLOGS', name: 'logs', is_member: true },
          { id: SUPPORT, name: 'tech-support', is_member: true },
          ...many,
          secret,
          archived,
        ],
      },
    })
    const { fake } = s

    await fake.waitFor((f) => f.callsOf('conversations.join').length === 230, 10_000, 'the joins')
    expect(fake.callsOf('conversations.list').length).toBeGreaterThanOrEqual(2)
    const joined = new Set(fake.callsOf('conversations.join').map((c) => c.args.channel))
    expect(joined.has('CPUB0') && joined.has('CPUB229')).toBe(true)
    expect([...joined].filter((c) => c === 'GSECRET' || c === 'COLD' || c === 'CLOGS')).toEqual([])
  })

  test('a channel created later is joined at once, and nothing is posted there', async () => {
    s = await startSlackBot()
    const { fake } = s
    await fake.sendEvent(fake.channelCreated({ id: 'CNEW', name: 'new-project' })).acked

    await fake.waitFor(
      (f) => f.callsOf('conversations.join').some((c) => c.args.channel === 'CNEW'),
      5000,
      'the join',
    )
    expect(fake.channels.find((c) => c.id === 'CNEW')?.members).toEqual(['UBOT'])
    expect(fake.messages).toEqual([])
  })
})

describe('channels that change while the bot runs', () => {
  // A namespace that may only be used in #deploys: the rule names a channel, the event carries an id.
  const yaml = SLACK_YAML.replace(
    'namespaces:\n',
    `namespaces:
  rel:
    allow: {channels: ["#deploys"]}
    jobs:
      ship: {run: "echo shipped [what]", report_stdout: true}
    commands:
      - {pattern: "ship [what]", job: ship}
`,
  )
  const ask = async (bot: SlackBot, channel: string, text: string) => {
    const m = bot.fake.mention({ user: 'U1', channel, text })
    await bot.fake.sendEvent(m).acked
    return bot.fake.waitFor(
      (f) =>
        f.messages.find(
          (x) => x.channel === channel && x.thread_ts === m.ts && !x.text?.startsWith('Starting'),
        ),
      5000,
      `a reply to "${text}"`,
    )
  }

  test('access by channel name holds for a channel created after start, and follows renames', async () => {
    s = await startSlackBot({ yaml })
    const { fake } = s
    await fake.sendEvent(fake.channelCreated({ id: 'CDEP', name: 'deploys' })).acked
    await fake.waitFor(
      (f) => f.callsOf('conversations.join').some((c) => c.args.channel === 'CDEP'),
      5000,
      'the join',
    )
    expect((await ask(s, 'CDEP', 'rel ship one')).text).toBe('shipped one')

    // #deploys renamed away: the rule no longer matches it; a channel renamed to #deploys does.
    await fake.sendEvent(fake.channelRenamed('CDEP', 'old-deploys')).acked
    await fake.sendEvent(fake.channelRenamed(GENERAL, 'deploys')).acked
    expect((await ask(s, 'CDEP', 'rel ship two')).text).toContain('may only be run in #deploys')
    expect((await ask(s, GENERAL, 'rel ship three')).text).toBe('shipped three')
    expect(s.query('select request_text from runs order by id')).toEqual([
      { request_text: 'rel ship one' },
      { request_text: 'rel ship three' },
    ])
  })

  test('a channel back from the archive is rejoined and known by name again', async () => {
    s = await startSlackBot({ yaml })
    const { fake } = s
    await fake.sendEvent(fake.channelCreated({ id: 'CDEP', name: 'deploys' })).acked
    await fake.waitFor(
      (f) => f.callsOf('conversations.join').some((c) => c.args.channel === 'CDEP'),
      5000,
      'the join',
    )
    await fake.sendEvent(fake.channelArchived('CDEP')).acked
    await fake.sendEvent(fake.channelUnarchived('CDEP')).acked
    await fake.waitFor(
      (f) => f.callsOf('conversations.info').some((c) => c.args.channel === 'CDEP' && c.status),
      5000,
      'the name lookup',
    )
    await fake.waitFor(
      (f) => f.callsOf('conversations.join').filter((c) => c.args.channel === 'CDEP').length === 2,
      5000,
      'the rejoin',
    )
    expect((await ask(s, 'CDEP', 'rel ship again')).text).toBe('shipped again')
  })

  test('a channel given a new id: its run threads still answer there, and access by name still holds', async () => {
    s = await startSlackBot({ yaml })
    const { fake } = s
    await fake.sendEvent(fake.channelCreated({ id: 'CDEP', name: 'deploys' })).acked
    await fake.waitFor(
      (f) => f.callsOf('conversations.join').some((c) => c.args.channel === 'CDEP'),
      5000,
      'the join',
    )
    const first = fake.mention({ user: 'U1', channel: 'CDEP', text: 'rel ship one' })
    await fake.sendEvent(first).acked
    await fake.waitFor(
      (f) =>
        f.messages.some(
          (m) => m.channel === 'CDEP' && m.thread_ts === first.ts && m.text === 'shipped one',
        ),
      5000,
      'the report',
    )

    await fake.sendEvent(fake.channelIdChanged('CDEP', 'CDEP2')).acked
    await fake.waitFor(
      () => s!.bot.out.stderr.includes('event=slack.channel_moved from=CDEP to=CDEP2 runs=1'),
      5000,
      'the move',
    )
    // The old thread, now under the new id, still knows its run.
    const status = fake.mention({
      user: 'U1',
      channel: 'CDEP2',
      text: 'status',
      thread_ts: first.ts,
    })
    await fake.sendEvent(status).acked
    const answer = await fake.waitFor(
      (f) =>
        f.messages.find(
          (m) => m.channel === 'CDEP2' && m.thread_ts === first.ts && m.text?.startsWith('Run 1'),
        ),
      5000,
      'the status in the thread',
    )
    expect(answer.text).toContain('`rel_ship`')
    expect((await ask(s, 'CDEP2', 'rel ship two')).text).toBe('shipped two')
  })

  test('a private channel the bot is invited to after start is known by name from then on', async () => {
    const secret: FakeChannel = { id: 'GSEC', name: 'deploys', is_private: true }
    s = await startSlackBot({ yaml, fake: { channels: [...fakeOptions().channels!, secret] } })
    const { fake } = s
    // Not in it at start: a bot token cannot see it, so the bot knows no name for it.
    expect(s.bot.out.stderr).toMatch(/event=slack\.ready .*channels=3/)
    await fake.sendEvent(fake.botInvited('GSEC')).acked
    await fake.waitFor(
      (f) => f.callsOf('conversations.info').some((c) => c.args.channel === 'GSEC' && c.status),
      5000,
      'the name lookup',
    )
    expect((await ask(s, 'GSEC', 'rel ship quietly')).text).toBe('shipped quietly')
  })
})
