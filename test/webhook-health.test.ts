// /healthz and /metrics through app.request(): each part's state, 503 when the database is gone
// or locked, when a startable request waits too long, or when a worker says it is unwell; metrics
// that count what happened.
import { Database } from 'bun:sqlite'
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { scheduleRequest } from '../src/queue/schedule.ts'
import { addSuppression } from '../src/queue/suppress.ts'
import { createWebhookApp } from '../src/webhooks/index.ts'
import { delivery, pullRequest } from './support/github.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'
import { canMountTmpfs } from './support/wrapped-bot.ts'
import { sqliteOf } from './support/sqlite-of.ts'

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  t:
    default_channel: '#t'
    jobs:
      hello: {run: 'echo hello [name]', report_stdout: true}
      # Runs until the test drops a go file, and takes it: one go lets exactly one run finish.
      gate: {run: 'until [ -e go ]; do sleep 0.05; done; rm go'}
    commands:
      - {pattern: 'hello [name]', job: hello}
      - {pattern: gate, job: gate}
github:
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, namespace: t, job: hello, params: {name: pull_request.head.ref}}
`

let h: Harness
let app: ReturnType<typeof createWebhookApp>
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

type Health = {
  ok: boolean
  checks: Record<string, { ok: boolean; detail?: Record<string, unknown> }>
}
const health = async () => {
  const res = await app.request('/healthz')
  return { status: res.status, body: (await res.json()) as Health }
}
const setup = async () => {
  h = await startHarness(YAML, { GITHUB_WEBHOOK_SECRET: 'gh-secret' })
  app = createWebhookApp(h.ctx)
}

describe('/check/, the Python ebmbot health route', () => {
  test('answers 200 "ok" with and without the trailing slash, beside /healthz', async () => {
    await setup()
    for (const path of ['/check/', '/check']) {
      const res = await app.request(path)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('ok')
    }
    expect((await health()).status).toBe(200)
  })
})

describe('/healthz', () => {
  test('all well: 200 with the database, queue and dispatcher', async () => {
    await setup()
    const r = await health()
    expect(r.status).toBe(200)
    expect(r.body.ok).toBe(true)
    expect(Object.keys(r.body.checks).sort()).toEqual([
      'database',
      'dispatcher',
      'instances',
      'logs_disk',
      'queue',
    ])
    // One instance: itself, untagged, just renewed.
    expect(r.body.checks.instances).toMatchObject({ ok: true, detail: { tags: [] } })
    expect(r.body.checks.queue).toEqual({
      ok: true,
      detail: { queued: 0, running: 0, lag_seconds: 0 },
    })
    expect(r.body.checks.logs_disk!.detail!.free_bytes).toBeGreaterThan(1024 * 1024)
  })

  // Mounting needs root; the tmpfs is mounted where only this test looks and is unmounted after.
  test.skipIf(!canMountTmpfs('here'))(
    'the logs disk full: 503 naming logs_disk and the room left; room again: 200',
    async () => {
      await setup()
      const logs = tempDir()
      expect(Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', logs]).exitCode).toBe(
        0,
      )
      try {
        h.ctx.logsDir = join(logs, 'not-made-yet') // measured on the filesystem that will hold it
        Bun.spawnSync(['bash', '-c', `head -c 5000000 /dev/zero > ${logs}/filler`])
        const r = await health()
        expect(r.status).toBe(503)
        expect(r.body.checks.logs_disk).toEqual({ ok: false, detail: { free_bytes: 0 } })
        rmSync(join(logs, 'filler'))
        expect((await health()).status).toBe(200)
      } finally {
        Bun.spawnSync(['umount', logs])
      }
    },
  )

  test('the database file gone: 503 naming the database; back again: 200', async () => {
    await setup()
    const file = sqliteOf(h.ctx).file
    renameSync(file, `${file}.moved`)
    try {
      const r = await health()
      expect(r.status).toBe(503)
      expect(r.body.checks.database!.ok).toBe(false)
      expect(String(r.body.checks.database!.detail!.error)).toMatch(/unable to open/i)
    } finally {
      renameSync(`${file}.moved`, file)
    }
    expect((await health()).status).toBe(200)
  })

  test('the database locked by another writer: 503 within a second, not a hung request', async () => {
    await setup()
    await h.dispatcher.stop(0) // its heartbeat would wait on the same lock in this very thread
    const other = new Database(sqliteOf(h.ctx).file)
    other.run('BEGIN IMMEDIATE')
    try {
      const started = Date.now()
      const r = await health()
      expect(r.status).toBe(503)
      expect(String(r.body.checks.database!.detail!.error)).toMatch(/locked|busy/i)
      expect(Date.now() - started).toBeLessThan(3000) // not the bot's 5 s busy timeout, nor hung
    } finally {
      other.run('ROLLBACK')
      other.close()
    }
    const after = await health()
    expect(after.body.checks.database!.ok).toBe(true)
  })

  test('a startable request overdue: 503 with the lag; one held by a suppression is not lag', async () => {
    await setup()
    await h.dispatcher.stop(0)
    const now = Date.now()
    const req = {
      namespace: 't',
      job: 'hello',
      jobType: 't_hello',
      door: 'slack' as const,
      requestedBy: 'U1',
      channel: 'C1',
      requestText: 't hello x',
      params: { name: 'x' },
      command: "echo hello 'x'",
      delaySeconds: 0,
    }
    scheduleRequest(sqliteOf(h.ctx).db, now - 120_000, req)
    const late = await health()
    expect(late.status).toBe(503)
    expect(late.body.checks.queue!.ok).toBe(false)
    expect(late.body.checks.queue!.detail!.lag_seconds as number).toBeGreaterThanOrEqual(120)
    expect(late.body.checks.dispatcher!.ok).toBe(false) // stopped, and it says so
    addSuppression(sqliteOf(h.ctx).db, now, 't_hello', now - 1000, now + 60_000, 'U1')
    expect((await health()).body.checks.queue).toMatchObject({
      ok: true,
      detail: { queued: 1, lag_seconds: 0 },
    })
  })

  test('a worker reporting trouble (e.g. Slack disconnected) makes it 503; a throwing check too', async () => {
    await setup()
    h.ctx.health.set('slack', () => ({ ok: false, detail: { connected: false } }))
    h.ctx.health.set('broken', () => {
      throw new Error('probe exploded')
    })
    const r = await health()
    expect(r.status).toBe(503)
    expect(r.body.checks.slack).toEqual({ ok: false, detail: { connected: false } })
    expect(r.body.checks.broken).toEqual({ ok: false, detail: { error: 'probe exploded' } })
    expect(r.body.checks.database!.ok).toBe(true)
  })
})

describe('/livez and /readyz', () => {
  const ready = async () => {
    const res = await app.request('/readyz')
    return { status: res.status, body: (await res.json()) as Health }
  }
  test('all well: /readyz is 200 with the database and the dispatcher, no Slack when unconfigured', async () => {
    await setup()
    const r = await ready()
    expect(r.status).toBe(200)
    expect(Object.keys(r.body.checks).sort()).toEqual(['database', 'dispatcher'])
    expect((await app.request('/livez')).status).toBe(200)
  })
  test('the database gone: /readyz is 503 naming it, while /livez still answers 200', async () => {
    await setup()
    const file = h.ctx.queue.location
    renameSync(file, `${file}.moved`)
    try {
      const r = await ready()
      expect(r.status).toBe(503)
      expect(r.body.checks.database!.ok).toBe(false)
      expect((await app.request('/livez')).status).toBe(200)
    } finally {
      renameSync(`${file}.moved`, file)
    }
  })
  test('the dispatcher stopped: /readyz is 503 naming it', async () => {
    await setup()
    await h.dispatcher.stop(0)
    const r = await ready()
    expect(r.status).toBe(503)
    expect(r.body.checks.dispatcher!.ok).toBe(false)
    expect(r.body.checks.database!.ok).toBe(true)
  })
  test('Slack configured but not connected yet: /readyz is 503; a lagging queue alone is not unready', async () => {
    h = await startHarness(YAML, { SLACK_APP_TOKEN: 'xapp-1', SLACK_BOT_TOKEN: 'xoxb-1' })
    app = createWebhookApp(h.ctx)
    let r = await ready()
    expect(r.status).toBe(503)
    expect(r.body.checks.slack).toEqual({
      ok: false,
      detail: { error: 'Slack connection not started' },
    })
    h.ctx.health.set('slack', () => ({ ok: true, detail: { connected: true } }))
    h.ctx.health.set('queue-lag-like', () => ({ ok: false }))
    r = await ready()
    expect(r.status).toBe(200)
  })
})

describe('/metrics', () => {
  test('Prometheus text that counts runs, durations, webhook requests and the queue', async () => {
    await setup()
    const { runId } = await h.say('t hello world')
    await h.waitForState(runId!, ['succeeded'])
    const res = await app.request('/github/site', await delivery(pullRequest({ head: 'gh' })))
    expect(res.status).toBe(200)
    await h.waitForState(2, ['succeeded'])
    await app.request('/github/site', await delivery(pullRequest(), { secret: 'wrong' }))
    await app.request('/github/zzz', await delivery(pullRequest()))

    const m = await app.request('/metrics')
    expect(m.status).toBe(200)
    expect(m.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
    const text = await m.text()
    for (const line of [
      'ebmbot_runs_finished_total{job="t_hello",state="succeeded"} 2',
      'ebmbot_run_duration_seconds_count{job="t_hello"} 2',
      'ebmbot_webhook_requests_total{project="site",outcome="queued"} 1',
      'ebmbot_webhook_requests_total{project="site",outcome="unauthorized"} 1',
      'ebmbot_webhook_requests_total{project="(unknown)",outcome="unknown_project"} 1',
      '# TYPE ebmbot_jobs_queued gauge',
      'ebmbot_jobs_queued 0',
      'ebmbot_jobs_running 0',
      'ebmbot_dispatcher_lag_seconds 0',
    ]) {
      expect(text.split('\n')).toContain(line)
    }
  })
})

describe('/metrics about the bot itself', () => {
  test('build info, the outbox backlog with its oldest age, and process figures', async () => {
    await setup()
    // Nothing delivers door 'local' in this harness: a message stored a minute ago waits there.
    await h.ctx.queue.enqueueOutgoing(Date.now() - 60_000, 'local', [
      { kind: 'message', purpose: 'reply', channel: 'local', text: 'waiting' },
    ])
    const lines = (await (await app.request('/metrics')).text()).split('\n')
    const pkg = await Bun.file('package.json').json()
    expect(lines).toContain(
      `ebmbot_build_info{version="${pkg.version}",bun="${Bun.version}",revision="${Bun.revision}"} 1`,
    )
    expect(lines).toContain('ebmbot_outbox_pending{door="local"} 1')
    const age = lines.find((l) =>
      l.startsWith('ebmbot_outbox_oldest_pending_seconds{door="local"} '),
    )
    expect(Number(age?.split(' ')[1])).toBeGreaterThanOrEqual(60)
    expect(Number(age?.split(' ')[1])).toBeLessThan(120)
    expect(lines).toContain('# TYPE process_cpu_seconds_total counter')
    const rss = Number(
      lines.find((l) => l.startsWith('process_resident_memory_bytes '))?.split(' ')[1],
    )
    expect(rss).toBeGreaterThan(10 * 1024 * 1024)
    const start = Number(
      lines.find((l) => l.startsWith('process_start_time_seconds '))?.split(' ')[1],
    )
    expect(Math.abs(start - Date.now() / 1000)).toBeLessThan(600)
    expect(
      Number(lines.find((l) => l.startsWith('process_open_fds '))?.split(' ')[1]),
    ).toBeGreaterThan(2)
  })
})

describe('/metrics with work in flight', () => {
  const scrape = async () => (await (await app.request('/metrics')).text()).split('\n')
  const value = (lines: string[], series: string) => {
    const line = lines.find((l) => l.startsWith(`${series} `))
    return line === undefined ? undefined : Number(line.slice(series.length + 1))
  }

  test('one run going and one queued read 1 and 1; a finished run is counted, its duration in cumulative buckets', async () => {
    await setup()
    const first = await h.say('t gate')
    const running = await h.waitForState(first.runId!, ['running'])
    const second = await h.say('t gate') // queued behind the running one of its type
    expect(second.runId).not.toBe(first.runId)
    let m = await scrape()
    expect(value(m, 'ebmbot_jobs_running')).toBe(1)
    expect(value(m, 'ebmbot_jobs_queued')).toBe(1)
    expect(value(m, 'ebmbot_dispatcher_lag_seconds')).toBe(0) // waiting behind its type is not lag
    expect(m.filter((l) => l.startsWith('ebmbot_runs_finished_total{'))).toEqual([])

    // Let the first run go once it has run over a second, so it lands past the le="1" bucket.
    await waitUntil(
      'the first run over a second old',
      () => Date.now() - running.startedAt! > 1200,
      5000,
    )
    writeFileSync(join(h.ctx.config.namespaces.t!.workdir, 'go'), '')
    const done = await h.waitForState(first.runId!, ['succeeded'])
    await h.waitForState(second.runId!, ['running'])
    const seconds = (done.finishedAt! - done.startedAt!) / 1000
    expect(seconds).toBeGreaterThan(1)
    expect(seconds).toBeLessThanOrEqual(5)

    m = await scrape()
    expect(value(m, 'ebmbot_runs_finished_total{job="t_gate",state="succeeded"}')).toBe(1)
    expect(value(m, 'ebmbot_run_duration_seconds_count{job="t_gate"}')).toBe(1)
    expect(value(m, 'ebmbot_run_duration_seconds_bucket{job="t_gate",le="+Inf"}')).toBe(
      value(m, 'ebmbot_run_duration_seconds_count{job="t_gate"}'),
    )
    expect(value(m, 'ebmbot_run_duration_seconds_bucket{job="t_gate",le="1"}')).toBe(0)
    expect(value(m, 'ebmbot_run_duration_seconds_bucket{job="t_gate",le="5"}')).toBe(1)
    expect(value(m, 'ebmbot_run_duration_seconds_bucket{job="t_gate",le="3600"}')).toBe(1)
    expect(value(m, 'ebmbot_run_duration_seconds_sum{job="t_gate"}')).toBeCloseTo(seconds, 3)
    // The second run took the first one's place: still one going, none waiting.
    expect(value(m, 'ebmbot_jobs_running')).toBe(1)
    expect(value(m, 'ebmbot_jobs_queued')).toBe(0)
  })
})

describe('routes', () => {
  test.each([
    ['GET', '/'],
    ['GET', '/github/site'],
    ['POST', '/healthz/x'],
    ['GET', '/callbacks/1/x'],
    ['POST', '/github'],
  ])('%s %s: 404', async (method, path) => {
    await setup()
    expect((await app.request(path, { method })).status).toBe(404)
  })
})
