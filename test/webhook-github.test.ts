// POST /github/<project> through app.request() against a real bot context (SQLite file,
// dispatcher, real job processes): each answer is checked with how many requests it queued.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { addSuppression } from '../src/queue/suppress.ts'
import { scheduleDelivery } from '../src/webhooks/github-schedule.ts'
import { createWebhookApp } from '../src/webhooks/index.ts'
import { delivery, newDeliveryId, pullRequest, push } from './support/github.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { sqliteOf } from './support/sqlite-of.ts'

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  site:
    default_channel: '#site'
    jobs:
      deploy:
        run: printf '%s' [branch] > deployed.txt; echo deployed [branch]
        report_stdout: true
      later:
        run: echo later [branch]
      prod:
        run: echo prod [branch]
        confirm: true
      notes:
        run: echo Release [tag] was published by [author]
        report_stdout: true
    commands:
      - {pattern: 'suppress later from [start] to [end]', action: schedule_suppression, job: later}
      - {pattern: unsuppress later, action: cancel_suppression, job: later}
github:
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: main, namespace: site, job: deploy, params: {branch: pull_request.head.ref}, channel: '#deploys'}
        - {event: pull_request, action: closed, merged: true, base_branch: staging, namespace: site, job: later, params: {branch: pull_request.head.ref}, delay_seconds: 60}
        - {event: pull_request, action: closed, merged: true, base_branch: production, namespace: site, job: prod, params: {branch: pull_request.head.ref}}
        - {event: release, action: published, namespace: site, job: notes, params: {tag: release.tag_name, author: release.author.login}, channel: '#releases'}
    legacy:
      secret_env: LEGACY_SECRET
      allow_sha1: true
      body_limit: 2KiB
      triggers:
        - {event: push, ref: refs/heads/main, namespace: site, job: later, params: {branch: ref}}
