// The fake Slack speaks the real protocols: the real socket-mode and web-api clients work against it.
import { afterEach, describe, expect, test } from 'bun:test'
import { type Logger, LogLevel, SocketModeClient } from '@slack/socket-mode'
import { type ConversationsListResponse, WebClient, type WebAPIPlatformError } from '@slack/web-api'
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts'

const REPO = `${import.meta.dir}/..`

// The SDK's reconnect delay is clientPingTimeout × consecutive failures. 1 s keeps reconnect tests
// short; much lower and a pause of a loaded machine reads as a lost pong and reconnects on its own.
const PING_TIMEOUT_MS = 1000

let fake: FakeSlack | undefined
const clients: SocketModeClient[] = []

afterEach(async () => {
  // Clients first: a socket client whose fake is gone retries apps.connections.open for minutes.
  for (const c of clients.splice(0)) await c.disconnect()
  await fake?.stop()
  fake = undefined
})

/** Keeps the SDKs' expected warnings (rate limits, dropped sockets) out of the test output. */
const quietLogger = (): Logger => ({
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.INFO,
  setName() {},
})

async function setup(opts: Parameters<typeof startFakeSlack>[0] = {}): Promise<FakeSlack> {
  fake = await startFakeSlack(opts)
  return fake
}

async function connect(f: FakeSlack): Promise<SocketModeClient> {
  const client = new SocketModeClient({
    appToken: f.appToken,
    clientOptions: { slackApiUrl: f.apiUrl },
    clientPingTimeout: PING_TIMEOUT_MS,
    logger: quietLogger(),
  })
  clients.push(client)
  await client.start()
  return client
}

function web(f: FakeSlack, token = f.botToken): WebClient {
  return new WebClient(token, { slackApiUrl: f.apiUrl, logger: quietLogger() })
}

interface Received {
  eventId: string
  retryNum?: number
  retryReason?: string
  text: string
}

/** Records app_mention deliveries, acking each unless told not to. */
function listen(
  client: SocketModeClient,
  shouldAck: (r: Received) => boolean = () => true,
): Received[] {
  const got: Received[] = []
  client.on('app_mention', async ({ ack, event, body, retry_num, retry_reason }) => {
    const r = {
      eventId: body.event_id,
      retryNum: retry_num,
      retryReason: retry_reason,
      text: event.text,
    }
    got.push(r)
    if (shouldAck(r)) await ack()
  })
  return got
}

