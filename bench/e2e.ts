// End-to-end benchmark in local chat mode: from a command line written to the bot's stdin to the
// job's first shell command running (bash start-up included), over many commands, one at a time.
// Baseline in the same run: this process spawning the same bash command directly, which is the
// floor any job runner on this machine pays.
//
// The job stamps itself with bash's $EPOCHREALTIME (no extra process); the bench stamps the send
// with the same wall clock, so the difference is the latency a user would see. Sixteen job types
// take turns, so a command never waits behind the previous run of its own type.
import { Database } from 'bun:sqlite'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { PROFILE_DIR, benchDir, botArgv, botEnv, collect, writeFile } from './lib/bot.ts'
import { printProfiles } from './lib/profile.ts'
import { QUICK, fmt, fmtInt, rssMiB, summarize, table } from './lib/stats.ts'

const TYPES = 16
const wallMs = () => performance.timeOrigin + performance.now()

function config(workdir: string): string {
  const jobs = Array.from(
    { length: TYPES },
    (_, i) => `      j${i}:\n        run: echo [n] $EPOCHREALTIME >> starts.log`,
  ).join('\n')
  const commands = Array.from(
    { length: TYPES },
    (_, i) => `      - {pattern: "j${i} [n]", job: j${i}}`,
  ).join('\n')
  return `settings:\n  max_parallel: ${TYPES}\nnamespaces:\n  e:\n    workdir: ${workdir}\n    jobs:\n${jobs}\n    commands:\n${commands}\n`
}

/** Seconds.micros from $EPOCHREALTIME, keyed by the command's tag. */
function starts(file: string): Map<string, number> {
  const out = new Map<string, number>()
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return out
  }
  for (const line of text.split('\n')) {
    const [tag, at] = line.split(' ')
    if (tag && at) out.set(tag, Number(at) * 1000)
  }
  return out
}

async function waitForStart(file: string, tag: string, timeoutMs = 10_000): Promise<number> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const at = starts(file).get(tag)
    if (at !== undefined) return at
    if (Date.now() > until) throw new Error(`job ${tag} did not start within ${timeoutMs} ms`)
    await Bun.sleep(1)
  }
}

async function baseline(dir: string, n: number): Promise<number[]> {
  const file = join(dir, 'baseline.log')
  const lat: number[] = []
  for (let i = 0; i < n; i++) {
    const sent = wallMs()
    const p = Bun.spawn(['bash', '-c', `echo b${i} $EPOCHREALTIME >> ${file}`], {
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'ignore',
      detached: true,
    })
    await p.exited
    lat.push(starts(file).get(`b${i}`)! - sent)
  }
  return lat
}

/**
 * Splits each command's latency at the run's own timestamps: queued_at (taken as the line is
 * handled), started_at (the claim) and the job's first command.
 */
function breakdown(
  dbFile: string,
  sent: Map<string, number>,
  jobStart: Map<string, number>,
  skip: number,
) {
  const db = new Database(dbFile, { readonly: true })
  const rows = db
    .query('SELECT request_text, queued_at, started_at FROM runs ORDER BY id')
    .all() as { request_text: string; queued_at: number; started_at: number }[]
  db.close()
  const out = {
    'line written -> request handled (stdin, parse)': [] as number[],
    'handled -> claimed (store, wake, claim)': [] as number[],
    'claimed -> first shell command (log dir, spawn, bash)': [] as number[],
  }
  for (const r of rows.slice(skip)) {
    const tag = r.request_text.split(' ')[2]!
    out['line written -> request handled (stdin, parse)'].push(r.queued_at - sent.get(tag)!)
    out['handled -> claimed (store, wake, claim)'].push(r.started_at - r.queued_at)
    out['claimed -> first shell command (log dir, spawn, bash)'].push(
      jobStart.get(tag)! - r.started_at,
    )
  }
  return out
}

export async function e2eBench(): Promise<void> {
  const n = QUICK ? 200 : 1000
  const warmup = 20
  const dir = benchDir()
  const workdir = join(dir, 'work')
  const cfg = writeFile(dir, 'bench.yaml', config(workdir))
  const log = join(workdir, 'starts.log')
  const proc = Bun.spawn(botArgv(['chat', '--config', cfg], 'e2e-chat'), {
    cwd: dir,
    env: botEnv(join(dir, 'state')),
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const out = collect(proc.stdout)
  const err = collect(proc.stderr)
  const lat: number[] = []
  const sentAt = new Map<string, number>()
  const begin = performance.now()
  try {
    for (let i = 0; i < warmup + n; i++) {
      const tag = `c${i}`
      if (i === warmup) lat.length = 0
      const sent = wallMs()
      proc.stdin.write(`e j${i % TYPES} ${tag}\n`)
      proc.stdin.flush()
      sentAt.set(tag, sent)
      lat.push((await waitForStart(log, tag)) - sent)
    }
  } catch (e) {
    throw new Error(`${(e as Error).message}\nbot stderr:\n${err.text.slice(-2000)}`)
  }
  const elapsed = performance.now() - begin
  const mem = rssMiB(proc.pid)
  // Every command was acknowledged as a run, in order: the bench measured real accepted requests.
  await out.wait(new RegExp(`accepted: run ${warmup + n}\\)`))
  proc.stdin.end()
  const code = await proc.exited
  if (code !== 0) throw new Error(`chat exited ${code}: ${err.text.slice(-2000)}`)
  const phases = breakdown(join(dir, 'state', 'ebmbot.db'), sentAt, starts(log), warmup)
  const base = await baseline(dir, QUICK ? 100 : 300)
  rmSync(dir, { recursive: true, force: true })

  const s = summarize(lat)
  const b = summarize(base)
  console.log(
    `\n## End to end: chat line -> job's first shell command (local chat mode, ${n} commands after ${warmup} warm-up, one at a time)\n`,
  )
  console.log(
    table(
      ['path', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms', 'p50 ÷ base', 'p99 ÷ base'],
      [
        [
          'ebmbot chat: stdin -> router -> queue -> dispatcher -> bash',
          fmtInt(s.n),
          fmt(s.p50),
          fmt(s.p95),
          fmt(s.p99),
          fmt(s.max),
          fmt(s.mean),
          `${fmt(s.p50 / b.p50, 1)}×`,
          `${fmt(s.p99 / b.p99, 1)}×`,
        ],
        [
          'baseline: Bun.spawn(bash) from the bench itself',
          fmtInt(b.n),
          fmt(b.p50),
          fmt(b.p95),
          fmt(b.p99),
          fmt(b.max),
          fmt(b.mean),
          '',
          '',
        ],
      ],
    ),
  )
  console.log(
    `\nWhere the time goes (the bot's own timestamps are whole milliseconds, so each phase is ±1 ms):\n`,
  )
  console.log(
    table(
      ['phase', 'p50 ms', 'p95 ms', 'p99 ms'],
      Object.entries(phases).map(([name, v]) => {
        const x = summarize(v)
        return [name, fmt(x.p50), fmt(x.p95), fmt(x.p99)]
      }),
    ),
  )
  console.log(
    `\nthroughput (paced, one command in flight): ${fmt((n + warmup) / (elapsed / 1000), 0)} commands/s`,
  )
  console.log(
    `bot memory after ${n + warmup} runs: RSS ${fmt(mem?.rss ?? NaN, 0)} MiB, peak ${fmt(mem?.peak ?? NaN, 0)} MiB`,
  )
  if (PROFILE_DIR) printProfiles(PROFILE_DIR, ['e2e-chat'])
}

if (import.meta.main) await e2eBench()
