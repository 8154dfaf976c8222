// Several instances benchmark: claims/s and command -> job start with 1, 2 and 3 instances on
// PostgreSQL, beside SQLite (the same number of processes on one file) in the same run; the
// wake-up of one instance by another (LISTEN/NOTIFY); the time until a survivor reports a dead
// instance's run. Instances are separate processes, each with its own queue connection: claim
// workers (bench/lib/claim-worker.ts) for claims/s, real `ebmbot serve` processes for the rest.
// Server: EBMBOT_BENCH_DATABASE_URL, else the local one; each measurement gets a fresh schema.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { openQueue } from '../src/queue/db.ts'
import { openPgQueue } from '../src/queue/pg/open.ts'
import type { Queue } from '../src/queue/queue.ts'
import type { RequestInput } from '../src/queue/schedule.ts'
import { delivery, freePort, pullRequest } from '../test/support/github.ts'
import { BUN, MAIN, benchDir, botEnv, collect, writeFile } from './lib/bot.ts'
import { dropSchemas, freshSchemaUrl } from './lib/postgres.ts'
import { QUICK, fmt, fmtInt, nowMs, summarize, table } from './lib/stats.ts'

const WORKER = join(import.meta.dir, 'lib', 'claim-worker.ts')
const SECRET = 'bench-secret'
const TYPES = 16
const LEASE_S = 10
const INSTANCES = [1, 2, 3] as const
const T0 = Date.UTC(2026, 0, 1)
const wallMs = () => performance.timeOrigin + performance.now()

type Backend = 'sqlite' | 'postgres'
const request = (i: number, command = 'true'): RequestInput => ({
  namespace: 'site',
  job: `j${i}`,
  jobType: `site_j${i}`,
  door: 'local',
  requestedBy: 'U1',
  channel: 'C1',
  threadTs: '1.0',
  requestText: `site j${i}`,
  params: {},
  command,
  delaySeconds: 0,
})

// ---- claims/s: k claim workers on one queue of n pending requests (n job types: all claimable)

