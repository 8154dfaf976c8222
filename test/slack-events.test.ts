// Which Slack events the bot acts on, and where it answers: pure rules over
// events shaped as Slack sends them (built by the fake Slack's event builders).
import { afterAll, describe, expect, test } from 'bun:test'
import type { SlackEvent } from '@slack/types'
import { planEvent, type Plan } from '../src/slack/events.ts'
import type { SupportRoute } from '../src/slack/support.ts'
import { startFakeSlack } from './support/fake-slack.ts'

const fake = await startFakeSlack()
afterAll(() => fake.stop())

const routes: SupportRoute[] = [
  { keywords: ['tech-support'], reaction: 'sos', channel: 'CSUPPORT' },
]
const plan = (e: SlackEvent | Record<string, unknown>) =>
  planEvent(e as SlackEvent, { botUserId: 'UBOT', routes })
const kind = (p: Plan) => (p.kind === 'ignore' ? `ignore: ${p.reason}` : p.kind)

describe('commands', () => {
  test('a top-level mention is a command answered in a new thread under it', () => {
    const e = fake.mention({ user: 'U1', channel: 'C1', text: 'demo hello', ts: '10.1' })
    expect(plan(e)).toEqual({
      kind: 'command',
      spot: { channel: 'C1', ts: '10.1', threadTs: '10.1' },
      user: 'U1',
      text: '<@UBOT> demo hello',
      isDirect: false,
    })
  })

  test('a mention inside a thread is answered in that thread', () => {
    const e = fake.mention({
      user: 'U1',
      channel: 'C1',
      text: 'status',
      ts: '10.5',
      thread_ts: '10.1',
    })
    expect(plan(e)).toMatchObject({
      kind: 'command',
      spot: { channel: 'C1', ts: '10.5', threadTs: '10.1' },
    })
  })

  test('any direct message is a command, threaded inside the DM', () => {
    const e = fake.dm({ user: 'U1', text: 'demo hello', ts: '11.1' })
    expect(plan(e)).toEqual({
      kind: 'command',
      spot: { channel: 'D1', ts: '11.1', threadTs: '11.1' },
      user: 'U1',
      text: 'demo hello',
      isDirect: true,
    })
  })

  test('a Slack reminder naming the bot runs; the plain message copy of a mention does not', () => {
    const reminder = fake.channelMessage({
      user: 'USLACKBOT',
      channel: 'C1',
      text: 'Reminder: <@UBOT> demo hello.',
    })
    expect(plan(reminder)).toMatchObject({ kind: 'command', isDirect: false, user: 'USLACKBOT' })
    const copy = fake.channelMessage({ user: 'U1', channel: 'C1', text: '<@UBOT> demo hello' })
    expect(kind(plan(copy))).toBe('ignore: not addressed to the bot')
    expect(kind(plan(fake.channelMessage({ user: 'U1', channel: 'C1', text: 'lunch?' })))).toBe(
      'ignore: not addressed to the bot',
    )
  })
})

describe('trusted bots and workflows (settings.trusted_bots)', () => {
  const trusted = (e: SlackEvent | Record<string, unknown>, trustedBots = ['B9', 'AWORKFLOW']) =>
    planEvent(e as SlackEvent, { botUserId: 'UBOT', routes, trustedBots })
  const workflow = {
    type: 'message',
    subtype: 'bot_message',
    bot_id: 'B7',
    bot_profile: { app_id: 'AWORKFLOW' },
    text: '<@UBOT> demo hello',
    ts: '2.1',
    channel: 'C1',
    channel_type: 'channel',
  }
  test('a mention from a trusted bot id, or from a trusted app (a workflow), runs as a command', () => {
    const fromBot = {
      ...fake.mention({ user: 'U9', channel: 'C1', text: 'demo hello', ts: '2.2' }),
      bot_id: 'B9',
    }
    expect(trusted(fromBot)).toMatchObject({
      kind: 'command',
      user: 'U9',
      spot: { channel: 'C1', ts: '2.2', threadTs: '2.2' },
    })
    // A workflow's message has no user: the bot id stands for the requester.
    expect(trusted(workflow)).toMatchObject({ kind: 'command', user: 'B7', isDirect: false })
  })
  test('off by default; untrusted bots, unaddressed or edited bot messages and support keywords never run', () => {
    expect(kind(plan(workflow))).toBe('ignore: from a bot')
    expect(kind(trusted(workflow, ['B1']))).toBe('ignore: from a bot')
    expect(kind(trusted({ ...workflow, text: 'demo hello' }))).toBe(
      'ignore: not addressed to the bot',
    )
    expect(kind(trusted({ ...workflow, text: '<@UBOT> ask tech-support' }))).toBe(
      'ignore: a support keyword from a bot',
    )
    expect(kind(trusted({ ...workflow, edited: { ts: '3.0' } }))).toBe(
      'ignore: edits never run commands',
    )
  })
})