`
const SECRETS = { GITHUB_WEBHOOK_SECRET: 'gh-secret', LEGACY_SECRET: 'legacy-secret-value' }

let h: Harness
let app: ReturnType<typeof createWebhookApp>
const setup = async (env: Record<string, string> = SECRETS) => {
  h = await startHarness(YAML, env)
  app = createWebhookApp(h.ctx)
}
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

const rows = () =>
  (sqliteOf(h.ctx).sqlite.query('select count(*) as n from runs').get() as { n: number }).n
const post = async (project: string, init: RequestInit) => {
  const res = await app.request(`/github/${project}`, init)
  return {
    status: res.status,
    body: (await res.json()) as {
      outcome: string
      reason?: string
      runs?: { run: number; job: string; replaced_pending?: boolean }[]
    },
  }
}

describe('a matching delivery', () => {
  test('a merged PR into main runs the job for real, with a hostile branch name passed literally, and reports to the channel', async () => {
    await setup()
    const dir = tempDir()
    const branch = `x;touch ${dir}/pwned $(touch ${dir}/pwned2)`
    const r = await post('site', await delivery(pullRequest({ head: branch, login: 'alice' })))
    expect(r).toMatchObject({
      status: 200,
      body: { outcome: 'queued', runs: [{ run: 1, job: 'site_deploy' }] },
    })
    expect(rows()).toBe(1)
    const run = await h.waitForState(1, ['succeeded', 'failed'])
    expect(run).toMatchObject({
      state: 'succeeded',
      door: 'github',
      requestedBy: 'github:alice',
      channel: '#deploys',
      threadTs: null,
      params: { branch },
    })
    expect(run.requestText).toMatch(/^GitHub pull_request closed for site \(delivery .+\)$/)
    expect(readFileSync(join(h.ctx.config.namespaces.site!.workdir, 'deployed.txt'), 'utf8')).toBe(
      branch,
    )
    expect(existsSync(join(dir, 'pwned'))).toBe(false)
    expect(existsSync(join(dir, 'pwned2'))).toBe(false)
    const report = await h.waitForMessage((m) => m.purpose === 'report')
    expect(report).toMatchObject({
      channel: '#deploys',
      threadTs: null,
      text: `deployed ${branch}`,
    })
  })

  test('merges within the delay share one pending request at the earliest due time', async () => {
    await setup()
    const first = await post('site', await delivery(pullRequest({ base: 'staging', head: 'a' })))
    const second = await post('site', await delivery(pullRequest({ base: 'staging', head: 'b' })))
    expect(first.body.runs).toEqual([expect.objectContaining({ run: 1, job: 'site_later' })])
    expect(second.body.runs).toEqual([expect.objectContaining({ run: 1, replaced_pending: true })])
    expect(rows()).toBe(1)
    const pending = sqliteOf(h.ctx)
      .sqlite.query('select params, due_at, queued_at from runs')
      .get() as { params: string; due_at: number; queued_at: number }
    expect(JSON.parse(pending.params)).toEqual({ branch: 'b' })
    expect(pending.due_at - pending.queued_at).toBeLessThanOrEqual(60_000)
  })

  test('a suppressed job is still queued (held) and the channel is told how to lift it', async () => {
    await setup()
    const now = Date.now()
    addSuppression(sqliteOf(h.ctx).db, now, 'site_later', now - 60_000, now + 3_600_000, 'U1')
    const r = await post('site', await delivery(pullRequest({ base: 'staging' })))
    expect(r.status).toBe(200)
    expect(rows()).toBe(1)
    const notice = await h.waitForMessage((m) => m.purpose === 'notice' && m.channel === '#site')
    expect(notice.text).toContain('`site_later` runs are suppressed until')
    expect(notice.text).toContain('lift the suppression with `site unsuppress later`')
  })

  test('a trigger for a confirm job asks for approval in the channel and starts nothing until then', async () => {
    await setup()
    const r = await post(
      'site',
      await delivery(pullRequest({ base: 'production', head: 'release-1' })),
    )
    expect(r).toMatchObject({
      status: 200,
      body: { outcome: 'queued', runs: [{ run: 1, job: 'site_prod' }] },
    })
    const prompt = await h.waitForMessage((m) => m.channel === '#site' && !!m.controls)
    expect(prompt.text).toContain('`site_prod` (run 1) needs approval')
    expect(prompt.controls?.buttons.map((b) => b.action)).toContain('approve')
    await Bun.sleep(300)
    expect(sqliteOf(h.ctx).sqlite.query('select state, approval from runs').get()).toEqual({
      state: 'awaiting_approval',
      approval: 'required',
    })
  })

  test('the legacy project: its own secret variable, SHA-1 allowed, trailing slash accepted', async () => {
    await setup()
    const body = JSON.stringify(push('refs/heads/main'))
    const sha1 = `sha1=${createHmac('sha1', SECRETS.LEGACY_SECRET).update(body).digest('hex')}`
    const init = await delivery(null, {
      event: 'push',
      raw: body,
      secret: null,
      headers: { 'x-hub-signature': sha1 },
    })
    expect((await post('legacy/', init)).status).toBe(200)
    expect(rows()).toBe(1)
    // The global secret is not this project's.
    expect(
      (await post('legacy', await delivery(push('refs/heads/main'), { event: 'push' }))).status,
    ).toBe(401)
    expect(rows()).toBe(1)
  })
})

// A release delivery shaped like GitHub's (the fields a trigger may read, and a few around them).
const release = (action: string, tag = 'v2.3.0') => ({
  action,
  release: {
    tag_name: tag,
    name: `Version ${tag}`,
    draft: false,
    prerelease: false,
    author: { login: 'alice' },
    html_url: `https://github.com/acme/site/releases/tag/${tag}`,
  },
  repository: { full_name: 'acme/site' },
  sender: { login: 'bob' },
})

describe('release triggers', () => {
  test("a published release runs its job with the tag and author from the payload, reported to the trigger's channel", async () => {
    await setup()
    const r = await post('site', await delivery(release('published'), { event: 'release' }))
    expect(r).toMatchObject({
      status: 200,
      body: { outcome: 'queued', runs: [{ run: 1, job: 'site_notes' }] },
    })
    expect(rows()).toBe(1)
    const run = await h.waitForState(1, ['succeeded', 'failed'])
    expect(run).toMatchObject({
      state: 'succeeded',
      door: 'github',
      channel: '#releases',
      params: { tag: 'v2.3.0', author: 'alice' },
    })
    expect(run.requestText).toMatch(/^GitHub release published for site \(delivery .+\)$/)
    const report = await h.waitForMessage((m) => m.purpose === 'report')
    expect(report).toMatchObject({
      channel: '#releases',
      text: 'Release v2.3.0 was published by alice',
    })
  })

  test.each(['created', 'prereleased', 'edited', 'deleted'])(
    'a release %s is answered 202 with the reason and queues nothing',
    async (action) => {
      await setup()
      const r = await post('site', await delivery(release(action), { event: 'release' }))
      expect(r).toMatchObject({ status: 202, body: { outcome: 'ignored' } })
      expect(r.body.reason).toBe(
        `trigger 3 (release -> site_notes): action is "${action}", trigger wants published`,
      )
      expect(rows()).toBe(0)
    },
  )
})