async function claimRate(backend: Backend, k: number, n: number): Promise<number> {
  const dir = benchDir()
  const location = backend === 'postgres' ? await freshSchemaUrl() : join(dir, 'ebmbot.db')
  const q: Queue = backend === 'postgres' ? await openPgQueue(location) : openQueue(location)
  await q.atomically(async (u) => {
    for (let i = 0; i < n; i++) await u.scheduleRequest(T0, request(i))
  })
  q.close()
  const workers = Array.from({ length: k }, (_, j) => {
    const proc = Bun.spawn([BUN, WORKER, backend, location, `w${j}`], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'inherit',
    })
    return { proc, out: collect(proc.stdout) }
  })
  try {
    await Promise.all(workers.map((w) => w.out.wait(/ready/)))
    const start = nowMs()
    for (const w of workers) {
      w.proc.stdin.write('go\n')
      w.proc.stdin.flush()
    }
    const done = await Promise.all(workers.map((w) => w.out.wait(/done (\d+)/)))
    const ms = nowMs() - start
    const claimed = done.reduce((sum, m) => sum + Number(m[1]), 0)
    if (claimed !== n) throw new Error(`${backend} × ${k}: ${claimed} claims for ${n} requests`)
    return (n / ms) * 1000
  } finally {
    for (const w of workers) w.proc.kill()
    await Promise.all(workers.map((w) => w.proc.exited))
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---- serve instances: GitHub deliveries start jobs that stamp their start in starts.log

function serveConfig(workdir: string): string {
  const jobs = Array.from(
    { length: TYPES },
    (_, i) => `      j${i}:\n        run: echo [branch] $EPOCHREALTIME >> starts.log`,
  ).join('\n')
  const triggers = Array.from(
    { length: TYPES },
    (_, i) =>
      `        - {event: pull_request, action: closed, merged: true, base_branch: b${i}, namespace: site, job: j${i}, params: {branch: pull_request.head.ref}}`,
  ).join('\n')
  return `settings:
  max_parallel: ${TYPES}
  kill_grace: 1s
  shutdown_grace: 2s
  instance_lease: ${LEASE_S}s
namespaces:
  site:
    default_channel: '#site'
    workdir: ${workdir}
    jobs:
${jobs}
      slow:
        run: exec sleep 60
github:
  projects:
    site:
      triggers:
${triggers}
        - {event: pull_request, action: closed, merged: true, base_branch: slow, namespace: site, job: slow}
`
}

interface Instance {
  proc: ReturnType<typeof Bun.spawn>
  port: number
  err: ReturnType<typeof collect>
}

/** One `serve`; with `host`, in a UTS namespace of its own, so its peers take it for another machine. */
async function startServe(
  cfg: string,
  stateDir: string,
  databaseUrl: string | undefined,
  host?: string,
): Promise<Instance> {
  const port = await freePort()
  const argv = [BUN, MAIN, 'serve', '--config', cfg]
  const cmd = host
    ? ['unshare', '--uts', 'sh', '-c', 'hostname "$1"; shift; exec "$@"', 'sh', host, ...argv]
    : argv
  const proc = Bun.spawn(cmd, {
    env: botEnv(stateDir, {
      GITHUB_WEBHOOK_SECRET: SECRET,
      WEBHOOK_PORT: String(port),
      EBMBOT_LOG_LEVEL: 'info',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    }),
    stdout: 'ignore',
    stderr: 'pipe',
  })
  const err = collect(proc.stderr as ReadableStream<Uint8Array>)
  const ready = err.wait(/event=serve\.ready/)
  const exited = proc.exited.then((code) => {
    throw new Error(`serve exited ${code} before it was ready:\n${err.text.slice(-2000)}`)
  })
  await Promise.race([ready, exited])
  void exited.catch(() => {})
  return { proc, port, err }
}

async function stopAll(instances: Instance[]): Promise<void> {
  for (const i of instances) i.proc.kill('SIGTERM')
  await Promise.all(instances.map((i) => i.proc.exited))
}

/** Milliseconds since the epoch at which each tagged job started, from bash's $EPOCHREALTIME. */
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

async function waitForStart(file: string, tag: string, timeoutMs = 15_000): Promise<number> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const at = starts(file).get(tag)
    if (at !== undefined) return at
    if (Date.now() > until) throw new Error(`job ${tag} did not start within ${timeoutMs} ms`)
    await Bun.sleep(1)
  }
}

interface Setup {
  dir: string
  cfg: string
  stateDir: string
  log: string
  url?: string
}

async function setup(backend: Backend): Promise<Setup> {
  const dir = benchDir()
  const workdir = join(dir, 'work')
  return {
    dir,
    cfg: writeFile(dir, 'bench.yaml', serveConfig(workdir)),
    stateDir: join(dir, 'state'),
    log: join(workdir, 'starts.log'),
    ...(backend === 'postgres' ? { url: await freshSchemaUrl() } : {}),
  }
}

/**
 * Signed deliveries sent one at a time, in turn to each of k instances sharing one queue: from
 * the POST leaving the bench to the job's first shell command, on whichever instance claimed it.
 */
async function commandToStart(backend: Backend, k: number, n: number): Promise<number[]> {
  const s = await setup(backend)
  const instances: Instance[] = []
  try {
    // One at a time: the first migrates a new database; the others find it ready.
    for (let j = 0; j < k; j++) instances.push(await startServe(s.cfg, s.stateDir, s.url))
    const warmup = 10
    const bodies = await Promise.all(
      Array.from({ length: warmup + n }, (_, i) =>
        delivery(pullRequest({ base: `b${i % TYPES}`, head: `c${i}`, number: i + 1 }), {
          secret: SECRET,
        }),
      ),
    )
    const lat: number[] = []
    for (let i = 0; i < warmup + n; i++) {
      const to = instances[i % k]!
      const sent = wallMs()
      const [res, at] = await Promise.all([
        fetch(`http://127.0.0.1:${to.port}/github/site`, bodies[i]),
        waitForStart(s.log, `c${i}`),
      ])
      if (res.status !== 200) throw new Error(`delivery ${i} answered ${res.status}`)
      if (i >= warmup) lat.push(at - sent)
    }
    return lat
  } finally {
    await stopAll(instances)
    rmSync(s.dir, { recursive: true, force: true })
  }
}

