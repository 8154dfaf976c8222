// kill -9 of the bot in the middle of a burst of commands, while jobs run, several times over,
// then a restart that drains everything: every acknowledged command is done or still queued, no
// run stays "running", and every run's report reaches the terminal. Local chat is the front door:
// a command counts as acknowledged once `(🤞 accepted: run N)` is printed. The same
// for `ebmbot serve` under a burst of signed GitHub deliveries: a delivery answered 200 is stored.
import { afterAll, describe, expect, test } from 'bun:test'
import { groupAlive } from '../src/dispatcher/proc.ts'
import { botEnv, killAfterEach, startBot } from './support/bot.ts'
import { delivery, freePort, push } from './support/github.ts'
import { burstConfig, SOAK, seededRandom } from './support/fault-config.ts'
import {
  acknowledgedRuns,
  outboxRows,
  runs,
  unbackedAcks,
  type RunRow,
} from './support/state-db.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
const killLater = killAfterEach()

const ROUNDS = SOAK ? 25 : 3
const BURST = SOAK ? 30 : 16

describe('the acknowledgement check itself', () => {
  // Without this, a checker that never complains would make the kill test pass vacuously.
  test('flags an acknowledgement whose run is missing or holds another command', () => {
    const sent = ['k j0 a', 'k j1 b', 'k j2 c']
    const rows = [
      { id: 1, request_text: 'k j0 a' },
      { id: 2, request_text: 'k j2 c' },
    ]
    expect(unbackedAcks(sent, [1], rows)).toEqual([])
    expect(unbackedAcks(sent, [1, 2], rows)).toEqual([
      '"k j1 b" was acknowledged as run 2, which holds "k j2 c"',
    ])
    expect(unbackedAcks(sent, [1, 3], rows)).toEqual([
      '"k j1 b" was acknowledged as run 3, which is not in the database',
    ])
  })
})

test(
  `kill -9 during bursts and running jobs, ${ROUNDS} times: nothing acknowledged is lost, nothing stays running, every report arrives`,
  async () => {
    const rnd = seededRandom('fault-kill')
    const state = tempDir()
    const env = botEnv(state)
    const cfg = writeConfig(state, burstConfig(ROUNDS * BURST, { sleep: 0.2, maxParallel: 4 }))
    const allSent: string[] = []
    const ackedRuns = new Set<number>()
    const runningAtKill = new Set<number>()
    let stdoutAll = ''
    let unackedAtKill = 0

    for (let round = 0; round < ROUNDS; round++) {
      const before = Math.max(0, ...runs(state).map((r) => r.id))
      const bot = killLater(startBot(['chat', '--config', cfg], { env }))
      const sent = Array.from({ length: BURST }, (_, k) => `k j${round * BURST + k} r${round}-${k}`)
      allSent.push(...sent)
      // The whole burst at once: the bot is still storing and acknowledging when the kill lands.
      bot.proc.stdin.write(sent.map((s) => `${s}\n`).join(''))
      bot.proc.stdin.flush()
      const killAfter = rnd.int(2, BURST - 6)
      const own = () => acknowledgedRuns(bot.out.stdout).filter((id) => id > before)
      await waitUntil(
        `${killAfter} acknowledgements in round ${round}`,
        () => own().length >= killAfter,
        15_000,
        1,
      )
      bot.proc.kill('SIGKILL')
      await bot.proc.exited
      stdoutAll += bot.out.stdout

      // At the moment of the crash: every acknowledgement this session printed is backed by its row.
      const rows = runs(state)
      const acked = own()
      expect(unbackedAcks(sent, acked, rows)).toEqual([])
      // Acknowledgements replayed from an earlier session's outbox belong to commands sent earlier.
      for (const id of acknowledgedRuns(bot.out.stdout).filter((x) => x <= before)) {
        expect(allSent).toContain(
          rows.find((r) => r.id === id)?.request_text ?? `missing run ${id}`,
        )
      }
      acked.forEach((id) => ackedRuns.add(id))
      unackedAtKill += BURST - acked.length
      for (const r of rows) if (r.state === 'running') runningAtKill.add(r.id)
      // Nothing is recorded that was never sent.
      for (const r of rows) expect(allSent).toContain(r.request_text)
    }

    // The kills really landed mid-burst and mid-job; otherwise this test proves nothing.
    expect(unackedAtKill).toBeGreaterThan(0)
    expect(runningAtKill.size).toBeGreaterThan(0)

    // Restart and let it drain: recovery, the held-over queue and the undelivered reports.
    const last = killLater(startBot(['chat', '--config', cfg], { env }))
    const settled = () =>
      runs(state, { readonly: true }).every((r) => r.state !== 'pending' && r.state !== 'running')
    await waitUntil('every run to end', settled, 30_000, 50)
    await waitUntil(
      'every message to be delivered',
      () => outboxRows(state, { readonly: true }).every((o) => o.state === 'sent'),
      10_000,
      50,
    )
    last.proc.stdin.end()
    expect(await last.proc.exited).toBe(0)
    stdoutAll += last.out.stdout

    const final = new Map(runs(state).map((r) => [r.id, r]))
    // Every acknowledged command ran to the end, or was recorded lost because a crash cut it short.
    for (const id of ackedRuns)
      expect(['succeeded', 'lost']).toContain(final.get(id)?.state ?? 'missing')
    // What was running at a crash is lost, never left running.
    for (const id of runningAtKill) expect(final.get(id)?.state).toBe('lost')
    for (const r of final.values()) if (r.pid) expect(groupAlive(r.pid)).toBe(false)

    // Exactly one report per run in the outbox, and each one printed.
    const reports = outboxRows(state).filter((o) => JSON.parse(o.payload).purpose === 'report')
    for (const r of final.values()) {
      expect(reports.filter((o) => o.run_id === r.id)).toHaveLength(1)
      expect(stdoutAll).toContain(reportText(r))
    }
  },
  SOAK ? 600_000 : 60_000,
)

