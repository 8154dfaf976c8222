// The binary benchmark: `dist/ebmbot serve` from spawn to `event=serve.ready` on stderr (wall
// time, and the CPU time all its threads had used by then), its idle memory, its size, and how
// long a SIGTERM takes to stop it. Baselines, measured in the same run and interleaved with it:
// the same binary's `version` (the runtime plus loading the bundle's entry chunk), and a bare
// program built with the same `npm run build` flags (the runtime's own floor: start, print,
// exit; idle memory; size).
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, REPO, benchDir, botEnv, collect } from './lib/bot.ts'
import { QUICK, fmt, fmtInt, nowMs, rssMiB, summarize, table } from './lib/stats.ts'

const BINARY = join(REPO, 'dist', 'ebmbot')

/** `npm run build`'s flags, with another entry point and output: the floor is built like the bot. */
function buildArgs(entry: string, outfile: string): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  const words = String(pkg.scripts.build).split(/\s+/)
  if (words[0] !== 'bun' || !words.includes('src/main.ts') || !words.includes('--outfile'))
    throw new Error(`unexpected build script: ${pkg.scripts.build}`)
  const out = words.indexOf('--outfile')
  words[out + 1] = outfile
  return [BUN, ...words.slice(1).map((w) => (w === 'src/main.ts' ? entry : w))]
}

async function run(cmd: string[], cwd = REPO): Promise<void> {
  const p = Bun.spawn(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' })
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()])
  if (code !== 0) throw new Error(`${cmd.join(' ')} failed:\n${err}`)
}

/** CPU time (ms) the process's threads have had so far: the first field of each schedstat. */
function cpuMs(pid: number): number {
  let ns = 0
  for (const t of readdirSync(`/proc/${pid}/task`))
    ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0])
  return ns / 1e6
}

interface ServeSample {
  readyMs: number
  cpuMs: number
  idle: ReturnType<typeof rssMiB>
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
  const cpu = cpuMs(p.pid)
  await Bun.sleep(idleMs)
  const idle = rssMiB(p.pid)
  const s = nowMs()
  p.kill('SIGTERM')
  const code = await p.exited
  if (code !== 0) throw new Error(`serve exited ${code} on SIGTERM:\n${err.text}`)
  return { readyMs, cpuMs: cpu, idle, stopMs: nowMs() - s }
}

/** Spawn to exit; `check` must be in its stdout, so a broken binary is not timed as a fast one. */
async function exitOnce(cmd: string[], check: string): Promise<number> {
  const t = nowMs()
  const p = Bun.spawn(cmd, { stdin: 'ignore', stdout: 'pipe', stderr: 'ignore' })
  const [code, out] = await Promise.all([p.exited, new Response(p.stdout).text()])
  const ms = nowMs() - t
  if (code !== 0 || !out.includes(check)) throw new Error(`${cmd.join(' ')} failed (${code})`)
  return ms
}

/** The floor's idle memory: started, left alone for `idleMs`, measured, stopped. */
async function floorIdle(floor: string, idleMs: number) {
  const p = Bun.spawn([floor, 'idle'], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })
  await Bun.sleep(idleMs)
  const m = rssMiB(p.pid)
  p.kill('SIGKILL')
  await p.exited
  return m
}