describe('socket mode', () => {
  test('the client connects, receives a mention and its ack is recorded', async () => {
    const f = await setup()
    const client = await connect(f)
    const slackEvents: string[] = []
    client.on('slack_event', ({ type }) => slackEvents.push(type))
    const got = listen(client)

    expect(f.connectionCount).toBe(1)
    const sent = f.sendEvent(f.mention({ user: 'U1', channel: 'C1', text: 'demo hello' }))
    const ms = await sent.acked

    expect(ms).toBeLessThan(3000) // Slack's own limit
    expect(got).toEqual([
      { eventId: sent.eventId!, retryNum: 0, retryReason: '', text: '<@UBOT> demo hello' },
    ])
    expect(slackEvents).toEqual(['events_api'])
    expect(f.acks.map((a) => a.envelopeId)).toEqual([sent.envelopeId])
    expect(f.deliveries[0]?.ackedAt).toBeNumber()
  })

  test('a redelivery keeps the event id and carries retry_attempt', async () => {
    const f = await setup()
    const got = listen(await connect(f))
    const event = f.mention({ user: 'U1', channel: 'C1', text: 'deploy' })

    const first = f.sendEvent(event)
    await first.acked
    const again = f.sendEvent(event, {
      eventId: first.eventId,
      retryAttempt: 1,
      retryReason: 'timeout',
    })
    await again.acked

    expect(again.envelopeId).not.toBe(first.envelopeId)
    expect(got.map((r) => [r.eventId, r.retryNum, r.retryReason])).toEqual([
      [first.eventId, 0, ''],
      [first.eventId, 1, 'timeout'],
    ])
  })

  test('an unacked event is redelivered after the ack timeout, and only until acked', async () => {
    const f = await setup({ ackTimeoutMs: 1000 })
    const got = listen(await connect(f), (r) => r.retryNum === 1) // ignore the first delivery

    const sent = f.sendEvent(f.mention({ user: 'U1', channel: 'C1', text: 'slow' }))
    await f.waitFor((x) => x.acks.length === 1, 5000, 'the retried delivery to be acked')
    await Bun.sleep(1500) // past another timeout: nothing more may arrive

    expect(got.map((r) => r.retryNum)).toEqual([0, 1])
    expect(await sent.acked).toBeGreaterThanOrEqual(1000) // the first delivery counts as acked once its retry is
    expect(f.deliveries.map((d) => [d.eventId, d.retryAttempt, d.ackedAt !== undefined])).toEqual([
      [sent.eventId, 0, false],
      [sent.eventId, 1, true],
    ])
  })

  test('redelivery stops after three retries, or never starts when switched off', async () => {
    const f = await setup({ ackTimeoutMs: 100 })
    const got = listen(await connect(f), () => false)

    f.sendEvent(f.mention({ user: 'U1', channel: 'C1', text: 'never acked' }))
    await f.waitFor((x) => x.deliveries.length === 4, 2000, 'three retries')
    await Bun.sleep(250)
    expect(got.map((r) => r.retryNum)).toEqual([0, 1, 2, 3])

    f.redeliver = false
    f.sendEvent(f.mention({ user: 'U1', channel: 'C1', text: 'no retries' }))
    await f.waitFor(() => got.length === 5, 2000, 'the delivery')
    await Bun.sleep(250)
    expect(got).toHaveLength(5)
  })

  test('after a network drop the client opens a new connection and still gets events', async () => {
    const f = await setup()
    const got = listen(await connect(f))

    f.dropSockets()
    expect(f.connectionCount).toBe(0)
    const started = Date.now()
    await f.waitFor(
      (x) => x.connectionsOpened === 2 && x.connectionCount === 1,
      6000,
      'a reconnect',
    )

    expect(Date.now() - started).toBeGreaterThanOrEqual(PING_TIMEOUT_MS - 50)
    expect(f.callsOf('apps.connections.open')).toHaveLength(2)
    const sent = f.sendEvent(f.mention({ user: 'U1', channel: 'C1', text: 'still there?' }))
    await sent.acked
    expect(got.map((r) => r.eventId)).toEqual([sent.eventId!])
  })

  test('a disconnect message makes the client reconnect', async () => {
    const f = await setup()
    const client = await connect(f)
    const got = listen(client)
    const states: string[] = []
    client.on('reconnecting', () => states.push('reconnecting'))

    f.sendDisconnect('refresh_requested')
    await f.waitFor(
      (x) => x.connectionsOpened === 2 && x.connectionCount === 1,
      6000,
      'a reconnect',
    )

    expect(states).toEqual(['reconnecting'])
    expect(f.callsOf('apps.connections.open')).toHaveLength(2)
    await f.sendEvent(f.mention({ user: 'U1', channel: 'C1', text: 'after refresh' })).acked
    expect(got).toHaveLength(1)
  })

  test('an event unacked when the socket drops is redelivered on the new connection', async () => {
    // The ack timeout is longer than the wait for the first delivery, so the retry cannot go out on the old socket.
    const f = await setup({ ackTimeoutMs: 1500 })
    const got = listen(await connect(f), (r) => r.retryNum === 1)

    const sent = f.sendEvent(f.mention({ user: 'U1', channel: 'C1', text: 'lost ack' }))
    await f.waitFor(() => got.length === 1, 1000, 'the first delivery')
    f.dropSockets()
    await f.waitFor((x) => x.acks.length === 1, 8000, 'the redelivery to be acked')

    const [first, retry] = f.deliveries
    expect(retry).toMatchObject({ eventId: sent.eventId, retryAttempt: 1 })
    expect(retry!.connectionId).not.toBe(first!.connectionId)
  })

  test('dm and channel message builders arrive as message events with their channel type', async () => {
    const f = await setup()
    const client = await connect(f)
    const seen: [string, string, string][] = []
    client.on('message', async ({ ack, event }) => {
      seen.push([event.channel, event.channel_type, event.text])
      await ack()
    })

    await f.sendEvent(f.dm({ user: 'U1', text: 'status' })).acked
    await f.sendEvent(f.channelMessage({ user: 'U2', channel: 'C1', text: 'Reminder: op deploy' }))
      .acked

    expect(seen).toEqual([
      ['D1', 'im', 'status'],
      ['C1', 'channel', 'Reminder: op deploy'],
    ])
  })

  test('interactive payloads arrive as interactive envelopes', async () => {
    const f = await setup()
    const client = await connect(f)
    const bodies: unknown[] = []
    client.on('interactive', async ({ ack, body }) => {
      bodies.push(body)
      await ack()
    })

    const ts = '1700000000.000100'
    const payload = f.blockAction({
      user: 'U1',
      channel: 'C1',
      message_ts: ts,
      action_id: 'cancel',
    })
    await f.sendInteractive(payload).acked

    expect(bodies).toEqual([payload])
  })

  test('a bot in another process connects and replies in the thread', async () => {
    const f = await setup()
    const child = Bun.spawn([process.execPath, '-e', CHILD_BOT], {
      cwd: REPO,
      env: {
        ...process.env,
        SLACK_API_URL: f.apiUrl,
        SLACK_APP_TOKEN: f.appToken,
        SLACK_BOT_TOKEN: f.botToken,
      },
      stdout: 'ignore',
      stderr: 'pipe',
    })
    try {
      await f.waitForConnection(1, 8000)
      const event = f.mention({ user: 'U1', channel: 'C9', text: 'ping' })
      await f.sendEvent(event).acked
      const reply = await f.waitFor(
        (x) => x.messages.find((m) => m.thread_ts === event.ts),
        5000,
        'the reply',
      )
      expect(reply).toMatchObject({ channel: 'C9', text: 'pong' })
    } finally {
      child.kill()
      await child.exited
    }
  })
})

