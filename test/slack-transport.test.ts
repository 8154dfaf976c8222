// The outbox's Slack transport with the real Web API client against the fake Slack: where each
// stored message lands, how refused Block Kit falls back, and which failures the outbox retries.
import { afterEach, describe, expect, test } from 'bun:test'
import type { KnownBlock } from '@slack/types'
import type { WebClient } from '@slack/web-api'
import { readEnvironment } from '../src/config/env.ts'
import { DeliveryError } from '../src/notify/deliver.ts'
import type { Outgoing } from '../src/app/door.ts'
import { GuestCheck } from '../src/slack/guests.ts'
import { slackTransport } from '../src/slack/transport.ts'
import { createWebClient } from '../src/slack/web-client.ts'
import { createLogger } from '../src/util/log.ts'
import { startFakeSlack, type FakeSlack } from './support/fake-slack.ts'

let fake: FakeSlack
const logLines: string[] = []
const log = createLogger({ level: 'debug', write: (l) => logLines.push(l), secrets: ['xoxb-test'] })

afterEach(async () => {
  await fake?.stop()
  logLines.length = 0
})

async function setup(): Promise<{ web: WebClient; deliver: (m: Outgoing) => Promise<unknown> }> {
  fake = await startFakeSlack({
    users: {
      U1: { name: 'alice' },
      UGUEST: { is_restricted: true },
      UULTRA: { is_ultra_restricted: true },
    },
  })
  const env = readEnvironment({ SLACK_API_URL: fake.apiUrl, EBMBOT_STATE_DIR: '/tmp/unused' })
  const web = createWebClient(fake.botToken, env, log, { mode: 'fast' })
  const transport = slackTransport({ web, channelId: (c) => (c === 'logs' ? 'CLOGS' : c) })
  return { web, deliver: (m) => transport.deliver(m) }
}

const message = (extra: Partial<Extract<Outgoing, { kind: 'message' }>> = {}): Outgoing => ({
  kind: 'message',
  purpose: 'report',
  channel: 'C1',
  threadTs: '100.1',
  text: 'done',
  ...extra,
})

/** The DeliveryError a delivery failed with. */
async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(DeliveryError)
    return e as DeliveryError
  }
  throw new Error('the delivery did not fail')
}

describe('where things land', () => {
  test('a reply goes into the request thread; a notice to a configured channel name lands in that channel top-level', async () => {
    const { deliver } = await setup()
    const posted = await deliver(message())
    await deliver(message({ purpose: 'notice', channel: 'logs', threadTs: null, text: 'Starting' }))

    expect(posted).toEqual({ channel: 'C1', ts: fake.messages[0]!.ts })
    expect(fake.messages.map((m) => [m.channel, m.thread_ts, m.text])).toEqual([
      ['C1', '100.1', 'done'],
      ['CLOGS', undefined, 'Starting'],
    ])
  })

  test('long output is uploaded as a file into the thread, with the text as its comment', async () => {
    const { deliver } = await setup()
    const content = 'x'.repeat(9000)
    await deliver(
      message({
        text: 'Output of `demo_long` (run 3):',
        file: { filename: 'demo_long-3.txt', content },
      }),
    )

    expect(fake.files).toEqual([
      expect.objectContaining({
        filename: 'demo_long-3.txt',
        channel_id: 'C1',
        thread_ts: '100.1',
        initial_comment: 'Output of `demo_long` (run 3):',
        content,
      }),
    ])
    expect(fake.messages).toEqual([])
  })

  test('an escalation carries the request permalink; a bare support repost is the permalink alone', async () => {
    const { deliver } = await setup()
    await deliver(
      message({
        purpose: 'escalation',
        channel: 'CSUP',
        threadTs: null,
        text: ':x: failed',
        linkTo: { channel: 'C1', ts: '100.1' },
      }),
    )
    await deliver(
      message({
        purpose: 'escalation',
        channel: 'CSUP',
        threadTs: null,
        text: '',
        linkTo: { channel: 'C1', ts: '100.2' },
      }),
    )

    expect(fake.messages.map((m) => m.text)).toEqual([
      ':x: failed\nhttps://fake.slack/archives/C1/p1001',
      'https://fake.slack/archives/C1/p1002',
    ])
  })

  test('a reaction is added once; one that is already there counts as delivered', async () => {
    const { deliver } = await setup()
    const reaction: Outgoing = {
      kind: 'reaction',
      purpose: 'ack',
      channel: 'C1',
      ts: '100.1',
      name: 'crossed_fingers',
    }
    await deliver(reaction)
    await deliver(reaction)

    expect(fake.reactions).toEqual([{ channel: 'C1', timestamp: '100.1', name: 'crossed_fingers' }])
    expect(
      fake.callsOf('reactions.add').map((c) => (c.response as { error?: string }).error),
    ).toEqual([undefined, 'already_reacted'])
  })
})

