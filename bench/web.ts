// Web page benchmark: the history page rendered server-side (session check, the keyset query,
// the access filter, JSX to HTML) over 100,000 runs in a SQLite queue, through the pages app
// in-process (no network), for the filters people use. Baseline in the same run: the same page
// over an empty history, the page's fixed cost; the ratio says what 100,000 runs add. Budget:
// under 100 ms per page.
import { rmSync } from 'node:fs'
import { readEnvironment } from '../src/config/env.ts'
import { loadConfigText } from '../src/config/load.ts'
import type { SqliteQueue } from '../src/queue/sqlite-queue.ts'
import { createContext } from '../src/service/create-context.ts'
import { createLogger } from '../src/util/log.ts'
import { webPages, webSetup } from '../src/web/index.ts'
import { benchDir } from './lib/bot.ts'
import { QUICK, fmt, fmtInt, nowMs, summarize, table } from './lib/stats.ts'

const RUNS = QUICK ? 10_000 : 100_000
const RENDERS = QUICK ? 20 : 100
const TOKEN = 'bench-token-0123456789abcdef'
const NAMESPACES = ['site', 'data', 'ops', 'private']
const JOBS = ['deploy', 'backup', 'report', 'refresh', 'sync']
const STATES = [
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'cancelled',
]
const T0 = Date.UTC(2026, 0, 1)
const MINUTE = 60_000

const CONFIG = `web: {}
namespaces:
${NAMESPACES.map(
  (ns) => `  ${ns}:
${ns === 'private' ? '    allow: { users: [U0BOSS] }\n' : ''}    jobs:
${JOBS.map((j) => `      ${j}: { run: 'true' }`).join('\n')}`,
).join('\n')}
`

async function pagesOver(runs: number) {
  const dir = benchDir()
  const env = readEnvironment(
    {
      PATH: process.env.PATH,
      EBMBOT_STATE_DIR: dir,
      EBMBOT_WEB_TOKEN: TOKEN,
      EBMBOT_WEB_COOKIE_SECRET: 'k'.repeat(40),
    },
    dir,
  )
  const config = loadConfigText(CONFIG, 'bench.yaml', { stateDir: dir, baseDir: dir })
  const log = createLogger({ level: 'error', write: () => {}, secrets: [] })
  const ctx = await createContext({ config, env, log })
  const db = (ctx.queue as SqliteQueue).sqlite
  const insert = db.prepare(
    `insert into runs (namespace, job, job_type, state, due_at, queued_at, started_at, finished_at, door, requested_by, channel, request_text, params, command, exit_code)
     values (?, ?, ?, ?, ?, ?, ?, ?, 'slack', ?, 'C1', ?, '{}', 'true', 0)`,
  )
  db.transaction(() => {
    for (let i = 0; i < runs; i++) {
      const ns = NAMESPACES[i % 4]!
      const job = JOBS[Math.floor(i / 4) % 5]!
      const at = T0 + i * MINUTE
      insert.run(
        ns,
        job,
        `${ns}_${job}`,
        STATES[i % 10]!,
        at,
        at,
        at,
        at + 5000,
        `U${i % 50}`,
        `${ns} ${job}`,
      )
    }
  })()
  db.run('analyze')
  const app = webPages(ctx, { setup: webSetup(ctx)!, people: async () => ({ isGuest: false }) })
  const signIn = await app.request('/sign-in', {
    method: 'POST',
    headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TOKEN }),
  })
  const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!
  return {
    render: async (query: string) => {
      const t = nowMs()
      const res = await app.request(`/history${query}`, { headers: { cookie } })
      const html = await res.text()
      if (res.status !== 200) throw new Error(`history answered ${res.status}`)
      return { ms: nowMs() - t, html }
    },
    close() {
      ctx.queue.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function webBench(): Promise<void> {
  const mid = new Date(T0 + (RUNS / 2) * MINUTE).toISOString().slice(0, 10)
  const cases: [string, string][] = [
    ['newest page, no filter', ''],
    ['one job (1 in 20 runs)', '?job=data_report'],
    ['failed (1 in 10 runs)', '?state=failed'],
    ['asked by one person (1 in 50)', '?who=U7'],
    ['one day', `?from=${mid}&to=${mid}`],
    ['namespace + state + person', '?ns=ops&state=succeeded&who=U2'],
    ['page 1,000 back (keyset)', `?before=${RUNS - 50_000}`],
  ]
  const full = await pagesOver(RUNS)
  const empty = await pagesOver(0)
  const rows: (string | number)[][] = []
  let worst = 0
  for (const [label, q] of cases) {
    const time = async (p: typeof full) => {
      await p.render(q) // warm the statement cache
      const sample: number[] = []
      for (let i = 0; i < RENDERS; i++) sample.push((await p.render(q)).ms)
      return summarize(sample)
    }
    const shown = ((await full.render(q)).html.match(/href="\/web\/runs\/\d+"/g) ?? []).length
    const a = await time(full)
    const b = await time(empty)
    worst = Math.max(worst, a.p99)
    rows.push([label, shown, fmt(a.p50), fmt(a.p99), fmt(b.p50), `${fmt(a.p50 / b.p50, 1)}x`])
  }
  full.close()
  empty.close()
  console.log(
    `\n## Web: history page over ${fmtInt(RUNS)} runs (SQLite, rendered in-process, ${RENDERS} renders each)\n`,
  )
  console.log(
    table(['Filter', 'Rows shown', 'p50 ms', 'p99 ms', 'Empty history p50 ms', 'Ratio'], rows),
  )
  console.log(
    `\nBudget 100 ms per page: worst p99 ${fmt(worst)} ms (${worst < 100 ? 'within' : 'OVER'}).`,
  )
}
