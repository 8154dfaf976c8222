// The socket-mode connection of a real `ebmbot serve`: it survives drops and `disconnect`
// envelopes without losing or repeating work, logs its state, and refuses to start half-configured.
import { afterEach, describe, expect, test } from 'bun:test'
import { botEnv, runBot, startBot } from './support/bot.ts'
import { startFakeSlack } from './support/fake-slack.ts'
import {
  APP_TOKEN,
  BOT_TOKEN,
  fakeOptions,
  GENERAL,
  startSlackBot,
  stopSlackBot,
  type SlackBot,
} from './support/slack-bot.ts'
import { freePort } from './support/github.ts'
import { EXAMPLE_CONFIG, tempDir } from './support/temp.ts'
import { HOOK_TIMEOUT, waitUntil } from './support/wait.ts'

let s: SlackBot | undefined

// The socket client's reconnect delay is its ping timeout (5 s by default). 1 s keeps these tests
// short; much lower and an ordinary pause of a loaded machine counts as a lost pong and reconnects.
const FAST_RECONNECT = { SLACK_CLIENT_PING_TIMEOUT_MS: '1000' }

afterEach(async () => {
  await stopSlackBot(s)
  s = undefined
}, HOOK_TIMEOUT)

const inThread = (ts: string) =>
  s!.fake.messages.filter((m) => m.channel === GENERAL && m.thread_ts === ts)
const runCount = () => s!.query<{ n: number }>('select count(*) as n from runs')[0]!.n

describe('reconnecting', () => {
  test('after the socket drops the bot reconnects, logs it, and the next command works', async () => {
    s = await startSlackBot({ env: FAST_RECONNECT })
    const { fake } = s
    fake.dropSockets()
    await fake.waitFor(
      (f) => f.connectionsOpened >= 2 && f.connectionCount === 1,
      10_000,
      'a new connection',
    )

    const event = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello again' })
    await fake.sendEvent(event).acked
    await fake.waitFor(() => inThread(event.ts)[0], 5000, 'the report')
    const log = s.bot.out.stderr
    expect(log).toContain('event=slack.connection_lost')
    expect(log).toContain('event=slack.reconnecting')
    expect(log).toMatch(/event=slack\.connected connection=[2-9]/)
  })

  test('a disconnect envelope makes the bot reconnect, and it keeps working', async () => {
    s = await startSlackBot({ env: FAST_RECONNECT })
    const { fake } = s
    fake.sendDisconnect('refresh_requested')
    await fake.waitFor(
      (f) => f.connectionsOpened >= 2 && f.connectionCount === 1,
      10_000,
      'a new connection',
    )

    const event = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello refreshed' })
    await fake.sendEvent(event).acked
    expect((await fake.waitFor(() => inThread(event.ts)[0], 5000, 'the report')).text).toBe(
      'Hello, refreshed!',
    )
  })

  test('an event whose ack was lost with the socket is redelivered and runs nothing new', async () => {
    s = await startSlackBot({ fake: { ackTimeoutMs: 1500 }, env: FAST_RECONNECT })
    const { fake } = s
    // Handling takes a while (a slow user lookup); the socket drops meanwhile and is still down
    // (Slack slow to hand out a new one) when the ack is due.
    fake.delay('users.info', 600)
    fake.delay('apps.connections.open', 1000)
    const event = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello once' })
    const sent = fake.sendEvent(event)
    await Bun.sleep(100)
    fake.dropSockets()
    await waitUntil('the request to be stored', () => runCount() === 1, 5000)

    await fake.waitFor(
      (f) => f.deliveries.some((d) => d.retryAttempt === 1 && d.ackedAt !== undefined),
      8000,
      'the acked redelivery',
    )
    await fake.waitFor(() => inThread(event.ts)[0], 5000, 'the report')
    expect(
      fake.deliveries.map((d) => [d.eventId, d.retryAttempt, d.ackedAt !== undefined]),
    ).toEqual([
      [sent.eventId, 0, false],
      [sent.eventId, 1, true],
    ])
    expect(runCount()).toBe(1)
    expect(inThread(event.ts)).toHaveLength(1)
    expect(s.bot.out.stderr).toContain('event=slack.ack_failed')
  })
})