/**
 * A request stored by another process through the Queue (as another instance's door stores it)
 * and announced with NOTIFY: from its commit to the job's first shell command on the one serve.
 */
async function crossWake(n: number): Promise<number[]> {
  const s = await setup('postgres')
  const serve = await startServe(s.cfg, s.stateDir, s.url)
  const other = await openPgQueue(s.url!, { migrate: false, max: 1 })
  try {
    const lat: number[] = []
    const warmup = 10
    for (let i = 0; i < warmup + n; i++) {
      const tag = `w${i}`
      await other.scheduleRequest(
        Date.now(),
        request(i % TYPES, `echo ${tag} $EPOCHREALTIME >> starts.log`),
      )
      const committed = wallMs()
      other.wakeups.send('dispatch')
      const at = await waitForStart(s.log, tag)
      if (i >= warmup) lat.push(at - committed)
      // The next request of this type must not wait behind this run.
      while ((await other.runningOfType(`site_j${i % TYPES}`)) !== undefined) await Bun.sleep(1)
    }
    return lat
  } finally {
    other.close()
    await stopAll([serve])
    rmSync(s.dir, { recursive: true, force: true })
  }
}

/**
 * Two instances; the one running a long job is killed with SIGKILL. From the kill to the
 * survivor recording the run lost (its report is stored with it). `otherHost`: the dead one ran
 * in a UTS namespace of its own, so its pid cannot be checked and only its lease tells. The
 * victim starts first and claims the job alone; the survivor starts after.
 */
async function deadInstance(otherHost: boolean, rounds: number): Promise<number[]> {
  const s = await setup('postgres')
  const sql = postgres(s.url!, { max: 1, onnotice: () => {} })
  const out: number[] = []
  try {
    for (let r = 0; r < rounds; r++) {
      const victim = await startServe(s.cfg, s.stateDir, s.url, otherHost ? 'elsewhere' : undefined)
      const body = await delivery(pullRequest({ base: 'slow', head: `s${r}`, number: 1000 + r }), {
        secret: SECRET,
      })
      const res = await fetch(`http://127.0.0.1:${victim.port}/github/site`, body)
      if (res.status !== 200) throw new Error(`slow delivery answered ${res.status}`)
      let run: { id: number; pid: number | null } | undefined
      for (let t = 0; t < 5000 && !run?.pid; t++) {
        ;[run] = await sql<{ id: number; pid: number | null }[]>`
          SELECT id, pid FROM runs WHERE job_type = 'site_slow' AND state = 'running'`
        await Bun.sleep(2)
      }
      if (!run?.pid) throw new Error(`the slow job did not start:\n${victim.err.text.slice(-2000)}`)
      const survivor = await startServe(s.cfg, s.stateDir, s.url)
      const killed = Date.now()
      victim.proc.kill('SIGKILL')
      await victim.proc.exited
      try {
        for (;;) {
          const [row] = await sql<{ state: string; finished_at: string | null }[]>`
            SELECT state, finished_at FROM runs WHERE id = ${run.id}`
          if (row?.state === 'lost') {
            out.push(Number(row.finished_at) - killed)
            break
          }
          if (Date.now() - killed > LEASE_S * 4000)
            throw new Error('the dead instance’s run was never reported')
          await Bun.sleep(5)
        }
      } finally {
        // On "another host" the survivor cannot stop the dead one's job; the bench does.
        try {
          process.kill(-run.pid, 'SIGKILL')
        } catch {
          // stopped by the survivor (same host)
        }
        await stopAll([survivor])
      }
    }
    return out
  } finally {
    await sql.end()
    rmSync(s.dir, { recursive: true, force: true })
  }
}