describe('Block Kit', () => {
  const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*card*' } }] as KnownBlock[]

  test('blocks are posted with their readable text', async () => {
    const { deliver } = await setup()
    await deliver(message({ text: 'card', jobBlocks: blocks }))
    expect(fake.messages).toEqual([
      expect.objectContaining({ thread_ts: '100.1', text: 'card', blocks }),
    ])
  })

  test('blocks Slack refuses are posted as text with a note saying why, in the same thread', async () => {
    const { deliver } = await setup()
    fake.failNext('chat.postMessage', { error: 'invalid_blocks' })
    await deliver(message({ text: 'card', jobBlocks: blocks }))

    const [post] = fake.messages
    expect(post).toMatchObject({ channel: 'C1', thread_ts: '100.1', blocks: undefined })
    expect(post!.text).toContain('"text": "*card*"')
    expect(post!.text).toContain('Slack refused it with `invalid_blocks`')
  })

  test('refused blocks too long for a message are uploaded as a file with the note', async () => {
    const { deliver } = await setup()
    const big = Array.from({ length: 40 }, (_, i) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: `row ${i} `.repeat(20) },
    })) as KnownBlock[]
    fake.failNext('chat.postMessage', { error: 'invalid_blocks' })
    await deliver(message({ text: 'table', jobBlocks: big }))

    expect(fake.messages).toEqual([])
    expect(fake.files).toEqual([
      expect.objectContaining({
        filename: 'blocks.json',
        thread_ts: '100.1',
        initial_comment: expect.stringContaining('invalid_blocks'),
      }),
    ])
    expect(JSON.parse(fake.files[0]!.content)).toEqual(big)
  })
})

describe('failures the outbox retries, and those it gives up on', () => {
  test('a 429 is retryable after its Retry-After, without the SDK waiting it out itself', async () => {
    const { deliver } = await setup()
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 })
    const started = Date.now()
    const err = await failure(deliver(message()))

    expect(Date.now() - started).toBeLessThan(1000)
    expect([err.retryable, err.retryAfterMs]).toEqual([true, 7000])
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1)
  })

  test('Slack trouble and network trouble are retryable', async () => {
    const { deliver } = await setup()
    fake.failNext('chat.postMessage', { status: 503 })
    fake.failNext('chat.postMessage', { error: 'internal_error' })
    expect((await failure(deliver(message()))).retryable).toBe(true)
    expect((await failure(deliver(message()))).retryable).toBe(true)
    await fake.stop()
    expect((await failure(deliver(message()))).retryable).toBe(true)
  })

  test('a refused request is permanent: bad token, unknown channel, missing message', async () => {
    const { deliver } = await setup()
    fake.failNext('chat.postMessage', { error: 'invalid_auth' })
    fake.failNext('chat.postMessage', { error: 'channel_not_found' })
    fake.failNext('reactions.add', { error: 'message_not_found' })
    const errs = [
      await failure(deliver(message())),
      await failure(deliver(message())),
      await failure(
        deliver({ kind: 'reaction', purpose: 'ack', channel: 'C1', ts: '1.1', name: 'x' }),
      ),
    ]
    expect(errs.map((e) => [e.message, e.retryable])).toEqual([
      ['invalid_auth', false],
      ['channel_not_found', false],
      ['message_not_found', false],
    ])
  })
})

describe('guests', () => {
  test('restricted and ultra-restricted users are guests, members are not; answers are cached', async () => {
    const { web } = await setup()
    const guests = new GuestCheck({ web, log })
    expect([
      await guests.isGuest('U1'),
      await guests.isGuest('UGUEST'),
      await guests.isGuest('UULTRA'),
      await guests.isGuest('U1'),
    ]).toEqual([false, true, true, false])
    expect(fake.callsOf('users.info')).toHaveLength(3)
  })

  test('an unknown user or a failed lookup counts as a guest, unverified when Slack had trouble, and the failure is not cached', async () => {
    const { web } = await setup()
    const guests = new GuestCheck({ web, log, timeoutMs: 1000 })
    expect(await guests.lookup('UNOBODY')).toEqual({ guest: true, known: true }) // user_not_found is an answer
    fake.failNext('users.info', { status: 500 })
    expect(await guests.lookup('U1')).toEqual({ guest: true, known: false })
    fake.delay('users.info', 1500)
    expect(await guests.lookup('U1')).toEqual({ guest: true, known: false })
    fake.delay('users.info', 0)
    expect(await guests.lookup('U1')).toEqual({ guest: false, known: true })
    expect(logLines.filter((l) => l.includes('slack.user_lookup_failed'))).toHaveLength(3)
  })
})