describe('senders the bot ignores', () => {
  test('its own messages, other bots, integrations and messages without a sender', () => {
    const own = fake.mention({ user: 'UBOT', channel: 'C1', text: 'demo hello' })
    const otherBot = {
      ...fake.mention({ user: 'U9', channel: 'C1', text: 'demo hello' }),
      bot_id: 'B9',
    }
    const botMessage = {
      type: 'message',
      subtype: 'bot_message',
      bot_id: 'B9',
      text: '<@UBOT> demo hello',
      ts: '1.1',
      channel: 'D1',
      channel_type: 'im',
    }
    const ownDm = fake.dm({ user: 'UBOT', text: 'tech-support' })
    const noUser = {
      type: 'message',
      text: 'demo hello',
      ts: '1.2',
      channel: 'D1',
      channel_type: 'im',
    }
    expect([own, otherBot, botMessage, ownDm, noUser].map((e) => kind(plan(e)))).toEqual([
      'ignore: the bot itself',
      'ignore: from a bot',
      'ignore: from a bot',
      'ignore: the bot itself',
      'ignore: no sender',
    ])
  })

  test('system subtypes (joins, topic changes, deletions) are not people talking', () => {
    const join = {
      type: 'message',
      subtype: 'channel_join',
      user: 'U1',
      text: '<@U1> has joined tech-support',
      ts: '1.1',
      channel: 'C1',
      channel_type: 'channel',
    }
    const deleted = {
      type: 'message',
      subtype: 'message_deleted',
      ts: '1.2',
      deleted_ts: '1.0',
      channel: 'D1',
      channel_type: 'im',
    }
    expect(kind(plan(join))).toBe('ignore: subtype channel_join')
    expect(plan(deleted).kind).toBe('ignore')
  })
})

describe('tech-support keywords', () => {
  test('a channel message with a keyword is reposted, never run, even when it mentions the bot', () => {
    const msg = fake.channelMessage({
      user: 'U1',
      channel: 'C1',
      text: 'the build is red, tech-support',
      ts: '12.1',
    })
    expect(plan(msg)).toEqual({
      kind: 'support',
      spot: { channel: 'C1', ts: '12.1', threadTs: '12.1' },
      user: 'U1',
      routes,
    })
    const mention = fake.mention({ user: 'U1', channel: 'C1', text: 'demo hello tech-support' })
    expect(plan(mention).kind).toBe('support')
  })

  test('not in the support channel itself, not inside a URL, not from bots', () => {
    expect(
      kind(
        plan(fake.channelMessage({ user: 'U1', channel: 'CSUPPORT', text: 'tech-support help' })),
      ),
    ).toBe('ignore: a keyword in its own support channel')
    expect(
      kind(
        plan(
          fake.channelMessage({ user: 'U1', channel: 'C1', text: 'see <https://x/tech-support>' }),
        ),
      ),
    ).toBe('ignore: not addressed to the bot')
    expect(
      plan({
        ...fake.channelMessage({ user: 'U9', channel: 'C1', text: 'tech-support' }),
        bot_id: 'B9',
      }).kind,
    ).toBe('ignore')
  })

  test('in a DM or group DM the keyword gets a reply instead of a repost or a command', () => {
    expect(plan(fake.dm({ user: 'U1', text: 'tech-support please' })).kind).toBe('support_dm')
    const mpim = {
      ...fake.channelMessage({ user: 'U1', channel: 'G1', text: 'tech-support?' }),
      channel_type: 'mpim',
    }
    expect(plan(mpim).kind).toBe('support_dm')
  })

  test('an edit is judged on its new text: it may call tech-support but never runs a command', () => {
    const edit = (text: string, channel = 'C1', channel_type = 'channel') => ({
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel,
      channel_type,
      ts: '13.9',
      event_ts: '13.9',
      message: {
        type: 'message',
        user: 'U1',
        text,
        ts: '13.1',
        edited: { user: 'U1', ts: '13.9' },
      },
      previous_message: { type: 'message', user: 'U1', text: 'old', ts: '13.1' },
    })
    expect(plan(edit('now for tech-support'))).toMatchObject({
      kind: 'support',
      spot: { channel: 'C1', ts: '13.1' },
    })
    expect(kind(plan(edit('demo hello', 'D1', 'im')))).toBe('ignore: edits never run commands')
    const editedMention = {
      ...fake.mention({ user: 'U1', channel: 'C1', text: 'demo hello' }),
      edited: { user: 'U1', ts: '1.0' },
    }
    expect(kind(plan(editedMention))).toBe('ignore: edits never run commands')
  })
})

test('channel events become channel changes; other events are ignored', () => {
  expect(plan(fake.channelCreated({ id: 'CNEW', name: 'new-project' }))).toEqual({
    kind: 'channel',
    change: { kind: 'created', id: 'CNEW', name: 'new-project' },
  })
  expect(
    kind(
      plan({
        type: 'reaction_added',
        user: 'U1',
        reaction: 'sos',
        item: { type: 'message', channel: 'C1', ts: '1.1' },
        event_ts: '1.2',
      }),
    ),
  ).toBe('ignore: reaction_added is not handled')
})
