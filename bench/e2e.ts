// End-to-end benchmark in local chat mode: from a command line written to the bot's stdin to the
// job's first shell command running (bash start-up included), over many commands, one at a time.
// Baseline in the same run: this process spawning the same bash command directly, which is the
// floor any job runner on this machine pays.
//
// The job stamps itself with bash's $EPOCHREALTIME (no extra process); the bench stamps the send
// with the same wall clock, so the difference is the latency a user would see. Sixteen job types
// take turns, so a command never waits behind the previous run of its own type.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, MAIN, benchDir, botEnv, collect, writeFile } from './lib/bot.ts'
import { QUICK, fmt, fmtInt, rssMiB, summarize, table } from './lib/stats.ts'

const TYPES = 16
const wallMs = () => performance.timeOrigin + performance.now()

function config(workdir: string): string {
  const jobs = Array.from({ length: TYPES }, (_, i) => `      j${i}:\n        run: echo [n] $EPOCHREALTIME >> starts.log`).join('\n')
  const commands = Array.from({ length: TYPES }, (_, i) => `      - {pattern: "j${i} [n]", job: j${i}}`).join('\n')
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
    const p = Bun.spawn(['bash', '-c', `echo b${i} $EPOCHREALTIME >> ${file}`], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', detached: true })
    await p.exited
    lat.push(starts(file).get(`b${i}`)! - sent)
  }
  return lat
}

export async function e2eBench(): Promise<void> {
  const n = QUICK ? 200 : 1000
  const warmup = 20
  const dir = benchDir()
  const workdir = join(dir, 'work')
  const cfg = writeFile(dir, 'bench.yaml', config(workdir))
  const log = join(workdir, 'starts.log')
  const proc = Bun.spawn([BUN, MAIN, 'chat', '--config', cfg], { cwd: dir, env: botEnv(join(dir, 'state')), stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' })
  const out = collect(proc.stdout)
  const err = collect(proc.stderr)
  const lat: number[] = []
  const begin = performance.now()
  try {
    for (let i = 0; i < warmup + n; i++) {
      const tag = `c${i}`
      if (i === warmup) lat.length = 0
      const sent = wallMs()
      proc.stdin.write(`e j${i % TYPES} ${tag}\n`)
      proc.stdin.flush()
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
  const base = await baseline(dir, QUICK ? 100 : 300)
  rmSync(dir, { recursive: true, force: true })

  const s = summarize(lat)
  const b = summarize(base)
  console.log(`\n## End to end: chat line -> job's first shell command (local chat mode, ${n} commands after ${warmup} warm-up, one at a time)\n`)
  console.log(
    table(
      ['path', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms'],
      [
        ['ebmbot chat: stdin -> router -> queue -> dispatcher -> bash', fmtInt(s.n), fmt(s.p50), fmt(s.p95), fmt(s.p99), fmt(s.max), fmt(s.mean)],
        ['baseline: Bun.spawn(bash) from the bench itself', fmtInt(b.n), fmt(b.p50), fmt(b.p95), fmt(b.p99), fmt(b.max), fmt(b.mean)],
      ],
    ),
  )
  console.log(`\nthroughput (paced, one command in flight): ${fmt((n + warmup) / (elapsed / 1000), 0)} commands/s`)
  console.log(`bot memory after ${n + warmup} runs: RSS ${fmt(mem?.rss ?? NaN, 0)} MiB, peak ${fmt(mem?.peak ?? NaN, 0)} MiB`)
}

if (import.meta.main) await e2eBench()