describe('health and metrics of the Slack worker', () => {
  test('/healthz and /readyz are 503 while the socket is down and 200 again after it reconnects; /livez stays 200; /metrics counts the events and the connection', async () => {
    const port = await freePort()
    s = await startSlackBot({ env: { ...FAST_RECONNECT, WEBHOOK_PORT: String(port) } })
    const { fake } = s
    const base = `http://127.0.0.1:${port}`
    const health = async () => {
      const r = await fetch(`${base}/healthz`)
      return {
        status: r.status,
        slack: ((await r.json()) as { checks: Record<string, { ok: boolean } | undefined> }).checks
          .slack,
      }
    }
    await waitUntil(
      'the web server',
      async () => (await fetch(`${base}/healthz`).catch(() => null))?.status === 200,
      10_000,
    )
    expect(await health()).toMatchObject({ status: 200, slack: { ok: true } })
    const ready = async () => {
      const r = await fetch(`${base}/readyz`)
      return { status: r.status, body: (await r.json()) as { checks: Record<string, unknown> } }
    }
    const readyNow = await ready()
    expect(readyNow.status).toBe(200)
    expect(Object.keys(readyNow.body.checks).sort()).toEqual(['database', 'dispatcher', 'slack'])
    const connected = async () =>
      (await (await fetch(`${base}/metrics`)).text())
        .split('\n')
        .find((l) => l.startsWith('ebmbot_slack_connected '))
    expect(await connected()).toBe('ebmbot_slack_connected 1')

    const event = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello metrics' })
    await fake.sendEvent(event).acked
    const metrics = await (await fetch(`${base}/metrics`)).text()
    expect(metrics).toContain('ebmbot_slack_events_total{type="app_mention",outcome="queued"} 1')

    // Slack slow to hand out a new socket (4 s): the bot is disconnected meanwhile, and says so.
    fake.delay('apps.connections.open', 4000)
    fake.dropSockets()
    await waitUntil('health to go 503', async () => (await health()).status === 503, 10_000)
    expect((await health()).slack?.ok).toBe(false)
    expect((await ready()).status).toBe(503)
    expect((await fetch(`${base}/livez`)).status).toBe(200)
    expect(await connected()).toBe('ebmbot_slack_connected 0')
    await fake.waitFor(
      (f) => f.callsOf('apps.connections.open').length === 2,
      10_000,
      'the reconnect to ask for a socket',
    )
    fake.delay('apps.connections.open', 0)
    await waitUntil('health to recover', async () => (await health()).status === 200, 15_000)
    expect((await ready()).status).toBe(200)
  })
})

describe('starting', () => {
  test('without both tokens serve runs without Slack and says so', async () => {
    const stateDir = tempDir()
    const bot = startBot(['serve', '--config', EXAMPLE_CONFIG], {
      env: botEnv(stateDir, { SLACK_BOT_TOKEN: BOT_TOKEN }),
    })
    // The whole ready line (output arrives in chunks; a line may be read in two).
    const ready = await waitUntil(
      'serve to be ready',
      () => /event=serve\.ready[^\n]*\n/.exec(bot.out.stderr)?.[0],
      10_000,
    )
    bot.proc.kill('SIGTERM')
    expect(await bot.proc.exited).toBe(0)
    expect(bot.out.stderr).toContain('event=slack.off')
    // No Slack worker: the dispatcher and the schedule ticker (the example has a schedule).
    expect(ready).toMatch(/ workers="dispatcher,schedules"\n$/)
  })

  test('a logs channel that does not exist stops the start with exit 1, naming it', async () => {
    const fake = await startFakeSlack(fakeOptions())
    try {
      const env = botEnv(tempDir(), {
        SLACK_API_URL: fake.apiUrl,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_LOGS_CHANNEL: 'no-such-channel',
        SLACK_TECH_SUPPORT_CHANNEL: 'tech-support',
      })
      const res = await runBot(['serve', '--config', EXAMPLE_CONFIG], { env })
      expect(res.code).toBe(1)
      expect(res.stderr).toContain(
        'the logs channel \\"no-such-channel\\" is not a channel the bot can see',
      )
      expect(fake.connectionsOpened).toBe(0)
    } finally {
      await fake.stop()
    }
  })

  test('SIGTERM while it is still connecting is a graceful stop: exit 0, nothing started', async () => {
    const fake = await startFakeSlack(fakeOptions())
    fake.delay('auth.test', 1500) // start-up is held at its first Slack call
    try {
      const env = botEnv(tempDir(), {
        SLACK_API_URL: fake.apiUrl,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_LOGS_CHANNEL: 'logs',
        SLACK_TECH_SUPPORT_CHANNEL: 'tech-support',
      })
      const bot = startBot(['serve', '--config', EXAMPLE_CONFIG], { env })
      await fake.waitFor(
        (f) => f.callsOf('auth.test').length > 0,
        10_000,
        'start-up to reach Slack',
      )
      bot.proc.kill('SIGTERM')
      expect(await bot.proc.exited).toBe(0)
      expect(bot.out.stderr).toMatch(
        /event=serve\.ready[^\n]*\n[\s\S]*event=serve\.stopping signal=SIGTERM running=0/,
      )
      expect(bot.out.stderr).toContain('event=serve.stopped')
    } finally {
      await fake.stop()
    }
  })

  test('a bot token Slack refuses stops the start with exit 1, without printing the token', async () => {
    const fake = await startFakeSlack(fakeOptions())
    try {
      const wrong = 'xoxb-9999-wrong-token'
      const env = botEnv(tempDir(), {
        SLACK_API_URL: fake.apiUrl,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_BOT_TOKEN: wrong,
        SLACK_LOGS_CHANNEL: 'logs',
        SLACK_TECH_SUPPORT_CHANNEL: 'tech-support',
      })
      const res = await runBot(['serve', '--config', EXAMPLE_CONFIG], { env })
      expect(res.code).toBe(1)
      expect(res.stderr).toContain('Slack refused SLACK_BOT_TOKEN (invalid_auth)')
      expect(res.stderr).not.toContain(wrong)
    } finally {
      await fake.stop()
    }
  })
})
