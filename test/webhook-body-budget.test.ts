// The web server holds at most settings.webhook_bytes_in_flight of request bodies at once, across
// all requests: a flood of large unauthenticated bodies gets 503s instead of the bot's memory,
// and the budget comes back as each request is answered.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { createWebhookApp } from '../src/webhooks/index.ts'
import { sqliteOf } from './support/sqlite-of.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

const MB = 1024 * 1024
const YAML = `
settings: {webhook_bytes_in_flight: 4MiB}
namespaces:
  site:
    default_channel: '#site'
    jobs:
      deploy: {run: echo deployed}
github:
  body_limit: 25MiB
  projects:
    site:
      triggers:
        - {event: push, namespace: site, job: deploy}
`

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

/** A body sent 1 MB at a time, `mb` of them, then held open until `finish()`. */
function slowBody(mb: number) {
  let sent = 0
  let finish!: () => void
  const done = new Promise<void>((r) => (finish = r))
  const body = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (sent < mb) {
        sent++
        ctl.enqueue(new Uint8Array(MB).fill(97))
        return
      }
      await done
      ctl.close()
    },
  })
  return { body, finish, sent: () => sent }
}

const post = (
  app: ReturnType<typeof createWebhookApp>,
  body: ReadableStream<Uint8Array> | Uint8Array,
  headers = {},
) =>
  app.request('/github/site', {
    method: 'POST',
    body,
    headers: { 'x-github-event': 'push', 'x-github-delivery': crypto.randomUUID(), ...headers },
    duplex: 'half',
  } as RequestInit)

test('bodies in flight past webhook_bytes_in_flight get 503 with Retry-After; the budget returns once answered', async () => {
  h = await startHarness(YAML, { GITHUB_WEBHOOK_SECRET: 'shh' })
  const app = createWebhookApp(h.ctx)
  // A holds 3 MB of its body and keeps the connection open.
  const a = slowBody(3)
  const first = post(app, a.body)
  await waitUntil('3 MB of the first body read', () => a.sent() === 3)
  await Bun.sleep(50)

  // B streams: its second megabyte would pass the 4 MB budget.
  const b = slowBody(3)
  const second = await post(app, b.body)
  expect(second.status).toBe(503)
  expect(second.headers.get('retry-after')).toBe('5')
  expect(((await second.json()) as { outcome: string }).outcome).toBe('busy')
  expect(b.sent()).toBeLessThanOrEqual(3)

  // C declares 2 MB up front: refused before a byte is read.
  const third = await post(app, new Uint8Array(2 * MB), { 'content-length': String(2 * MB) })
  expect(third.status).toBe(503)

  // A finishes and is answered (unsigned: 401); its bytes return to the budget.
  a.finish()
  expect((await first).status).toBe(401)
  const fourth = await post(app, new Uint8Array(3 * MB))
  expect(fourth.status).toBe(401) // judged on its signature, not refused for room
  expect(sqliteOf(h.ctx).sqlite.query('select count(*) as n from runs').get()).toEqual({ n: 0 })
})
