// End to end: `ebmbot serve` as a real child process, driven over loopback with deliveries signed
// by @octokit/webhooks-methods. Every answer is checked with the queue's row count; a merged PR
// runs a real job that reports to its channel; a job posts to its callback URL; /healthz and
// /metrics describe what happened.
import { Database } from 'bun:sqlite'
import { afterAll, expect, test } from 'bun:test'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { signCallbackToken } from '../src/dispatcher/callback-token.ts'
import { botEnv, runBot, startBot } from './support/bot.ts'
import { delivery, freePort, newDeliveryId, pullRequest, push } from './support/github.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s, shutdown_grace: 2s}
namespaces:
  site:
    default_channel: '#site'
    workdir: work
    jobs:
      deploy:
        run: printf '%s' [branch] > deployed.txt; echo deployed [branch]
        report_stdout: true
      progress:
        run: printf '%s' "$EBMBOT_CALLBACK_URL" > url.tmp; mv url.tmp url; while [ ! -e go ]; do sleep 0.05; done
        callback: true
        timeout: 30s
github:
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: main, namespace: site, job: deploy, params: {branch: pull_request.head.ref}, channel: '#deploys'}
        - {event: pull_request, action: closed, merged: true, base_branch: cb, namespace: site, job: progress}
`
const SECRET = 'gh-webhook-secret-value'
const CALLBACK_KEY = 'callback-key-value'

test('ebmbot serve answers GitHub, runs the job, takes callbacks, reports health and metrics', async () => {
  const dir = tempDir()
  const state = join(dir, 'state')
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const config = writeConfig(dir, YAML)
  const env = botEnv(state, {
    WEBHOOK_PORT: String(port),
    WEBHOOK_ORIGIN: base,
    GITHUB_WEBHOOK_SECRET: SECRET,
    EBMBOT_WEBHOOK_SECRET: CALLBACK_KEY,
  })
  const bot = startBot(['serve', '--config', config], { env })
  try {
    await waitUntil(
      'the web server',
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        ),
      15_000,
    )
    const query = <T>(q: string): T[] => {
      const db = new Database(join(state, 'ebmbot.db'), { readonly: true })
      try {
        return db.query(q).all() as T[]
      } finally {
        db.close()
      }
    }
    const rows = () => query<{ n: number }>('select count(*) as n from runs')[0]!.n
    const send = async (project: string, init: RequestInit) => {
      const res = await fetch(`${base}/github/${project}`, init)
      return {
        status: res.status,
        body: (await res.json()) as { outcome: string; runs?: { run: number }[] },
      }
    }

    // Refusals and non-matches: each answered, none queued.
    const none: [string, string, RequestInit, number][] = [
      ['bad signature', 'site', await delivery(pullRequest(), { secret: 'wrong' }), 401],
      ['missing signature', 'site', await delivery(pullRequest(), { secret: null }), 401],
      ['wrong project', 'elsewhere', await delivery(pullRequest(), { secret: SECRET }), 404],
      [
        'oversized body',
        'site',
        await delivery(null, { secret: SECRET, raw: 'x'.repeat(6 * 1024 * 1024) }),
        413,
      ],
      ['malformed JSON', 'site', await delivery(null, { secret: SECRET, raw: '{"action":' }), 400],
      [
        'unmerged PR',
        'site',
        await delivery(pullRequest({ merged: false }), { secret: SECRET }),
        202,
      ],
      [
        'other branch',
        'site',
        await delivery(pullRequest({ base: 'develop' }), { secret: SECRET }),
        202,
      ],
      [
        'other event',
        'site',
        await delivery(push('refs/heads/main'), { event: 'push', secret: SECRET }),
        202,
      ],
      [
        'ping',
        'site',
        await delivery({ zen: 'Practicality beats purity.' }, { event: 'ping', secret: SECRET }),
        200,
      ],
    ]
    for (const [what, project, init, status] of none) {
      const r = await send(project, init)
      expect(`${what}: ${r.status}, ${rows()} queued`).toBe(`${what}: ${status}, 0 queued`)
    }

    // A merged PR into main: queued once, run as a real process with the branch passed literally.
    const branch = `x;touch ${dir}/pwned`
    const id = newDeliveryId()
    const merged = await send(
      'site',
      await delivery(pullRequest({ head: branch }), { secret: SECRET, id }),
    )
    expect(merged).toMatchObject({ status: 200, body: { outcome: 'queued', runs: [{ run: 1 }] } })
    expect(rows()).toBe(1)
    const again = await send(
      'site',
      await delivery(pullRequest({ head: branch }), { secret: SECRET, id }),
    )
    expect(again).toMatchObject({ status: 200, body: { outcome: 'duplicate' } })
    expect(rows()).toBe(1)
    await waitUntil(
      'run 1 to succeed',
      () =>
        query<{ state: string }>('select state from runs where id = 1')[0]?.state === 'succeeded',
    )
    expect(readFileSync(join(dir, 'work', 'deployed.txt'), 'utf8')).toBe(branch)
    expect(existsSync(join(dir, 'pwned'))).toBe(false)
    const report = await waitUntil('the report in #deploys', () =>
      query<{ payload: string }>("select payload from outbox where door = 'slack' and run_id = 1")
        .map((r) => JSON.parse(r.payload))
        .find((p) => p.purpose === 'report'),
    )
    expect(report).toMatchObject({
      channel: '#deploys',
      threadTs: null,
      text: `deployed ${branch}`,
    })

    // A callback job: its URL (from WEBHOOK_ORIGIN) posts into its channel; bad tokens are refused.
    expect(
      (await send('site', await delivery(pullRequest({ base: 'cb' }), { secret: SECRET }))).status,
    ).toBe(200)
    await waitUntil('the callback URL', () => existsSync(join(dir, 'work', 'url')))
    const url = readFileSync(join(dir, 'work', 'url'), 'utf8')
    expect(url).toStartWith(`${base}/callbacks/2/`)
    const callback = (to: string, body: string) =>
      fetch(to, { method: 'POST', body, headers: { 'content-type': 'text/plain' } }).then(
        (r) => r.status,
      )
    expect(await callback(url, 'smoke test at 50%')).toBe(200)
    expect(
      await callback(
        url.slice(0, -5) + (url.at(-5) === 'a' ? 'b' : 'a') + url.slice(-4),
        'tampered',
      ),
    ).toBe(403)
    expect(
      await callback(
        `${base}/callbacks/2/${signCallbackToken(CALLBACK_KEY, 2, Date.now() - 1000)}`,
        'expired',
      ),
    ).toBe(403)
    expect(await callback(`${base}/callbacks/1/${url.split('/').at(-1)}`, 'other run')).toBe(403)
    const posts = () =>
      query<{ payload: string }>(
        'select payload from outbox where run_id = 2 and payload like \'%"purpose":"reply"%\'',
      ).map((r) => JSON.parse(r.payload))
    await waitUntil('the callback post', () => posts().length > 0)
    expect(posts()).toEqual([
      {
        kind: 'message',
        purpose: 'reply',
        channel: '#site',
        threadTs: null,
        text: 'smoke test at 50%',
      },
    ])
    writeFileSync(join(dir, 'work', 'go'), '')
    await waitUntil(
      'run 2 to finish',
      () =>
        query<{ state: string }>('select state from runs where id = 2')[0]?.state === 'succeeded',
    )
    expect(await callback(url, 'after the end')).toBe(403)
    expect(posts()).toHaveLength(1)

    // /healthz flips to 503 while the database file is gone, and back.
    const dbFile = join(state, 'ebmbot.db')
    renameSync(dbFile, `${dbFile}.away`)
    const down = await fetch(`${base}/healthz`)
    renameSync(`${dbFile}.away`, dbFile)
    expect(down.status).toBe(503)
    expect(
      ((await down.json()) as { checks: { database: { ok: boolean } } }).checks.database.ok,
    ).toBe(false)
    expect((await fetch(`${base}/healthz`)).status).toBe(200)

    // /metrics counts what this test did.
    const metrics = (await (await fetch(`${base}/metrics`)).text()).split('\n')
    for (const line of [
      'ebmbot_webhook_requests_total{project="site",outcome="queued"} 2',
      'ebmbot_webhook_requests_total{project="site",outcome="duplicate"} 1',
      'ebmbot_webhook_requests_total{project="site",outcome="unauthorized"} 2',
      'ebmbot_webhook_requests_total{project="(unknown)",outcome="unknown_project"} 1',
      'ebmbot_webhook_requests_total{project="site",outcome="too_large"} 1',
      'ebmbot_webhook_requests_total{project="site",outcome="bad_json"} 1',
      'ebmbot_webhook_requests_total{project="site",outcome="ignored"} 3',
      'ebmbot_webhook_requests_total{project="site",outcome="ping"} 1',
      'ebmbot_runs_finished_total{job="site_deploy",state="succeeded"} 1',
      'ebmbot_runs_finished_total{job="site_progress",state="succeeded"} 1',
      'ebmbot_run_duration_seconds_count{job="site_deploy"} 1',
      'ebmbot_jobs_queued 0',
      'ebmbot_jobs_running 0',
    ]) {
      expect(metrics).toContain(line)
    }
    expect((await fetch(`${base}/nowhere`)).status).toBe(404)
  } finally {
    bot.proc.kill('SIGTERM')
    expect(await bot.proc.exited).toBe(0)
  }
  // Access log lines, but no secret, signature or callback token in any log line.
  expect(bot.out.stderr).toContain('event=webhooks.listening')
  expect(bot.out.stderr).toMatch(/event=http.request method=POST path=\/github\/site status=401/)
  for (const secret of [SECRET, CALLBACK_KEY, 'sha256='])
    expect(bot.out.stderr).not.toContain(secret)
  expect(bot.out.stderr).not.toMatch(/\/callbacks\/2\/\d+\./)
}, 40_000)

test('callback jobs without WEBHOOK_ORIGIN: serve refuses to start (exit 2), naming the job', async () => {
  const dir = tempDir()
  const config = writeConfig(dir, YAML)
  const r = await runBot(['serve', '--config', config], {
    env: botEnv(join(dir, 'state'), {
      WEBHOOK_PORT: String(await freePort()),
      GITHUB_WEBHOOK_SECRET: SECRET,
    }),
  })
  expect(r.code).toBe(2)
  expect(r.stderr).toContain(
    `${config}: namespaces.site.jobs.progress.callback: callback jobs need WEBHOOK_ORIGIN`,
  )
})

test('with no GitHub projects, callback jobs or WEBHOOK_* settings, serve opens no port', async () => {
  const dir = tempDir()
  const config = writeConfig(dir, 'namespaces:\n  t:\n    jobs:\n      x: {run: "true"}\n')
  const bot = startBot(['serve', '--config', config], { env: botEnv(join(dir, 'state')) })
  try {
    await waitUntil('serve to be ready', () => bot.out.stderr.includes('event=serve.ready'))
    expect(bot.out.stderr).toMatch(/workers="?dispatcher[",\s]/)
    expect(bot.out.stderr).not.toContain('webhooks.listening')
  } finally {
    bot.proc.kill('SIGTERM')
    await bot.proc.exited
  }
})

test('SIGTERM stops taking deliveries before the running job is let finish: a delivery during the grace is not accepted and queues nothing', async () => {
  const dir = tempDir()
  const state = join(dir, 'state')
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const env = botEnv(state, {
    WEBHOOK_PORT: String(port),
    WEBHOOK_ORIGIN: base,
    GITHUB_WEBHOOK_SECRET: SECRET,
    EBMBOT_WEBHOOK_SECRET: CALLBACK_KEY,
  })
  const bot = startBot(
    [
      'serve',
      '--config',
      writeConfig(dir, YAML.replace('shutdown_grace: 2s', 'shutdown_grace: 20s')),
    ],
    { env },
  )
  await waitUntil(
    'the web server',
    () =>
      fetch(`${base}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      ),
    15_000,
  )
  const merged = async (base_ref: string) =>
    fetch(
      `${base}/github/site`,
      await delivery(pullRequest({ base: base_ref }), { secret: SECRET }),
    )
  expect((await merged('cb')).status).toBe(200) // the waiting `progress` job
  const work = join(dir, 'work')
  await waitUntil('the job to be running', () => existsSync(join(work, 'url')), 10_000)

  bot.proc.kill('SIGTERM')
  await waitUntil(
    'the web server to stop',
    () => bot.out.stderr.includes('event=webhooks.stopped'),
    10_000,
  )
  // The job is still going (it waits for `go`), so serve is inside its grace, and takes no delivery.
  const late = await merged('main').catch(() => null)
  expect(late?.status).toBeUndefined()
  writeFileSync(join(work, 'go'), '')
  expect(await bot.proc.exited).toBe(0)
  const db = new Database(join(state, 'ebmbot.db'), { readonly: true })
  try {
    expect(db.query('select job_type, state from runs').all()).toEqual([
      { job_type: 'site_progress', state: 'succeeded' },
    ])
  } finally {
    db.close()
  }
}, 40_000)