export async function binaryBench(): Promise<void> {
  const skipBuild = process.argv.includes('--no-build') && existsSync(BINARY)
  const t = nowMs()
  if (!skipBuild) await run([BUN, 'run', 'build'])
  const buildMs = nowMs() - t
  const dir = benchDir()
  const floor = join(dir, 'floor')
  writeFileSync(
    join(dir, 'floor.ts'),
    "if (process.argv[2] === 'idle') setInterval(() => {}, 60_000)\nelse console.log('floor')\n",
  )
  await run(buildArgs(join(dir, 'floor.ts'), floor))

  const runs = QUICK ? 3 : 10
  const idleMs = QUICK ? 1000 : 3000
  const cold: ServeSample[] = []
  const warm: ServeSample[] = []
  const version: number[] = []
  const bare: number[] = []
  const floorMem: ReturnType<typeof rssMiB>[] = []
  // Interleaved, so the machine's load at any moment falls on the bot and its baselines alike.
  for (let i = 0; i < runs; i++) {
    const state = join(dir, `s${i}`)
    Bun.spawnSync(['mkdir', '-p', state])
    cold.push(await serveOnce(state, idleMs)) // creates and migrates the database
    warm.push(await serveOnce(state, 200)) // opens an existing one
    for (let j = 0; j < 2; j++) {
      version.push(await exitOnce([BINARY, 'version'], 'ebmbot '))
      bare.push(await exitOnce([floor], 'floor'))
    }
    if (i < 3) floorMem.push(await floorIdle(floor, idleMs))
  }
  const sizes = { bot: statSync(BINARY).size / 2 ** 20, floor: statSync(floor).size / 2 ** 20 }
  rmSync(dir, { recursive: true, force: true })

  const v50 = summarize(version).p50
  const f50 = summarize(bare).p50
  const ratio = (x: number, base: number) => `${fmt(x / base, 1)}×`
  const row = (name: string, sample: number[], cpu?: number[]) => {
    const s = summarize(sample)
    return [
      name,
      fmtInt(s.n),
      fmt(s.p50, 0),
      fmt(s.p95, 0),
      cpu ? fmt(summarize(cpu).p50, 0) : '',
      ratio(s.p50, v50),
      ratio(s.p50, f50),
    ]
  }
  console.log(
    `\n## The binary (dist/ebmbot${skipBuild ? '' : `, built in ${fmt(buildMs / 1000, 1)} s`})\n`,
  )
  console.log(
    table(
      [
        'spawn to ready (serve) or exit',
        'n',
        'p50 ms',
        'p95 ms',
        'CPU p50 ms',
        'p50 vs version',
        'p50 vs floor',
      ],
      [
        row(
          'serve, new state folder (creates + migrates the db)',
          cold.map((c) => c.readyMs),
          cold.map((c) => c.cpuMs),
        ),
        row(
          'serve, existing database',
          warm.map((c) => c.readyMs),
          warm.map((c) => c.cpuMs),
        ),
        row('baseline: `ebmbot version`', version),
        row('floor: a bare program built the same way', bare),
      ],
    ),
  )
  const stop = summarize([...cold, ...warm].map((c) => c.stopMs))
  console.log(
    `\nSIGTERM to exit (idle): p50 ${fmt(stop.p50, 0)} ms, p95 ${fmt(stop.p95, 0)} ms (n ${stop.n}). CPU: all threads' time by the moment the ready line was read (/proc/PID/task/*/schedstat).\n`,
  )
  const med = (xs: (number | undefined)[]) => summarize(xs.map((x) => x ?? NaN)).p50
  const rss = med(cold.map((c) => c.idle?.rss))
  const peak = med(cold.map((c) => c.idle?.peak))
  const floorRss = med(floorMem.map((m) => m?.rss))
  const floorPeak = med(floorMem.map((m) => m?.peak))
  const [anon, file] = [med(cold.map((c) => c.idle?.anon)), med(cold.map((c) => c.idle?.file))]
  const [floorAnon, floorFile] = [
    med(floorMem.map((m) => m?.anon)),
    med(floorMem.map((m) => m?.file)),
  ]
  console.log(
    table(
      [`after ready + ${idleMs / 1000} s idle, median`, 'ebmbot serve', 'floor (idle)', 'ratio'],
      [
        ['RSS (VmRSS), MiB', fmt(rss, 1), fmt(floorRss, 1), ratio(rss, floorRss)],
        ['peak RSS (VmHWM), MiB', fmt(peak, 1), fmt(floorPeak, 1), ratio(peak, floorPeak)],
        [
          'of RSS: anonymous (RssAnon), MiB',
          fmt(anon, 1),
          fmt(floorAnon, 1),
          ratio(anon, floorAnon),
        ],
        [
          'of RSS: file-backed (RssFile), MiB',
          fmt(file, 1),
          fmt(floorFile, 1),
          ratio(file, floorFile),
        ],
        [
          'size on disk, MiB',
          fmt(sizes.bot, 1),
          fmt(sizes.floor, 1),
          `+${fmt(sizes.bot - sizes.floor, 1)} MiB`,
        ],
      ],
    ),
  )
}

if (import.meta.main) await binaryBench()
