// Webhook benchmark: signed GitHub deliveries to `ebmbot serve` (a child process) over loopback,
// each verified (HMAC-SHA256 of the raw body), matched to a trigger, and queued with its
// delivery id in one transaction before the 200. Baseline in the same run: a bare Bun.serve in
// another process that reads the same body and answers 200, the floor of HTTP on this machine.
// Deliveries queue a delayed job, so the figures are the front door's, not process spawning's.
// Then the same load on PostgreSQL with 1, 2 and 3 instances (deliveries in turn to each), when
// the server answers.
import { rmSync } from 'node:fs'
import { delivery, freePort, pullRequest } from '../test/support/github.ts'
import { BUN, PROFILE_DIR, benchDir, botArgv, botEnv, collect, writeFile } from './lib/bot.ts'
import { printProfiles } from './lib/profile.ts'
import { dropSchemas, freshSchemaUrl, postgresAnswers } from './lib/postgres.ts'
import { QUICK, cpuMs, fmt, fmtInt, nowMs, rssMiB, summarize, table } from './lib/stats.ts'

const SECRET = 'bench-secret'
const CONCURRENCY = 16
const ROUNDS = QUICK ? 1 : 2
const INSTANCES = [1, 2, 3] as const

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

/** A server under load: where to send, and the process whose CPU time counts. */
interface Target {
  url: string
  pid: number
}

interface Load {
  latencies: number[]
  perSecond: number
  /** answers by outcome word (`queued`, `duplicate`, …) or HTTP status when there is none */
  outcomes: Map<string, number>
  cpuUsPerRequest: number
}

/** Every body is new: the same body twice is refused as a replay, which would measure less work. */
let sequence = 0

/** `n` deliveries, CONCURRENCY at a time, in turn to each target. */
async function load(targets: Target[], n: number): Promise<Load> {
  const bodies = await Promise.all(
    Array.from({ length: n }, () => {
      const i = sequence++
      return delivery(pullRequest({ head: `feature-${i}`, number: i }), { secret: SECRET })
    }),
  )
  const latencies: number[] = []
  const outcomes = new Map<string, number>()
  let next = 0
  const cpu = () => targets.reduce((sum, t) => sum + cpuMs(t.pid), 0)
  const cpu0 = cpu()
  const t0 = nowMs()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++
        const at = nowMs()
        const res = await fetch(targets[i % targets.length]!.url, bodies[i]!)
        const body = (await res.json().catch(() => ({}))) as { outcome?: string }
        latencies.push(nowMs() - at)
        const outcome = body.outcome ?? String(res.status)
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      }
    }),
  )
  const perSecond = (n / (nowMs() - t0)) * 1000
  return { latencies, perSecond, outcomes, cpuUsPerRequest: ((cpu() - cpu0) * 1000) / n }
}

function allQueued(r: Load, n: number): void {
  if ((r.outcomes.get('queued') ?? 0) !== n)
    throw new Error(`not every delivery was queued: ${JSON.stringify([...r.outcomes])}`)
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

const HEADERS = [
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
]

/** `ebmbot serve` on the bench's config; resolves once its web server answers. */
async function startBot(
  dir: string,
  extra: Record<string, string> = {},
  profileAs?: string,
): Promise<{ proc: Bun.Subprocess<'ignore', 'ignore', 'pipe'>; target: Target }> {
  const port = await freePort()
  const proc = Bun.spawn(
    botArgv(['serve', '--config', writeFile(dir, 'bench.yaml', CONFIG)], profileAs),
    {
      env: botEnv(dir, { GITHUB_WEBHOOK_SECRET: SECRET, WEBHOOK_PORT: String(port), ...extra }),
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
    },
  )
  const err = collect(proc.stderr)
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) break
    if (i > 200 || proc.exitCode !== null)
      throw new Error(`the bot's web server did not come up:\n${err.text.slice(-2000)}`)
    await Bun.sleep(50)
  }
  return { proc, target: { url: `http://127.0.0.1:${port}/github/site`, pid: proc.pid } }
}

