// `ebmbot serve` stopped with SIGTERM, as systemd stops it: it takes no new work, lets a running
// job finish within settings.shutdown_grace, and past the grace stops the job's whole process
// group and records it lost, with its report kept for delivery. It exits 0 either way.
import { afterAll, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openQueue } from '../src/queue/db.ts'
import { scheduleRequest } from '../src/queue/schedule.ts'
import { groupAlive } from '../src/dispatcher/proc.ts'
import { botEnv, killAfterEach, runBot, startBot } from './support/bot.ts'
import { dbFile, outboxRows, runs } from './support/state-db.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
const killLater = killAfterEach()

const yaml = (graceS: number) => `
settings:
  kill_grace: 1s
  poll_interval: 1s
  shutdown_grace: ${graceS}s
namespaces:
  s:
    workdir: .
    jobs:
      short: {run: "until [ -e go ]; do sleep 0.05; done; echo short done", report_stdout: true}
      long: {run: "sleep 60; echo never", report_stdout: true}
      later: {run: "echo later"}
    commands:
      - {pattern: short, job: short}
      - {pattern: long, job: long}
      - {pattern: later, job: later}
`

/** serve has no front door of its own here: requests go in through the queue, as a door would put them. */
function enqueue(state: string, job: string) {
  const q = openQueue(dbFile(state))
  try {
    return scheduleRequest(q.db, Date.now(), {
      namespace: 's',
      job,
      jobType: `s_${job}`,
      door: 'local',
      requestedBy: 'local',
      channel: 'local',
      requestText: `s ${job}`,
      params: {},
      command:
        job === 'short'
          ? 'until [ -e go ]; do sleep 0.05; done; echo short done'
          : job === 'long'
            ? 'sleep 60; echo never'
            : 'echo later',
      delaySeconds: 0,
    }).run
  } finally {
    q.sqlite.close()
  }
}

async function serveWithRunningJob(job: string, graceS: number) {
  const state = tempDir()
  const cfg = writeConfig(state, yaml(graceS))
  const bot = killLater(startBot(['serve', '--config', cfg], { env: botEnv(state) }))
  await waitUntil('serve to be ready', () => bot.out.stderr.includes('event=serve.ready'), 15_000)
  const run = enqueue(state, job)
  const running = await waitUntil(
    `${job} to start`,
    () =>
      runs(state, { readonly: true }).find(
        (r) => r.id === run.id && r.state === 'running' && r.pid,
      ),
    10_000,
  )
  return { state, cfg, bot, running }
}

test('SIGTERM while a job runs: no new work is taken, the job finishes within the grace, exit 0', async () => {
  // A grace a slow machine cannot outrun between the test's `go` and the job's exit.
  const { state, bot, running } = await serveWithRunningJob('short', 10)
  bot.proc.kill('SIGTERM')
  await waitUntil(
    'serve to start stopping',
    () => bot.out.stderr.includes('event=serve.stopping'),
    5000,
  )
  const after = enqueue(state, 'later') // arrives during shutdown: must wait for the next start
  // The job ends inside the grace, on the test's word rather than a timer a slow machine could outrun.
  writeFileSync(join(state, 'go'), '')
  expect(await bot.proc.exited).toBe(0)
  expect(bot.out.stderr).toMatch(/event=serve\.stopping signal=SIGTERM running=1 grace_ms=10000/)
  expect(bot.out.stderr).toContain('event=serve.stopped')
  const rows = runs(state)
  expect(rows.find((r) => r.id === running.id)).toMatchObject({ state: 'succeeded' })
  expect(rows.find((r) => r.id === after.id)).toMatchObject({ state: 'pending' })
  // Its report is stored for delivery even though serve had no terminal to print it on.
  const report = outboxRows(state).find(
    (o) => o.run_id === running.id && JSON.parse(o.payload).purpose === 'report',
  )
  expect(JSON.parse(report!.payload).text).toBe('short done')
}, 30_000)

test('SIGTERM while a job outlasts the grace: its process group is stopped, it is recorded lost and reported, exit 0', async () => {
  const { state, cfg, bot, running } = await serveWithRunningJob('long', 2)
  const t = Date.now()
  bot.proc.kill('SIGTERM')
  expect(await bot.proc.exited).toBe(0)
  const took = Date.now() - t
  expect(took).toBeGreaterThanOrEqual(2000) // the grace was given
  expect(took).toBeLessThan(2000 + 1000 + 3000) // grace + kill_grace + slack; never the 60 s job
  expect(groupAlive(running.pid!)).toBe(false)
  expect(runs(state).find((r) => r.id === running.id)).toMatchObject({
    state: 'lost',
    detail: 'the bot was stopped while it ran',
  })
  // The report waits in the outbox and reaches the requester on the next start.
  const next = await runBot(['chat', '--config', cfg], { env: botEnv(state), input: '' })
  expect(next.code).toBe(0)
  expect(next.stdout).toContain(
    `The bot was stopped while \`s_long\` (run ${running.id}) was running; it did not finish.`,
  )
}, 30_000)