describe('deliveries that queue nothing', () => {
  const big = 'x'.repeat(6 * 1024 * 1024)
  test.each([
    [
      'a closed, unmerged PR',
      'site',
      () => delivery(pullRequest({ merged: false })),
      202,
      'ignored',
    ],
    [
      'a PR merged into another branch',
      'site',
      () => delivery(pullRequest({ base: 'develop' })),
      202,
      'ignored',
    ],
    [
      'another event',
      'site',
      () => delivery(push('refs/heads/main'), { event: 'push' }),
      202,
      'ignored',
    ],
    [
      'ping',
      'site',
      () => delivery({ zen: 'Keep it logically awesome.', hook_id: 1 }, { event: 'ping' }),
      200,
      'ping',
    ],
    [
      'a bad signature',
      'site',
      () => delivery(pullRequest(), { secret: 'not-the-secret' }),
      401,
      'unauthorized',
    ],
    [
      'a missing signature',
      'site',
      () => delivery(pullRequest(), { secret: null }),
      401,
      'unauthorized',
    ],
    [
      'a signed body altered in transit',
      'site',
      async () => ({
        ...(await delivery(pullRequest())),
        body: JSON.stringify(pullRequest({ head: 'evil' })),
      }),
      401,
      'unauthorized',
    ],
    ['an unknown project', 'nope', () => delivery(pullRequest()), 404, 'unknown_project'],
    [
      'a project named like an Object property',
      'constructor',
      () => delivery(pullRequest()),
      404,
      'unknown_project',
    ],
    [
      'a body over the limit (Content-Length)',
      'site',
      () => delivery(null, { raw: big }),
      413,
      'too_large',
    ],
    [
      "a body over a project's own limit",
      'legacy',
      () =>
        delivery(push('refs/heads/main'), {
          event: 'push',
          raw: JSON.stringify({ ...push('refs/heads/main'), pad: 'x'.repeat(3000) }),
        }),
      413,
      'too_large',
    ],
    [
      'malformed JSON',
      'site',
      () => delivery(null, { raw: '{"action": "closed", ' }),
      400,
      'bad_json',
    ],
    [
      'a form-encoded body',
      'site',
      () => delivery(null, { raw: `payload=${encodeURIComponent(JSON.stringify(pullRequest()))}` }),
      400,
      'bad_json',
    ],
    [
      'a branch name with a newline',
      'site',
      () => delivery(pullRequest({ head: 'x\ntouch /tmp/p' })),
      422,
      'refused',
    ],
    [
      'no delivery id',
      'site',
      () => delivery(pullRequest(), { headers: { 'x-github-delivery': '' } }),
      400,
      'bad_request',
    ],
  ] as const)('%s', async (_, project, init, status, outcome) => {
    await setup()
    const r = await post(project, await init())
    expect(r.status).toBe(status)
    expect(r.body.outcome).toBe(outcome)
    expect(rows()).toBe(0)
  })

  test('a body streamed without Content-Length is cut off at the limit', async () => {
    await setup()
    const init = await delivery(pullRequest())
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull: (c) => (sent++ < 10_000 ? c.enqueue(new Uint8Array(64 * 1024).fill(32)) : c.close()),
    })
    const res = await app.request('/github/site', { ...init, body, duplex: 'half' } as RequestInit)
    expect(res.status).toBe(413)
    expect(sent).toBeLessThan(100) // stopped near 5 MiB, not after the whole 625 MiB
    expect(rows()).toBe(0)
  })

  test('no secret configured: 401, and the log says which variable is missing', async () => {
    await setup({})
    expect((await post('site', await delivery(pullRequest()))).status).toBe(401)
    expect(rows()).toBe(0)
    expect(
      h.logLines.some(
        (l) => l.includes('event=github.no_secret') && l.includes('variable=GITHUB_WEBHOOK_SECRET'),
      ),
    ).toBe(true)
  })
})

