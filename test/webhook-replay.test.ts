// A captured signed GitHub delivery sent again: the signature covers only the body, so a new
// X-GitHub-Delivery header must not make it a new event. The same body within the replay window
// is a duplicate and queues nothing; after the window, or with any byte changed, it is new.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { createWebhookApp } from '../src/webhooks/index.ts'
import { delivery, pullRequest } from './support/github.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { sqliteOf } from './support/sqlite-of.ts'
import { cleanupTemp } from './support/temp.ts'

const YAML = (window = '') => `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  site:
    default_channel: '#site'
    jobs:
      deploy: {run: "echo deployed [branch]"}
github:
  ${window}
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: main, namespace: site, job: deploy, params: {branch: pull_request.head.ref}}
    other:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: main, namespace: site, job: deploy, params: {branch: pull_request.head.ref}}
`

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

const requests = () =>
  (sqliteOf(h!.ctx).sqlite.query('select count(*) as n from runs').get() as { n: number }).n
const send = async (
  app: ReturnType<typeof createWebhookApp>,
  init: RequestInit,
  project = 'site',
) => {
  const res = await app.request(`/github/${project}`, init)
  return { status: res.status, ...((await res.json()) as { outcome: string; reason?: string }) }
}

describe('replayed deliveries', () => {
  test('the same signed body under a new X-GitHub-Delivery is a duplicate and queues nothing', async () => {
    h = await startHarness(YAML(), { GITHUB_WEBHOOK_SECRET: 'gh-secret' })
    const app = createWebhookApp(h.ctx)
    const body = JSON.stringify(pullRequest({ head: 'release-1' }))
    expect((await send(app, await delivery(null, { raw: body }))).outcome).toBe('queued')
    // The pending request is taken by the dispatcher or not: either way one request exists.
    const replays = []
    for (let i = 0; i < 20; i++) replays.push(await send(app, await delivery(null, { raw: body })))
    expect(new Set(replays.map((r) => `${r.status} ${r.outcome}`))).toEqual(
      new Set(['200 duplicate']),
    )
    expect(replays[0]!.reason).toContain('a replay')
    expect(requests()).toBe(1)
    expect(h.logLines.some((l) => l.includes('event=github.replay'))).toBe(true)
  })

  test('a body differing in one byte is a new event; the same body to another project is too', async () => {
    h = await startHarness(YAML(), { GITHUB_WEBHOOK_SECRET: 'gh-secret' })
    const app = createWebhookApp(h.ctx)
    const body = JSON.stringify(pullRequest({ head: 'release-1' }))
    expect((await send(app, await delivery(null, { raw: body }))).outcome).toBe('queued')
    expect((await send(app, await delivery(null, { raw: `${body} ` }))).outcome).toBe('queued')
    expect((await send(app, await delivery(null, { raw: body }), 'other')).outcome).toBe('queued')
  })

  test('after github.replay_window the same body counts as new again', async () => {
    h = await startHarness(YAML('replay_window: 10m'), { GITHUB_WEBHOOK_SECRET: 'gh-secret' })
    const app = createWebhookApp(h.ctx)
    const body = JSON.stringify(pullRequest({ head: 'release-1' }))
    expect((await send(app, await delivery(null, { raw: body }))).outcome).toBe('queued')
    expect((await send(app, await delivery(null, { raw: body }))).outcome).toBe('duplicate')
    const later = Date.now() + 10 * 60_000 + 1
    h.ctx.now = () => later
    expect((await send(app, await delivery(null, { raw: body }))).outcome).toBe('queued')
  })
})
