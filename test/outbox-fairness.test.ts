// Fair delivery across channels, through the real Slack transport and Web API client against the
// fake Slack: a flooded or rate-limited channel holds back only itself, and each channel keeps
// its own order.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Outgoing } from '../src/app/door.ts'
import { readEnvironment } from '../src/config/env.ts'
import { startDeliverer } from '../src/notify/deliver.ts'
import { openQueue } from '../src/queue/db.ts'
import type { SqliteQueue } from '../src/queue/sqlite-queue.ts'
import { slackTransport } from '../src/slack/transport.ts'
import { createWebClient } from '../src/slack/web-client.ts'
import { createLogger } from '../src/util/log.ts'
import { Signal } from '../src/util/signal.ts'
import { startFakeSlack, type FakeSlack } from './support/fake-slack.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
let fake: FakeSlack | undefined
let queue: SqliteQueue | undefined
let stop: (() => Promise<void>) | undefined
afterEach(async () => {
  await stop?.()
  queue?.close()
  await fake?.stop()
  stop = queue = fake = undefined
})

const say = (channel: string, text: string): Outgoing => ({
  kind: 'message',
  purpose: 'reply',
  channel,
  threadTs: null,
  text,
})

async function outboxToSlack() {
  fake = await startFakeSlack({})
  queue = openQueue(join(tempDir(), 'q.db'))
  const log = createLogger({ level: 'warn', write: () => {} })
  const env = readEnvironment({ SLACK_API_URL: fake.apiUrl, EBMBOT_STATE_DIR: '/tmp/unused' })
  const web = createWebClient(fake.botToken, env, log, { mode: 'fast' })
  const wake = new Signal()
  const deliverer = startDeliverer({
    queue,
    door: 'slack',
    transport: slackTransport({ web }),
    wake,
    log,
    pollMs: 200,
  })
  stop = () => deliverer.stop()
  return { fake, queue, wake }
}

test('500 messages to a channel answering 429 do not hold back a reply elsewhere: it arrives within 2 s', async () => {
  const { fake, queue, wake } = await outboxToSlack()
  // The flooded channel is rate-limited for longer than the test lasts.
  fake.failNext(
    'chat.postMessage',
    { status: 429, retryAfter: 30, when: (a) => a.channel === 'CFLOOD' },
    1000,
  )
  const flood = Array.from({ length: 500 }, (_, i) => say('CFLOOD', `loop ${i}`))
  await queue.enqueueOutgoing(Date.now(), 'slack', flood)
  await queue.enqueueOutgoing(Date.now(), 'slack', [say('DALICE', 'your deploy is approved')])
  const asked = Date.now()
  wake.notify()
  await waitUntil(
    'the reply in the other channel',
    () => fake.messages.find((m) => m.channel === 'DALICE'),
    2000,
  )
  expect(Date.now() - asked).toBeLessThan(2000)
  expect(fake.messages.filter((m) => m.channel === 'CFLOOD')).toEqual([]) // still waiting, not lost
})

test('a flood in one channel takes turns with the others, and each channel keeps its order', async () => {
  const { fake, queue, wake } = await outboxToSlack()
  await queue.enqueueOutgoing(
    Date.now(),
    'slack',
    Array.from({ length: 30 }, (_, i) => say('CFLOOD', `loop ${i}`)),
  )
  await queue.enqueueOutgoing(Date.now(), 'slack', [
    say('CREPORTS', 'first'),
    say('CREPORTS', 'second'),
  ])
  wake.notify()
  await waitUntil('everything posted', () => fake.messages.length === 32, 10_000)
  const order = fake.messages.map((m) => `${m.channel}:${m.text}`)
  // The other channel's two messages went out among the first rounds, not after all 30.
  expect(order.indexOf('CREPORTS:second')).toBeLessThan(5)
  expect(order.filter((o) => o.startsWith('CFLOOD:'))).toEqual(
    Array.from({ length: 30 }, (_, i) => `CFLOOD:loop ${i}`),
  )
  expect(order.indexOf('CREPORTS:first')).toBeLessThan(order.indexOf('CREPORTS:second'))
})
