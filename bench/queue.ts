// Queue benchmark: enqueue rate, claim+finish rate (no process spawned) and claim latency over
// growing run history, each beside a baseline of raw bun:sqlite statements doing the same work
// on the same kind of file, so the figures show what Drizzle and our transactions cost. Enqueue and
// claim+finish are also measured through the asynchronous Queue interface every caller uses, beside
// the SQLite statements it wraps, so the interface's own cost shows as a ratio.
import type { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { claimNext } from '../src/queue/claim.ts'
import { openQueue } from '../src/queue/db.ts'
import type { SqliteQueue } from '../src/queue/sqlite-queue.ts'
import { finishRun } from '../src/queue/finish.ts'
import { listHistory } from '../src/queue/history.ts'
import { getRun } from '../src/queue/read.ts'
import { scheduleRequest, type RequestInput } from '../src/queue/schedule.ts'
import { QUICK, fmt, fmtInt, nowMs, rssMiB, summarize, table } from './lib/stats.ts'

const T0 = Date.UTC(2026, 0, 1)

const request = (i: number): RequestInput => ({
  namespace: 'b',
  job: `j${i}`,
  jobType: `b_j${i}`,
  door: 'local',
  requestedBy: 'U1',
  channel: 'C1',
  threadTs: '1.0',
  requestText: `b j${i} arg`,
  params: { arg: 'value' },
  command: "echo 'value'",
  delaySeconds: 0,
})

// The raw baseline writes exactly what scheduleRequest and the claim write, with hand-written SQL.
const RAW_INSERT = `INSERT INTO runs (namespace, job, job_type, state, due_at, queued_at, door, requested_by, channel,
  thread_ts, message_ts, is_dm, request_text, params, command) VALUES (?, ?, ?, 'pending', ?, ?, 'local', 'U1', 'C1', '1.0', NULL, 0, ?, '{"arg":"value"}', 'echo ''value''')`
const RAW_CLAIM = `UPDATE runs SET state = 'running', started_at = ?1, owner = ?2
  WHERE id = (SELECT r.id FROM runs r INDEXED BY runs_claim_idx
              WHERE r.state = 'pending' AND r.due_at <= ?1
                AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.job_type = r.job_type AND x.state = 'running')
                AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.job_type = r.job_type AND s.start_at <= ?1 AND s.end_at > ?1)
              ORDER BY r.due_at, r.id LIMIT 1)
    AND (SELECT count(*) FROM runs WHERE state = 'running') < ?3
  RETURNING *`
const RAW_FINISH = `UPDATE runs SET state = 'succeeded', finished_at = ?, exit_code = 0 WHERE id = ? AND state = 'running' AND owner = ? RETURNING *`

type Queue = SqliteQueue

function freshQueue(): { q: Queue; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ebmbot-bench-'))
  return { q: openQueue(join(dir, 'ebmbot.db')), dir }
}

/** Runs `op` n times, timing each call; returns per-call latencies (ms) and the wall time. */
function timed(n: number, op: (i: number) => void): { lat: number[]; wallMs: number } {
  const lat = new Array<number>(n)
  const start = nowMs()
  for (let i = 0; i < n; i++) {
    const t = nowMs()
    op(i)
    lat[i] = nowMs() - t
  }
  return { lat, wallMs: nowMs() - start }
}

interface Timing {
  lat: number[]
  wallMs: number
}

/**
 * Runs each variant's `op` n times, in turns of n / ROUNDS calls each, every call timed and an
 * asynchronous one awaited before the next as a caller would. Taking turns spreads the shared
 * machine's load and the WAL checkpoints over every variant alike: run one after the other, a
 * burst of load on one of them swung the ratio from 0.94× to 0.51×.
 */
async function interleaved(n: number, ops: ((i: number) => unknown)[]): Promise<Timing[]> {
  const out = ops.map(() => ({ lat: new Array<number>(n), wallMs: 0 }))
  const turn = Math.ceil(n / ROUNDS)
  for (let from = 0; from < n; from += turn)
    for (const [v, op] of ops.entries()) {
      const to = Math.min(n, from + turn)
      const lat = out[v]!.lat
      const start = nowMs()
      for (let i = from; i < to; i++) {
        const t = nowMs()
        const r = op(i)
        if (r instanceof Promise) await r
        lat[i] = nowMs() - t
      }
      out[v]!.wallMs += nowMs() - start
    }
  return out
}
const ROUNDS = 20

const perSecond = (r: Timing) => (r.lat.length / r.wallMs) * 1000
const ratio = (a: Timing, b: Timing) => fmt(perSecond(a) / perSecond(b), 2)

/** One line of a rate table: the figure, the raw baseline's and their ratio (rate and p50). */
function row(name: string, r: Timing, raw: Timing): (string | number)[] {
  const s = summarize(r.lat)
  const base = summarize(raw.lat)
  return [
    name,
    fmtInt(s.n),
    fmtInt(perSecond(r)),
    fmtInt(perSecond(raw)),
    `${ratio(r, raw)}×`,
    fmt(s.p50 * 1000, 0),
    `${fmt(base.p50 / s.p50, 2)}×`,
    fmt(s.p95 * 1000, 0),
    fmt(s.p99 * 1000, 0),
    fmt(s.max * 1000, 0),
  ]
}

const RATE_HEADERS = [
  'n',
  'per s',
  'raw per s',
  'rate / raw',
  'p50 µs',
  'raw p50 / p50',
  'p95 µs',
  'p99 µs',
  'max µs',
]

function rawEnqueue(sqlite: Database) {
  const running = sqlite.prepare(`SELECT id FROM runs WHERE job_type = ? AND state = 'running'`)
  const pending = sqlite.prepare(`SELECT id FROM runs WHERE job_type = ? AND state = 'pending'`)
  const insert = sqlite.prepare(`${RAW_INSERT} RETURNING *`)
  return (i: number) => {
    sqlite.run('BEGIN IMMEDIATE')
    running.get(`b_j${i}`)
    pending.get(`b_j${i}`)
    insert.get('b', `j${i}`, `b_j${i}`, T0, T0, `b j${i} arg`)
    sqlite.run('COMMIT')
  }
}

function rawClaimFinish(sqlite: Database) {
  const claim = sqlite.prepare(RAW_CLAIM)
  const finish = sqlite.prepare(RAW_FINISH)
  return {
    claim: (now: number) => {
      sqlite.run('BEGIN IMMEDIATE')
      const r = claim.get(now, 'w', 1_000_000) as { id: number } | null
      sqlite.run('COMMIT')
      return r
    },
    finish: (now: number, id: number) => finish.get(now, id, 'w'),
  }
}

/** Three fresh queue files: the async interface's, the statements' and the raw baseline's. */
function threeQueues(): { queues: Queue[]; close: () => void } {
  const opened = [freshQueue(), freshQueue(), freshQueue()]
  return {
    queues: opened.map((o) => o.q),
    close: () => {
      for (const o of opened) {
        o.q.close()
        rmSync(o.dir, { recursive: true })
      }
    },
  }
}

async function enqueueBench(n: number): Promise<string> {
  const { queues, close } = threeQueues()
  const [viaQueue, viaStatement, viaRaw] = queues as [Queue, Queue, Queue]
  const [queued, ours, raw] = (await interleaved(n, [
    (i) => viaQueue.scheduleRequest(T0, request(i)),
    (i) => scheduleRequest(viaStatement.db, T0, request(i)),
    rawEnqueue(viaRaw.sqlite),
  ])) as [Timing, Timing, Timing]
  close()
  return `${table(
    ['enqueue (one transaction each)', ...RATE_HEADERS],
    [
      row('queue.scheduleRequest (async interface)', queued, raw),
      row('scheduleRequest (SQLite statement)', ours, raw),
      row('raw bun:sqlite baseline', raw, raw),
    ],
  )}\nratios: interface / raw ${ratio(queued, raw)}×, statement / raw ${ratio(ours, raw)}×, interface / statement ${ratio(queued, ours)}×`
}

async function claimFinishBench(n: number): Promise<string> {
  const { queues, close } = threeQueues()
  for (const q of queues) {
    const ins = q.sqlite.prepare(RAW_INSERT)
    q.sqlite.transaction(() => {
      for (let i = 0; i < n; i++) ins.run('b', `j${i}`, `b_j${i}`, T0, T0, `b j${i} arg`)
    })()
  }
  const [viaQueue, viaStatement, viaRaw] = queues as [Queue, Queue, Queue]
  const raw = rawClaimFinish(viaRaw.sqlite)
  const [queued, ours, base] = (await interleaved(n, [
    async () => {
      const run = await viaQueue.claimNext(T0, 'w', 1_000_000)
      if (!run) throw new Error('claim found nothing')
      await viaQueue.finishRun(T0 + 1, run.id, 'w', { state: 'succeeded', exitCode: 0 })
    },
    () => {
      const run = claimNext(viaStatement.db, T0, 'w', 1_000_000)
      if (!run) throw new Error('claim found nothing')
      finishRun(viaStatement.db, T0 + 1, run.id, 'w', { state: 'succeeded', exitCode: 0 })
    },
    () => {
      const run = raw.claim(T0)
      if (!run) throw new Error('claim found nothing')
      raw.finish(T0 + 1, run.id)
    },
  ])) as [Timing, Timing, Timing]
  close()
  return `${table(
    ['claim + finish (no process)', ...RATE_HEADERS],
    [
      row('queue.claimNext + finishRun (async interface)', queued, base),
      row('claimNext + finishRun (SQLite statements)', ours, base),
      row('raw bun:sqlite baseline', base, base),
    ],
  )}\nratios: interface / raw ${ratio(queued, base)}×, statements / raw ${ratio(ours, base)}×, interface / statements ${ratio(queued, ours)}×`
}

/** Claim latency with `history` finished runs in the table: it should not grow with history. */
function historyBench(histories: number[], claims: number): string {
  const rows: (string | number)[][] = []
  // The first size's figures: every other size is shown as a multiple of them.
  let first: { claim: number; page: number; one: number; recent: number } | undefined
  for (const history of histories) {
    const { q, dir } = freshQueue()
    const done =
      q.sqlite.prepare(`INSERT INTO runs (namespace, job, job_type, state, due_at, queued_at, started_at, finished_at, door, requested_by,
      channel, request_text, params, command, exit_code, owner) VALUES ('h', ?, ?, 'succeeded', ?, ?, ?, ?, 'slack', 'U1', 'C1', 'h j', '{}', 'true', 0, 'old')`)
    const t = nowMs()
    q.sqlite.transaction(() => {
      // 50 job types, like a busy team's config; times spread over the past.
      for (let i = 0; i < history; i++)
        done.run(
          `j${i % 50}`,
          `h_j${i % 50}`,
          T0 - history + i,
          T0 - history + i,
          T0 - history + i,
          T0 - history + i + 1,
        )
    })()
    const ins = q.sqlite.prepare(RAW_INSERT)
    q.sqlite.transaction(() => {
      for (let i = 0; i < claims; i++) ins.run('b', `j${i}`, `b_j${i}`, T0, T0, `b j${i} arg`)
    })()
    q.sqlite.run('PRAGMA wal_checkpoint(TRUNCATE)')
    const fillMs = nowMs() - t
    const claim = (now: number, owner: string, max: number) => claimNext(q.db, now, owner, max)
    const lat: number[] = []
    for (let i = 0; i < claims; i++) {
      const s = nowMs()
      const run = claim(T0, 'w', 4)
      lat.push(nowMs() - s)
      if (!run) throw new Error('claim found nothing')
      finishRun(q.db, T0 + 1, run.id, 'w', { state: 'succeeded', exitCode: 0 })
    }
    const sum = summarize(lat)
    // `history` (the newest page, no filter) and `status N` (one run by id) at this size.
    const page = summarize(timed(1000, () => listHistory(q.db, {}, 20, 0)).lat)
    // Any run (its pages seldom in SQLite's cache at a million runs) and one of the newest 1,000.
    const total = history + claims
    const one = summarize(timed(1000, (i) => getRun(q.db, 1 + ((i * 7919) % total))).lat)
    const recent = summarize(timed(1000, (i) => getRun(q.db, total - ((i * 7919) % 1000))).lat)
    const size = statSync(q.file).size / 2 ** 20
    first ??= { claim: sum.p50, page: page.p50, one: one.p50, recent: recent.p50 }
    rows.push([
      fmtInt(history),
      fmtInt(claims),
      fmt(sum.p50 * 1000, 0),
      `${fmt(sum.p50 / first.claim, 2)}×`,
      fmt(sum.p99 * 1000, 0),
      fmt(page.p50 * 1000, 0),
      `${fmt(page.p50 / first.page, 2)}×`,
      fmt(one.p50 * 1000, 1),
      `${fmt(one.p50 / first.one, 2)}×`,
      fmt(recent.p50 * 1000, 1),
      `${fmt(recent.p50 / first.recent, 2)}×`,
      fmt(size, 1),
      fmt(fillMs / 1000, 1),
    ])
    q.sqlite.close()
    rmSync(dir, { recursive: true })
  }
  return table(
    [
      'history rows',
      'claims',
      'claim p50 µs',
      '÷ first row',
      'claim p99 µs',
      'history page p50 µs',
      '÷ first row',
      'status N (any) p50 µs',
      '÷ first row',
      'status N (newest 1,000) p50 µs',
      '÷ first row',
      'db MiB',
      'fill s',
    ],
    rows,
  )
}

export async function queueBench(): Promise<void> {
  const n = QUICK ? 5_000 : 20_000
  console.log(`\n## Queue (bun:sqlite, WAL, synchronous=NORMAL, one transaction per operation)\n`)
  console.log(await enqueueBench(n))
  console.log()
  console.log(await claimFinishBench(n))
  console.log()
  console.log(
    historyBench(QUICK ? [0, 10_000, 100_000] : [0, 100_000, 1_000_000], QUICK ? 1_000 : 5_000),
  )
  const mem = rssMiB()
  console.log(
    `\nbench process memory: RSS ${fmt(mem?.rss ?? NaN, 0)} MiB, peak ${fmt(mem?.peak ?? NaN, 0)} MiB`,
  )
}

if (import.meta.main) await queueBench()