async function stopBots(bots: { proc: Bun.Subprocess }[]): Promise<void> {
  for (const b of bots) b.proc.kill('SIGTERM')
  await Promise.all(bots.map((b) => b.proc.exited))
}

/** The same load on one PostgreSQL database, 1, 2 and 3 instances, each beside a fresh baseline. */
async function postgresRows(bare: Target, n: number): Promise<string[][]> {
  const rows: string[][] = []
  for (const k of INSTANCES) {
    const url = await freshSchemaUrl()
    const dirs = Array.from({ length: k }, () => benchDir())
    const bots = []
    try {
      // One at a time: the first creates the schema, the others find it migrated.
      for (const d of dirs)
        bots.push(
          await startBot(d, { DATABASE_URL: url }, k === 1 ? 'webhooks-postgres' : undefined),
        )
      const targets = bots.map((b) => b.target)
      await load(targets, Math.min(200, n)) // warm up
      const baseline = await load([bare], n)
      const ebmbot = await load(targets, n)
      allQueued(ebmbot, n)
      rows.push(
        row(`ebmbot on PostgreSQL, ${k} instance${k > 1 ? 's' : ''}`, ebmbot, baseline),
        row('baseline: bare Bun.serve reading the body', baseline),
      )
    } finally {
      await stopBots(bots)
      for (const d of dirs) rmSync(d, { recursive: true, force: true })
    }
  }
  return rows
}

export async function webhooksBench(): Promise<void> {
  const n = QUICK ? 300 : 3000
  const dir = benchDir()
  const barePort = await freePort()
  const bareProc = Bun.spawn([BUN, writeFile(dir, 'bare.ts', BARE)], {
    env: { PORT: String(barePort), PATH: process.env.PATH ?? '' },
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const bare: Target = { url: `http://127.0.0.1:${barePort}/github/site`, pid: bareProc.pid }
  const bot = await startBot(dir, {}, 'webhooks-sqlite')
  try {
    await collect(bareProc.stdout).wait(/ready/)
    await load([bare], Math.min(200, n)) // warm both
    await load([bot.target], Math.min(200, n))
    // Rounds alternate the two servers, so a busy moment of the machine hits both alike.
    const rows: string[][] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const baseline = await load([bare], n)
      const ebmbot = await load([bot.target], n)
      allQueued(ebmbot, n)
      rows.push(
        row(`ebmbot: verified, matched, queued, then 200 (round ${round})`, ebmbot, baseline),
        row(`baseline: bare Bun.serve reading the body (round ${round})`, baseline),
      )
    }
    const rss = rssMiB(bot.proc.pid)
    console.log(
      `\n## Webhooks (signed GitHub deliveries over loopback, ${CONCURRENCY} at a time, logging at info)\n`,
    )
    console.log(table(HEADERS, rows))
    console.log(
      `\nEvery ebmbot answer was 200 \`queued\` with its request committed (distinct delivery ids and bodies). Bot RSS afterwards: ${rss ? `${fmt(rss.rss, 1)} MiB` : 'n/a'}. CPU is the server processes' own (all threads, from /proc).`,
    )
    await stopBots([bot])
    if (!(await postgresAnswers())) {
      console.log('\n(PostgreSQL did not answer: the PostgreSQL rows are left out.)')
      return
    }
    const pgRows = await postgresRows(bare, n)
    console.log(
      `\n## Webhooks on PostgreSQL (the same load; deliveries in turn to each instance, one database)\n`,
    )
    console.log(table(HEADERS, pgRows))
    console.log(
      "\nCPU is the bot processes' together, not the PostgreSQL server's. Every delivery replaces the same pending request (one job), so instances wait on one row's lock.",
    )
  } finally {
    bot.proc.kill('SIGTERM')
    bareProc.kill('SIGTERM')
    await Promise.all([bot.proc.exited, bareProc.exited])
    await dropSchemas()
    rmSync(dir, { recursive: true, force: true })
    if (PROFILE_DIR) printProfiles(PROFILE_DIR, ['webhooks-sqlite', 'webhooks-postgres'])
  }
}

if (import.meta.main) await webhooksBench()