// A minimal bot: the same wiring the real one uses, pointed at the fake by SLACK_API_URL.
const CHILD_BOT = `
import { SocketModeClient, LogLevel } from '@slack/socket-mode'
import { WebClient } from '@slack/web-api'
const slackApiUrl = process.env.SLACK_API_URL
const web = new WebClient(process.env.SLACK_BOT_TOKEN, { slackApiUrl })
const socket = new SocketModeClient({
  appToken: process.env.SLACK_APP_TOKEN,
  clientOptions: { slackApiUrl },
  logLevel: LogLevel.ERROR,
})
socket.on('app_mention', async ({ ack, event }) => {
  await ack()
  await web.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: 'pong' })
})
await socket.start()
`

describe('web api', () => {
  test('a threaded message is recorded with its channel, thread and decoded blocks', async () => {
    const f = await setup()
    const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '*done*' } }]
    const thread_ts = '1700000000.000001'

    const res = await web(f).chat.postMessage({ channel: 'C1', thread_ts, text: 'done', blocks })

    expect(res.ts).toMatch(/^\d{10}\.\d{6}$/)
    expect(f.messages).toEqual([
      expect.objectContaining({ channel: 'C1', ts: res.ts, thread_ts, text: 'done', blocks }),
    ])
    expect(f.callsOf('chat.postMessage')[0]).toMatchObject({ token: 'xoxb-test', args: { blocks } })
  })

  test('timestamps are unique; update, permalink and reactions behave like Slack', async () => {
    const f = await setup()
    const client = web(f)
    const a = await client.chat.postMessage({ channel: 'C1', text: 'one' })
    const b = await client.chat.postMessage({ channel: 'C1', text: 'two' })
    expect(b.ts! > a.ts!).toBe(true)

    await client.chat.update({ channel: 'C1', ts: a.ts!, text: 'one, edited' })
    expect(f.messages[0]).toMatchObject({ text: 'one, edited', edits: 1 })

    const link = await client.chat.getPermalink({ channel: 'C1', message_ts: '1700000000.000100' })
    expect(link.permalink).toBe('https://fake.slack/archives/C1/p1700000000000100')

    await client.reactions.add({ channel: 'C1', timestamp: a.ts!, name: 'white_check_mark' })
    const again = client.reactions.add({
      channel: 'C1',
      timestamp: a.ts!,
      name: 'white_check_mark',
    })
    expect(await errorCode(again)).toBe('already_reacted')
    expect(f.reactions).toHaveLength(1)
  })

  test('a 429 with Retry-After is waited out and retried by the client', async () => {
    const f = await setup()
    f.failNext('chat.postMessage', { status: 429, retryAfter: 1 })
    const started = Date.now()

    await web(f).chat.postMessage({ channel: 'C1', text: 'eventually' })

    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(f.callsOf('chat.postMessage').map((c) => c.status)).toEqual([429, 200])
    expect(f.messages.map((m) => m.text)).toEqual(['eventually'])
  })

  test('injected Slack errors, slow methods and unknown methods', async () => {
    const f = await setup()
    const client = web(f)
    f.failNext('chat.postMessage', { error: 'invalid_blocks' })
    expect(await errorCode(client.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe(
      'invalid_blocks',
    )
    expect(f.messages).toHaveLength(0)

    f.delay('auth.test', 150)
    const started = Date.now()
    await client.auth.test()
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)

    expect(await errorCode(client.apiCall('nope.nothing'))).toBe('unknown_method')
  })

  test('filesUploadV2 uploads the content into the thread', async () => {
    const f = await setup()

    await web(f).filesUploadV2({
      channel_id: 'C1',
      thread_ts: '1700000000.000001',
      content: 'line 1\nline 2\n',
      filename: 'output.txt',
      title: 'Job output',
      initial_comment: 'Full output attached',
    })

    expect(f.files).toEqual([
      expect.objectContaining({
        filename: 'output.txt',
        title: 'Job output',
        channel_id: 'C1',
        thread_ts: '1700000000.000001',
        initial_comment: 'Full output attached',
        content: 'line 1\nline 2\n',
      }),
    ])
  })

  test('users.info reports guest flags; unknown users are not found', async () => {
    const guestFlags = { is_restricted: true, is_ultra_restricted: true }
    const f = await setup({ users: { UGUEST: { name: 'guest', ...guestFlags } } })
    f.users.set('UMEMBER', { name: 'member' })
    const client = web(f)

    const guest = await client.users.info({ user: 'UGUEST' })
    const member = await client.users.info({ user: 'UMEMBER' })

    expect(guest.user).toMatchObject({
      id: 'UGUEST',
      is_restricted: true,
      is_ultra_restricted: true,
    })
    expect(member.user).toMatchObject({ is_restricted: false, is_ultra_restricted: false })
    expect(await errorCode(client.users.info({ user: 'UNOBODY' }))).toBe('user_not_found')
  })

  test('conversations.list pages through every channel with cursors; join marks membership', async () => {
    const channels = Array.from({ length: 5 }, (_, i) => ({ id: `C${i}`, name: `chan-${i}` }))
    const f = await setup({
      channels: [...channels, { id: 'G1', name: 'secret', is_private: true }],
    })
    const client = web(f)

    const ids: string[] = []
    for await (const page of client.paginate('conversations.list', { limit: 2 })) {
      for (const c of (page as ConversationsListResponse).channels ?? []) ids.push(c.id!)
    }
    await client.conversations.join({ channel: 'C3' })
    const members = await client.conversations.members({ channel: 'C3' })

    expect(ids).toEqual(['C0', 'C1', 'C2', 'C3', 'C4'])
    expect(f.callsOf('conversations.list')).toHaveLength(3)
    expect(members.members).toEqual(['UBOT'])
  })

  test('tokens are checked: unknown ones are rejected and each kind has its own methods', async () => {
    const f = await setup()

    expect(await errorCode(web(f, 'xoxb-wrong').auth.test())).toBe('invalid_auth')
    expect(await errorCode(web(f, f.botToken).apps.connections.open({}))).toBe(
      'not_allowed_token_type',
    )
    const postWithAppToken = web(f, f.appToken).chat.postMessage({ channel: 'C1', text: 'x' })
    expect(await errorCode(postWithAppToken)).toBe('not_allowed_token_type')
    expect((await web(f).auth.test()).user_id).toBe('UBOT')
  })

  test('waitFor times out with a dump of recent calls', async () => {
    const f = await setup()
    await web(f).auth.test()

    const waiting = f.waitFor((x) => x.messages.length > 0, 50, 'a message')

    await expect(waiting).rejects.toThrow(
      /timed out after 50 ms waiting for a message[\s\S]*auth\.test/,
    )
  })
})

/** The Slack error code a rejected Web API call carried. */
async function errorCode(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call
    return undefined
  } catch (err) {
    return (err as WebAPIPlatformError).data?.error
  }
}
