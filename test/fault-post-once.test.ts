// kill -9 while a message is being posted (Slack slow to answer): the message reaches Slack, but
// the bot never hears so. After the restart it looks for the message (by the outbox id in its
// metadata) before posting it again, so it shows once, not twice.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { GENERAL, LOGS, startSlackBot, stopSlackBot, type SlackBot } from './support/slack-bot.ts'
import { cleanupTemp } from './support/temp.ts'

afterAll(cleanupTemp)
let s: SlackBot | undefined
afterEach(async () => {
  if (s) await stopSlackBot(s)
  s = undefined
})

test('a message in flight at kill -9 is posted once: the restarted bot finds it by its outbox id', async () => {
  s = await startSlackBot()
  const { fake } = s
  const before = fake.callsOf('chat.postMessage').length
  fake.delay('chat.postMessage', 1500)
  const ask = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello once' })
  await fake.sendEvent(ask).acked
  // The start notice is on its way to Slack; the bot dies before Slack answers.
  await fake.waitFor(
    (f) => f.callsOf('chat.postMessage').length > before,
    10_000,
    'a post in flight',
  )
  s.bot.proc.kill('SIGKILL')
  await s.bot.proc.exited
  const notice = (m: { channel: string; text?: string }) =>
    m.channel === LOGS && !!m.text?.includes('Starting `demo_hello` (run 1)')
  // Slack took it all the same.
  await fake.waitFor((f) => f.messages.find(notice), 5000, 'the notice to arrive')
  fake.delay('chat.postMessage', 0)
  await s.restart()
  await fake.waitFor(
    (f) =>
      f.messages.find(
        (m) => m.thread_ts === ask.ts && /Hello, once!|did not finish/.test(m.text ?? ''),
      ),
    20_000,
    'the run to be reported',
  )
  await Bun.sleep(500) // anything still to come would be posted by now
  expect(fake.messages.filter(notice)).toHaveLength(1)
  // Every message the outbox posted carries its id once.
  const ids = fake.messages
    .map(
      (m) =>
        (m.args.metadata as { event_payload?: { outbox_id?: number } } | undefined)?.event_payload
          ?.outbox_id,
    )
    .filter((id) => id !== undefined)
  expect(ids.length).toBeGreaterThan(1)
  expect(new Set(ids).size).toBe(ids.length)
}, 60_000)