function reportText(r: RunRow): string {
  return r.state === 'succeeded'
    ? `ran ${r.request_text.split(' ')[2]}`
    : `The bot restarted while \`${r.job_type}\` (run ${r.id}) was running; it did not finish.`
}

/** burstConfig plus a GitHub project whose push to `refs/heads/bI` runs job jI with the pushed commit as its tag. */
function webhookConfig(types: number): string {
  const triggers = Array.from(
    { length: types },
    (_, i) =>
      `        - {event: push, ref: refs/heads/b${i}, namespace: k, job: j${i}, params: {tag: after}, channel: '#ops'}`,
  )
  return [
    burstConfig(types, { sleep: 0.2, maxParallel: 4 }).trimEnd(),
    'github:',
    '  projects:',
    '    site:',
    '      triggers:',
    ...triggers,
    '',
  ].join('\n')
}

test(
  `kill -9 of serve during a burst of GitHub deliveries, ${ROUNDS} times: every delivery answered 200 is stored, and runs after the restart`,
  async () => {
    const rnd = seededRandom('fault-kill-webhooks')
    const state = tempDir()
    const port = await freePort()
    const env = botEnv(state, { WEBHOOK_PORT: String(port), GITHUB_WEBHOOK_SECRET: 'gh-secret' })
    const cfg = writeConfig(state, webhookConfig(ROUNDS * BURST))
    const url = `http://127.0.0.1:${port}/github/site`
    const acked = new Set<string>()
    let unansweredAtKill = 0

    const serve = async () => {
      const bot = killLater(startBot(['serve', '--config', cfg], { env }))
      await waitUntil(
        'serve to be ready',
        () => bot.out.stderr.includes('event=serve.ready'),
        15_000,
      )
      return bot
    }
    for (let round = 0; round < ROUNDS; round++) {
      const bot = await serve()
      const tags = Array.from({ length: BURST }, (_, k) => `c${round}x${k}`)
      const answered: string[] = []
      // A stream, four in flight: the kill lands while some are being stored and others are still
      // to come. (All sixteen at once would be stored in one group commit and answered together,
      // before any kill could land between them.)
      let next = 0
      const sender = async () => {
        for (let k = next++; k < BURST; k = next++) {
          const tag = tags[k]!
          const init = await delivery(
            { ...push(`refs/heads/b${round * BURST + k}`), after: tag },
            { event: 'push' },
          )
          const res = await fetch(url, init).catch(() => null)
          if (
            res?.status === 200 &&
            ((await res.json().catch(() => ({}))) as { outcome?: string }).outcome === 'queued'
          )
            answered.push(tag)
        }
      }
      const posts = Array.from({ length: 4 }, sender)
      const killAfter = rnd.int(2, BURST - 6)
      await waitUntil(
        `${killAfter} answers in round ${round}`,
        () => answered.length >= killAfter,
        15_000,
        1,
      )
      bot.proc.kill('SIGKILL')
      await bot.proc.exited
      const answeredAtKill = [...answered]
      await Promise.all(posts)
      // What GitHub was told is queued is in the database, whatever the kill cut short.
      const stored = new Set(runs(state).map((r) => (JSON.parse(r.params) as { tag?: string }).tag))
      expect(answeredAtKill.filter((t) => !stored.has(t))).toEqual([])
      answeredAtKill.forEach((t) => acked.add(t))
      unansweredAtKill += BURST - answeredAtKill.length
    }
    expect(unansweredAtKill).toBeGreaterThan(0) // the kills landed mid-burst

    const last = await serve()
    await waitUntil(
      'every run to end',
      () =>
        runs(state, { readonly: true }).every(
          (r) => r.state !== 'pending' && r.state !== 'running',
        ),
      30_000,
      50,
    )
    last.proc.kill('SIGTERM')
    expect(await last.proc.exited).toBe(0)
    const final = runs(state)
    for (const tag of acked) {
      const run = final.find((r) => (JSON.parse(r.params) as { tag?: string }).tag === tag)
      expect(['succeeded', 'lost']).toContain(run?.state ?? `missing run for ${tag}`)
    }
  },
  SOAK ? 600_000 : 90_000,
)