export async function instancesBench(): Promise<void> {
  const claims = QUICK ? 500 : 2000
  const commands = QUICK ? 60 : 200
  const rounds = QUICK ? 1 : 3
  try {
    const rate = new Map<string, number>()
    for (const k of INSTANCES)
      for (const b of ['sqlite', 'postgres'] as const)
        rate.set(`${b}${k}`, await claimRate(b, k, claims))
    const base = rate.get('sqlite1')!
    console.log(
      `\n## Several instances: claim + finish, no process spawned (${fmtInt(claims)} pending requests, each instance a process with its own connection)\n`,
    )
    console.log(
      table(
        ['backend', 'instances', 'claims/s', 'baseline: SQLite, 1 instance', 'ratio'],
        INSTANCES.flatMap((k) =>
          (['sqlite', 'postgres'] as const).map((b) => {
            const v = rate.get(`${b}${k}`)!
            return [
              b === 'sqlite' ? 'SQLite (one file)' : 'PostgreSQL',
              k,
              fmtInt(v),
              fmtInt(base),
              `${fmt(v / base)}×`,
            ]
          }),
        ),
      ),
    )

    const lat = new Map<string, ReturnType<typeof summarize>>()
    for (const k of INSTANCES)
      for (const b of ['sqlite', 'postgres'] as const)
        lat.set(`${b}${k}`, summarize(await commandToStart(b, k, commands)))
    const b1 = lat.get('sqlite1')!
    console.log(
      `\n## Several instances: signed GitHub delivery -> job's first shell command (real \`serve\` processes, deliveries in turn to each, ${commands} one at a time)\n`,
    )
    console.log(
      table(
        [
          'backend',
          'instances',
          'p50 ms',
          'p99 ms',
          'baseline: SQLite, 1 instance, p50 / p99',
          'ratio p50 / p99',
        ],
        INSTANCES.flatMap((k) =>
          (['sqlite', 'postgres'] as const).map((b) => {
            const v = lat.get(`${b}${k}`)!
            return [
              b === 'sqlite' ? 'SQLite (one file)' : 'PostgreSQL',
              k,
              fmt(v.p50),
              fmt(v.p99),
              `${fmt(b1.p50)} / ${fmt(b1.p99)}`,
              `${fmt(v.p50 / b1.p50)}× / ${fmt(v.p99 / b1.p99)}×`,
            ]
          }),
        ),
      ),
    )

    const wake = summarize(await crossWake(commands))
    const pg1 = lat.get('postgres1')!
    console.log(
      `\n## Cross-instance wake-up (PostgreSQL LISTEN/NOTIFY): a request committed by another process -> the job's first shell command on the serve that claims it (${commands})\n`,
    )
    console.log(
      table(
        ['path', 'p50 ms', 'p99 ms', 'max ms', 'ratio p50 / p99'],
        [
          [
            'stored by another instance, woken by NOTIFY',
            fmt(wake.p50),
            fmt(wake.p99),
            fmt(wake.max),
            `${fmt(wake.p50 / pg1.p50)}× / ${fmt(wake.p99 / pg1.p99)}×`,
          ],
          [
            'baseline: delivered to the instance that runs it (PostgreSQL, 1 instance, above)',
            fmt(pg1.p50),
            fmt(pg1.p99),
            fmt(pg1.max),
            '1.00×',
          ],
        ],
      ),
    )

    const sameHost = summarize(await deadInstance(false, rounds))
    const elsewhere = summarize(await deadInstance(true, rounds))
    const lease = LEASE_S * 1000
    console.log(
      `\n## A dead instance's run reported by the survivor (kill -9 -> run recorded lost, report stored; instance_lease ${LEASE_S}s, poll_interval 5s; ${rounds} round(s) each)\n`,
    )
    console.log(
      table(
        ['dead instance', 'p50 s', 'max s', 'baseline: instance_lease', 'ratio p50'],
        [
          [
            'on the survivor’s host (its pid is gone)',
            fmt(sameHost.p50 / 1000, 1),
            fmt(sameHost.max / 1000, 1),
            `${LEASE_S} s`,
            `${fmt(sameHost.p50 / lease)}×`,
          ],
          [
            'on another host (only its lease tells)',
            fmt(elsewhere.p50 / 1000, 1),
            fmt(elsewhere.max / 1000, 1),
            `${LEASE_S} s`,
            `${fmt(elsewhere.p50 / lease)}×`,
          ],
        ],
      ),
    )
  } finally {
    await dropSchemas()
  }
}

if (import.meta.main) await instancesBench()
