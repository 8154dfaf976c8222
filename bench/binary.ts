// The binary benchmark: `dist/ebmbot serve` from spawn to `event=serve.ready` on stderr, its idle
// memory, and how long a SIGTERM takes to stop it. Baseline in the same run: the same binary's
// `version` from spawn to exit, which is what starting the Bun runtime and the bundle costs.
import { existsSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, REPO, benchDir, botEnv, collect } from './lib/bot.ts'
import { QUICK, fmt, fmtInt, nowMs, rssMiB, summarize, table } from './lib/stats.ts'

const BINARY = join(REPO, 'dist', 'ebmbot')

async function build(): Promise<number> {
  const t = nowMs()
  const p = Bun.spawn([BUN, 'run', 'build'], { cwd: REPO, stdout: 'pipe', stderr: 'pipe' })
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()])
  if (code !== 0) throw new Error(`bun run build failed:\n${err}`)
  return nowMs() - t
}

interface ServeSample {
  readyMs: number
  idle: { rss: number; peak: number } | null
  stopMs: number
}

/** One start: fresh state when `state` is new (database created and migrated), else reused. */
async function serveOnce(state: string, idleMs: number): Promise<ServeSample> {
  const t = nowMs()
  const p = Bun.spawn([BINARY, 'serve'], {
    cwd: state,
    env: botEnv(state),
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  })
  const err = collect(p.stderr)
  const ready = await Promise.race([err.wait(/event=serve\.ready/), p.exited.then((c) => c)])
  if (typeof ready === 'number') throw new Error(`serve exited ${ready} before ready:\n${err.text}`)
  const readyMs = nowMs() - t
  await Bun.sleep(idleMs)
  const idle = rssMiB(p.pid)
  const s = nowMs()
  p.kill('SIGTERM')
  const code = await p.exited
  if (code !== 0) throw new Error(`serve exited ${code} on SIGTERM:\n${err.text}`)
  return { readyMs, idle, stopMs: nowMs() - s }
}

async function versionOnce(): Promise<number> {
  const t = nowMs()
  const p = Bun.spawn([BINARY, 'version'], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })
  if ((await p.exited) !== 0) throw new Error('ebmbot version failed')
  return nowMs() - t
}

export async function binaryBench(): Promise<void> {
  const skipBuild = process.argv.includes('--no-build') && existsSync(BINARY)
  const buildMs = skipBuild ? NaN : await build()
  const runs = QUICK ? 3 : 10
  const idleMs = QUICK ? 1000 : 3000
  const dir = benchDir()
  const cold: ServeSample[] = []
  const warm: ServeSample[] = []
  for (let i = 0; i < runs; i++) {
    const state = join(dir, `s${i}`)
    Bun.spawnSync(['mkdir', '-p', state])
    cold.push(await serveOnce(state, idleMs)) // creates and migrates the database
    warm.push(await serveOnce(state, 200)) // opens an existing one
  }
  const version: number[] = []
  for (let i = 0; i < runs * 2; i++) version.push(await versionOnce())
  rmSync(dir, { recursive: true, force: true })

  const row = (name: string, sample: number[]) => {
    const s = summarize(sample)
    return [name, fmtInt(s.n), fmt(s.p50, 0), fmt(s.p95, 0), fmt(s.max, 0)]
  }
  console.log(
    `\n## The binary (dist/ebmbot, ${fmt(statSync(BINARY).size / 2 ** 20, 0)} MiB${skipBuild ? '' : `, built in ${fmt(buildMs / 1000, 1)} s`})\n`,
  )
  console.log(
    table(
      ['start to ready', 'n', 'p50 ms', 'p95 ms', 'max ms'],
      [
        row(
          'serve, new state folder (creates + migrates the db)',
          cold.map((c) => c.readyMs),
        ),
        row(
          'serve, existing database',
          warm.map((c) => c.readyMs),
        ),
        row('baseline: `ebmbot version` spawn to exit', version),
        row(
          'SIGTERM to exit (idle)',
          [...cold, ...warm].map((c) => c.stopMs),
        ),
      ],
    ),
  )
  const rss = cold.map((c) => c.idle?.rss ?? NaN)
  const peak = cold.map((c) => c.idle?.peak ?? NaN)
  console.log()
  console.log(
    table(
      ['idle memory after ready + ' + `${idleMs / 1000} s`, 'n', 'median MiB', 'max MiB'],
      [
        ['RSS (VmRSS)', fmtInt(rss.length), fmt(summarize(rss).p50, 1), fmt(Math.max(...rss), 1)],
        [
          'peak RSS (VmHWM)',
          fmtInt(peak.length),
          fmt(summarize(peak).p50, 1),
          fmt(Math.max(...peak), 1),
        ],
      ],
    ),
  )
}

if (import.meta.main) await binaryBench()