describe('redeliveries', () => {
  test('the same delivery id again is answered 200 and queues nothing', async () => {
    await setup()
    const id = newDeliveryId()
    expect(
      (await post('site', await delivery(pullRequest({ base: 'staging' }), { id }))).body.outcome,
    ).toBe('queued')
    const again = await post(
      'site',
      await delivery(pullRequest({ base: 'staging', head: 'other' }), { id }),
    )
    expect(again).toMatchObject({ status: 200, body: { outcome: 'duplicate' } })
    expect(rows()).toBe(1)
    expect(
      JSON.parse(
        (sqliteOf(h.ctx).sqlite.query('select params from runs').get() as { params: string })
          .params,
      ),
    ).toEqual({ branch: 'feature/x' })
  })

  test('a redelivery after a refusal is processed (only accepted deliveries are recorded)', async () => {
    await setup()
    const id = newDeliveryId()
    expect(
      (
        await post(
          'site',
          await delivery(pullRequest({ base: 'staging' }), { id, secret: 'wrong' }),
        )
      ).status,
    ).toBe(401)
    expect(
      (await post('site', await delivery(pullRequest({ base: 'staging' }), { id, raw: '{' })))
        .status,
    ).toBe(400)
    expect(
      (await post('site', await delivery(pullRequest({ base: 'staging' }), { id }))).body.outcome,
    ).toBe('queued')
    expect(rows()).toBe(1)
  })

  test('two copies sent together: one queues, the other is a duplicate', async () => {
    await setup()
    const init = await delivery(pullRequest({ base: 'staging' }))
    const both = await Promise.all([post('site', init), post('site', { ...init })])
    expect(both.map((r) => `${r.status} ${r.body.outcome}`).sort()).toEqual([
      '200 duplicate',
      '200 queued',
    ])
    expect(rows()).toBe(1)
  })

  test('deliveries sent together whose COMMIT fails all get 503 and store nothing; redelivered, each is queued', async () => {
    await setup()
    const db = sqliteOf(h.ctx).sqlite
    // A deferred foreign key fails at COMMIT, as a disk that fills up there would.
    db.run('CREATE TABLE trap_parent (id INTEGER PRIMARY KEY)')
    db.run('CREATE TABLE trap (p INTEGER REFERENCES trap_parent(id) DEFERRABLE INITIALLY DEFERRED)')
    db.run('CREATE TRIGGER trap_seen AFTER INSERT ON seen BEGIN INSERT INTO trap VALUES (1); END')
    const inits = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) => delivery(pullRequest({ base: 'staging', head: `f${i}` }))),
    )
    const refused = await Promise.all(inits.map((init) => post('site', init)))
    expect(refused.map((r) => `${r.status} ${r.body.outcome}`)).toEqual(Array(6).fill('503 error'))
    expect(rows()).toBe(0)
    db.run('DROP TRIGGER trap_seen')
    const again = await Promise.all(inits.map((init) => post('site', { ...init })))
    expect(again.map((r) => r.body.outcome)).toEqual(Array(6).fill('queued'))
    expect(rows()).toBe(1) // one pending request of the type, updated by each
  })

  test('a copy that passed the early check but lost the race is rolled back whole', async () => {
    await setup()
    const site = h.ctx.config.github!.projects.site!
    const fired = (branch: string) => [{ trigger: site.triggers[1]!, params: { branch } }]
    const d = {
      project: 'site',
      id: newDeliveryId(),
      bodyDigest: 'digest-of-the-body',
      replayWindowMs: 3600_000,
      event: 'pull_request',
      requester: 'github:octocat',
    }
    expect((await scheduleDelivery(h.ctx, d, fired('first'))).kind).toBe('queued')
    // The same id again, straight to the transaction (as if both had passed deliveryRun at once).
    expect(await scheduleDelivery(h.ctx, d, fired('second'))).toEqual({
      kind: 'duplicate',
      of: 'delivery',
    })
    expect(rows()).toBe(1)
    // Its update of the pending request was undone with it.
    expect(
      JSON.parse(
        (sqliteOf(h.ctx).sqlite.query('select params from runs').get() as { params: string })
          .params,
      ),
    ).toEqual({ branch: 'first' })
  })
})

test('access log lines and metrics: outcomes counted per project, no secret, signature or body logged', async () => {
  await setup()
  await post('site', await delivery(pullRequest({ base: 'staging', head: 'secret-branch-name' })))
  await post('site', await delivery(pullRequest(), { secret: 'wrong' }))
  await post('site', await delivery(pullRequest(), { secret: 'wrong' }))
  await post('nope', await delivery(pullRequest()))
  const m = h.ctx.metrics.webhookRequests
  expect(m.get({ project: 'site', outcome: 'queued' })).toBe(1)
  expect(m.get({ project: 'site', outcome: 'unauthorized' })).toBe(2)
  expect(m.get({ project: '(unknown)', outcome: 'unknown_project' })).toBe(1)
  const access = h.logLines.filter((l) => l.includes('event=http.request'))
  expect(access).toHaveLength(4)
  expect(access[0]).toMatch(
    /method=POST path=\/github\/site status=200 ms=[\d.]+ outcome=queued delivery=\S+ github_event=pull_request/,
  )
  const all = h.logLines.join('\n')
  for (const s of ['gh-secret', 'sha256=', 'secret-branch-name', 'legacy-secret-value'])
    expect(all).not.toContain(s)
})
