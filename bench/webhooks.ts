// Webhook benchmark: signed GitHub deliveries to `ebmbot serve` (a child process) over loopback,
// each verified (HMAC-SHA256 of the raw body), matched to a trigger, and queued with its
// delivery id in one transaction before the 200. Baseline in the same run: a bare Bun.serve in
// another process that reads the same body and answers 200, the floor of HTTP on this machine.
// Deliveries queue a delayed job, so the figures are the front door's, not process spawning's.
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { delivery, pullRequest } from '../test/support/github.ts'
import { BUN, PROFILE_DIR, benchDir, botArgv, botEnv, collect, writeFile } from './lib/bot.ts'
import { QUICK, cpuMs, fmt, fmtInt, nowMs, rssMiB, summarize, table } from './lib/stats.ts'

const SECRET = 'bench-secret'
const CONCURRENCY = 16
const ROUNDS = QUICK ? 1 : 2

const CONFIG = `namespaces:
  site:
    default_channel: '#site'
    jobs:
      deploy:
        run: echo deploy [branch]
github:
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: main, namespace: site, job: deploy, params: {branch: pull_request.head.ref}, delay_seconds: 3600}
`

const BARE = `
const server = Bun.serve({ hostname: '127.0.0.1', port: Number(process.env.PORT), async fetch(req) {
  await req.arrayBuffer()
  return Response.json({ outcome: 'queued' })
} })
console.log('ready')
`

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** One row of the table; `base` (the bare server's run in the same round) gives the ratios. */
function row(label: string, r: Load, base?: Load): string[] {
  const s = summarize(r.latencies)
  return [
    label,
    fmtInt(s.n),
    fmtInt(r.perSecond),
    base ? `${fmt(r.perSecond / base.perSecond)}×` : '',
    fmt(s.p50),
    fmt(s.p95),
    fmt(s.p99),
    fmt(s.max),
    fmtInt(r.cpuUsPerRequest),
    base ? `${fmt(r.cpuUsPerRequest / base.cpuUsPerRequest, 1)}×` : '',
  ]
}
type Load = Awaited<ReturnType<typeof load>>

/** `n` requests, CONCURRENCY at a time: latencies and requests per second. */
async function load(
  url: string,
  n: number,
  pid: number,
): Promise<{
  latencies: number[]
  perSecond: number
  statuses: Map<number, number>
  cpuUsPerRequest: number
}> {
  const bodies = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      delivery(pullRequest({ head: `feature-${i}`, number: i }), { secret: SECRET }),
    ),
  )
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let next = 0
  const cpu0 = cpuMs(pid)
  const t0 = nowMs()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const init = bodies[next++]!
        const at = nowMs()
        const res = await fetch(url, init)
        await res.arrayBuffer()
        latencies.push(nowMs() - at)
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      }
    }),
  )
  const perSecond = (n / (nowMs() - t0)) * 1000
  return { latencies, perSecond, statuses, cpuUsPerRequest: ((cpuMs(pid) - cpu0) * 1000) / n }
}

export async function webhooksBench(): Promise<void> {
  const n = QUICK ? 300 : 3000
  const dir = benchDir()
  const [port, barePort] = [await freePort(), await freePort()]
  const bot = Bun.spawn(botArgv('serve', '--config', writeFile(dir, 'bench.yaml', CONFIG)), {
    env: botEnv(dir, {
      GITHUB_WEBHOOK_SECRET: SECRET,
      WEBHOOK_PORT: String(port),
    }),
    stdout: 'ignore',
    stderr: 'pipe',
  })
  const bare = Bun.spawn([BUN, writeFile(dir, 'bare.ts', BARE)], {
    env: { PORT: String(barePort), PATH: process.env.PATH ?? '' },
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const err = collect(bot.stderr)
  try {
    await collect(bare.stdout).wait(/ready/)
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      )
      if (ok) break
      if (i > 200)
        throw new Error(`the bot's web server did not come up:\n${err.text.slice(-2000)}`)
      await Bun.sleep(50)
    }
    const bareUrl = `http://127.0.0.1:${barePort}/github/site`
    const botUrl = `http://127.0.0.1:${port}/github/site`
    await load(bareUrl, Math.min(200, n), bare.pid) // warm both
    await load(botUrl, Math.min(200, n), bot.pid)
    // Rounds alternate the two servers, so a busy moment of the machine hits both alike.
    const rows: string[][] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const baseline = await load(bareUrl, n, bare.pid)
      const ebmbot = await load(botUrl, n, bot.pid)
      if ((ebmbot.statuses.get(200) ?? 0) !== n)
        throw new Error(`not every delivery was queued: ${JSON.stringify([...ebmbot.statuses])}`)
      rows.push(
        row(`ebmbot: verified, matched, queued, then 200 (round ${round})`, ebmbot, baseline),
        row(`baseline: bare Bun.serve reading the body (round ${round})`, baseline),
      )
    }
    const rss = rssMiB(bot.pid)
    console.log(
      `\n## Webhooks (signed GitHub deliveries over loopback, ${CONCURRENCY} at a time, logging at info)\n`,
    )
    console.log(
      table(
        [
          'server',
          'requests',
          'req/s',
          'ratio',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'server CPU µs/req',
          'CPU ratio',
        ],
        rows,
      ),
    )
    console.log(
      `\nEvery ebmbot answer was 200 with its request committed (distinct delivery ids). Bot RSS afterwards: ${rss ? `${fmt(rss.rss, 1)} MiB` : 'n/a'}.`,
    )
  } finally {
    bot.kill('SIGTERM')
    bare.kill('SIGTERM')
    await Promise.all([bot.exited, bare.exited])
    if (PROFILE_DIR) console.log(`\nThe bot's CPU profile: ${PROFILE_DIR}`)
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) await webhooksBench()
