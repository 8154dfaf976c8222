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

/** `timed` for an asynchronous operation, awaited one at a time as a caller would. */
async function timedAsync(
  n: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ lat: number[]; wallMs: number }> {
  const lat = new Array<number>(n)
  const start = nowMs()
  for (let i = 0; i < n; i++) {
    const t = nowMs()
    await op(i)
    lat[i] = nowMs() - t
  }
  return { lat, wallMs: nowMs() - start }
}

const perSecond = (r: { lat: number[]; wallMs: number }) => (r.lat.length / r.wallMs) * 1000
const ratio = (a: { lat: number[]; wallMs: number }, b: { lat: number[]; wallMs: number }) =>
  fmt(perSecond(a) / perSecond(b), 2)

function row(name: string, r: { lat: number[]; wallMs: number }): (string | number)[] {
  const s = summarize(r.lat)
  return [
    name,
    fmtInt(s.n),
    fmtInt((s.n / r.wallMs) * 1000),
    fmt(s.p50 * 1000, 0),
    fmt(s.p95 * 1000, 0),
    fmt(s.p99 * 1000, 0),
    fmt(s.max * 1000, 0),
  ]
}

function rawEnqueue(sqlite: Database) {
  const running = sqlite.prepare(`SELECT id FROM runs WHERE job_type = ? AND state = 'running'`)
  const pending = sqlite.prepare(`SELECT id FROM runs WHERE job_type = ? AND state = 'pending'`)
  const insert = sqlite.prepare(RAW_INSERT)
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

async function enqueueBench(n: number): Promise<string> {
  const a = freshQueue()
  const ours = timed(n, (i) => scheduleRequest(a.q.db, T0, request(i)))
  a.q.sqlite.close()
  rmSync(a.dir, { recursive: true })
  const c = freshQueue()
  const queued = await timedAsync(n, (i) => c.q.scheduleRequest(T0, request(i)))
  c.q.close()
  rmSync(c.dir, { recursive: true })
  const b = freshQueue()
  const raw = timed(n, rawEnqueue(b.q.sqlite))
  b.q.sqlite.close()
  rmSync(b.dir, { recursive: true })
  return `${table(
    ['enqueue (one transaction each)', 'n', 'per s', 'p50 µs', 'p95 µs', 'p99 µs', 'max µs'],
    [
      row('queue.scheduleRequest (async interface)', queued),
      row('scheduleRequest (SQLite statement)', ours),
      row('raw bun:sqlite baseline', raw),
    ],
  )}\nratios: interface / statement ${ratio(queued, ours)}×, interface / raw ${ratio(queued, raw)}×, statement / raw ${ratio(ours, raw)}×`
}

async function claimFinishBench(n: number): Promise<string> {
  const fill = (q: Queue) => {
    const ins = q.sqlite.prepare(RAW_INSERT)
    q.sqlite.transaction(() => {
      for (let i = 0; i < n; i++) ins.run('b', `j${i}`, `b_j${i}`, T0, T0, `b j${i} arg`)
    })()
  }
  const a = freshQueue()
  fill(a.q)
  const ours = timed(n, () => {
    const run = claimNext(a.q.db, T0, 'w', 1_000_000)
    if (!run) throw new Error('claim found nothing')
    finishRun(a.q.db, T0 + 1, run.id, 'w', { state: 'succeeded', exitCode: 0 })
  })
  a.q.sqlite.close()
  rmSync(a.dir, { recursive: true })
  const c = freshQueue()
  fill(c.q)
  const queued = await timedAsync(n, async () => {
    const run = await c.q.claimNext(T0, 'w', 1_000_000)
    if (!run) throw new Error('claim found nothing')
    await c.q.finishRun(T0 + 1, run.id, 'w', { state: 'succeeded', exitCode: 0 })
  })
  c.q.close()
  rmSync(c.dir, { recursive: true })
  const b = freshQueue()
  fill(b.q)
  const raw = rawClaimFinish(b.q.sqlite)
  const base = timed(n, () => {
    const run = raw.claim(T0)
    if (!run) throw new Error('claim found nothing')
    raw.finish(T0 + 1, run.id)
  })
  b.q.sqlite.close()
  rmSync(b.dir, { recursive: true })
  return `${table(
    ['claim + finish (no process)', 'n', 'per s', 'p50 µs', 'p95 µs', 'p99 µs', 'max µs'],
    [
      row('queue.claimNext + finishRun (async interface)', queued),
      row('claimNext + finishRun (SQLite statements)', ours),
      row('raw bun:sqlite baseline', base),
    ],
  )}\nratios: interface / statements ${ratio(queued, ours)}×, interface / raw ${ratio(queued, base)}×, statements / raw ${ratio(ours, base)}×`
}

/** Claim latency with `history` finished runs in the table: it should not grow with history. */
function historyBench(histories: number[], claims: number): string {
  const rows: (string | number)[][] = []
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
    const page = summarize(timed(200, () => listHistory(q.db, {}, 20, 0)).lat)
    const one = summarize(timed(1000, (i) => getRun(q.db, 1 + ((i * 7919) % history || 0))).lat)
    const size = statSync(q.file).size / 2 ** 20
    rows.push([
      fmtInt(history),
      fmtInt(claims),
      fmt(sum.p50 * 1000, 0),
      fmt(sum.p95 * 1000, 0),
      fmt(sum.p99 * 1000, 0),
      fmt(page.p50 * 1000, 0),
      fmt(one.p50 * 1000, 0),
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
      'p95 µs',
      'p99 µs',
      'history page p50 µs',
      'status N p50 µs',
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
