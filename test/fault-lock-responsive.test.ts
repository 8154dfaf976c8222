// Another process holding the database's write lock for 20 s (an operator's sqlite3, a backup):
// the bot keeps its Slack socket, /healthz answers within a second throughout (503 is fine), and
// a command asked meanwhile is run once the lock is gone. SQLite's own lock wait blocks the
// whole process, so the queue keeps it short and waits out the rest asynchronously.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { freePort } from './support/github.ts'
import { GENERAL, startSlackBot, stopSlackBot, type SlackBot } from './support/slack-bot.ts'
import { openStateDb } from './support/state-db.ts'
import { cleanupTemp } from './support/temp.ts'

afterAll(cleanupTemp)
let s: SlackBot | undefined
afterEach(async () => {
  if (s) await stopSlackBot(s)
  s = undefined
})

test('a 20 s lock held by another process: the socket stays up, /healthz answers within 1 s, and the command asked meanwhile runs once', async () => {
  const port = await freePort()
  s = await startSlackBot({ env: { WEBHOOK_PORT: String(port) } })
  const { fake } = s
  const opensBefore = fake.callsOf('apps.connections.open').length
  const stderrBefore = s.bot.out.stderr.length
  const other = openStateDb(s.stateDir)
  other.run('BEGIN IMMEDIATE')
  const lockedAt = Date.now()
  let released = false
  const release = () => {
    if (released) return
    released = true
    other.run('ROLLBACK')
    other.close()
  }
  try {
    const event = fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello patient' })
    fake.sendEvent(event)
    const answers: { status: number; ms: number }[] = []
    while (Date.now() - lockedAt < 20_000) {
      const t = Date.now()
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
        signal: AbortSignal.timeout(5000),
      })
      answers.push({ status: res.status, ms: Date.now() - t })
      await Bun.sleep(1000)
    }
    release()
    expect(answers.length).toBeGreaterThanOrEqual(10)
    expect(answers.filter((a) => a.ms >= 1000)).toEqual([])
    // The socket never dropped: no reconnect, no second connection.
    const during = s.bot.out.stderr.slice(stderrBefore)
    expect(during).not.toMatch(/event=slack\.(reconnecting|disconnected)/)
    expect(fake.callsOf('apps.connections.open').length).toBe(opensBefore)
    // Nothing lost: the mention runs once the lock is gone (from a redelivery, if it had to wait).
    await fake.waitFor(
      () => fake.messages.find((m) => m.thread_ts === event.ts && m.text === 'Hello, patient!'),
      20_000,
      'the report',
    )
    expect(s.query<{ n: number }>('select count(*) as n from runs')[0]!.n).toBe(1)
  } finally {
    release()
  }
}, 90_000)
