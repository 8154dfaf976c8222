// Webhook benchmark: signed GitHub deliveries to `ebmbot serve` (a child process) over loopback,
// each verified (HMAC-SHA256 of the raw body), matched to a trigger, and queued with its
// delivery id in one transaction before the 200. Baseline in the same run: a bare Bun.serve in
// another process that reads the same body and answers 200, the floor of HTTP on this machine.
// Deliveries queue a delayed job, so the figures are the front door's, not process spawning's.
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { delivery, pullRequest } from '../test/support/github.ts'
import { BUN, MAIN, benchDir, botEnv, collect, writeFile } from './lib/bot.ts'
import { QUICK, fmt, fmtInt, nowMs, rssMiB, summarize, table } from './lib/stats.ts'

const SECRET = 'bench-secret'
const CONCURRENCY = 16

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

/** `n` requests, CONCURRENCY at a time: latencies and requests per second. */
async function load(
  url: string,
  n: number,
): Promise<{ latencies: number[]; perSecond: number; statuses: Map<number, number> }> {
  const bodies = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      delivery(pullRequest({ head: `feature-${i}`, number: i }), { secret: SECRET }),
    ),
  )
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let next = 0
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
  return { latencies, perSecond: (n / (nowMs() - t0)) * 1000, statuses }
}

export async function webhooksBench(): Promise<void> {
  const n = QUICK ? 300 : 3000
  const dir = benchDir()
  const [port, barePort] = [await freePort(), await freePort()]
  const bot = Bun.spawn([BUN, MAIN, 'serve', '--config', writeFile(dir, 'bench.yaml', CONFIG)], {
    env: botEnv(dir, {
      GITHUB_WEBHOOK_SECRET: SECRET,
      WEBHOOK_PORT: String(port),
      EBMBOT_LOG_LEVEL: 'warn',
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
    await load(`http://127.0.0.1:${barePort}/github/site`, Math.min(200, n)) // warm both
    await load(`http://127.0.0.1:${port}/github/site`, Math.min(200, n))
    const baseline = await load(`http://127.0.0.1:${barePort}/github/site`, n)
    const ebmbot = await load(`http://127.0.0.1:${port}/github/site`, n)
    if ((ebmbot.statuses.get(200) ?? 0) !== n)
      throw new Error(`not every delivery was queued: ${JSON.stringify([...ebmbot.statuses])}`)
    const rss = rssMiB(bot.pid)
    const row = (label: string, r: Awaited<ReturnType<typeof load>>) => {
      const s = summarize(r.latencies)
      return [
        label,
        fmtInt(s.n),
        fmtInt(r.perSecond),
        fmt(s.p50),
        fmt(s.p95),
        fmt(s.p99),
        fmt(s.max),
      ]
    }
    console.log(
      `\n## Webhooks (signed GitHub deliveries over loopback, ${CONCURRENCY} at a time)\n`,
    )
    console.log(
      table(
        ['server', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        [
          row('ebmbot: verified, matched, queued, then 200', ebmbot),
          row('baseline: bare Bun.serve reading the body', baseline),
        ],
      ),
    )
    console.log(
      `\nEvery ebmbot answer was 200 with its request committed (distinct delivery ids). Bot RSS afterwards: ${rss ? `${fmt(rss.rss, 1)} MiB` : 'n/a'}.`,
    )
  } finally {
    bot.kill('SIGTERM')
    bare.kill('SIGTERM')
    await Promise.all([bot.exited, bare.exited])
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) await webhooksBench()
