// The dispatcher with real processes: environment allowlist, log files, reports, timeouts that
// kill grandchildren, cancel, and the failure escalation.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { groupAlive, pidAlive } from '../src/dispatcher/proc.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'
import { sqliteOf } from './support/sqlite-of.ts'

const YAML = `
settings:
  kill_grace: 1s
  poll_interval: 1s
  max_parallel: 4
namespaces:
  t:
    jobs:
      env:
        run: env | sort
        report_stdout: true
        env: [ALLOWED_VAR, {name: API_KEY, secret: true}]
      hello:
        run: echo Hello, [name]
        report_stdout: true
      fail:
        run: echo boom >&2; echo "key is $API_KEY" >&2; exit 7
        env: [{name: API_KEY, secret: true}]
      hang:
        run: bash -c 'sleep 300 & echo $! > grandchild.pid; wait'
        timeout: 3s # long enough to see the grandchild alive first on a slow machine
      stubborn:
        run: trap '' TERM; echo started; sleep 300
        timeout: 1s
      long:
        run: sleep 300
      quiet:
        run: "true"
        report_success: false
    commands:
      - {pattern: env, job: env}
      - {pattern: "hello [name]", job: hello}
      - {pattern: fail, job: fail}
      - {pattern: hang, job: hang}
      - {pattern: stubborn, job: stubborn}
      - {pattern: long, job: long}
      - {pattern: quiet, job: quiet}
`

let h: Harness
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-very-secret-token',
  SLACK_APP_TOKEN: 'xapp-very-secret',
  GITHUB_WEBHOOK_SECRET: 'gh-secret-value',
  ALLOWED_VAR: 'visible-value',
  API_KEY: 'sk-job-secret-1234',
  UNLISTED: 'not-for-jobs',
}

describe('environment', () => {
  test('a job sees PATH, HOME, LANG and its allowlist; never the bot tokens', async () => {
    h = await startHarness(YAML, SECRETS)
    const { runId } = await h.say('t env')
    const run = await h.waitForState(runId!, ['succeeded'])
    const out = readFileSync(run.stdoutPath!, 'utf8')
    const names = out
      .trim()
      .split('\n')
      .map((l) => l.split('=')[0])
      .filter((n) => n !== 'PWD' && n !== 'SHLVL' && n !== '_')
    // EBMBOT_RUN names the run (its box), so the processes it leaves behind can be found.
    expect(names.sort()).toEqual(['ALLOWED_VAR', 'API_KEY', 'EBMBOT_RUN', 'HOME', 'LANG', 'PATH'])
    expect(out).not.toContain('xoxb-very-secret-token')
    expect(out).not.toContain('not-for-jobs')
    // What users are shown has the job's secret masked.
    const report = await h.waitForMessage((m) => m.text.includes('ALLOWED_VAR'))
    expect(report.text).toContain('ALLOWED_VAR=visible-value')
    expect(report.text).toContain('API_KEY=[redacted]')
    expect(report.threadTs).toBe('100.1')
  })
})

describe('wake-ups', () => {
  test('enqueueing wakes the dispatcher: with a 60 s poll, a command starts within a second or two', async () => {
    h = await startHarness(YAML.replace('poll_interval: 1s', 'poll_interval: 60s'))
    // A first run and its report: the dispatcher has gone idle, parked in its 60 s wait.
    const first = await h.say('t hello first')
    await h.waitForState(first.runId!, ['succeeded'])
    await h.waitForMessage((m) => m.purpose === 'report')
    const { runId } = await h.say('t hello again')
    const run = await h.waitForState(runId!, ['running', 'succeeded'], 5000) // far under the poll interval
    expect(run.startedAt! - run.queuedAt).toBeLessThan(2000)
  })
})

describe('reports and logs', () => {
  test('output goes to <logs>/<job type>/<UTC start>_<id>/stdout and the result to the thread', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t hello big world')
    const run = await h.waitForState(runId!, ['succeeded'])
    expect(run.stdoutPath).toMatch(
      /\/logs\/t_hello\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z_\d+\/stdout$/,
    )
    expect(readFileSync(run.stdoutPath!, 'utf8')).toBe('Hello, big world\n')
    expect(existsSync(run.stderrPath!)).toBe(true)
    const start = await h.waitForMessage((m) => m.purpose === 'notice')
    expect(start).toMatchObject({ channel: 'logs', threadTs: null })
    expect(start.text).toContain(`\`t_hello\` (run ${runId})`)
    const report = await h.waitForMessage((m) => m.purpose === 'report')
    expect(report).toMatchObject({ channel: 'C1', threadTs: '100.1', text: 'Hello, big world' })
    expect(run).toMatchObject({
      exitCode: 0,
      requestedBy: 'U1',
      requestText: 't hello big world',
      params: { name: 'big world' },
      command: "echo Hello, 'big world'",
    })
  })
  test('a failure reports exit code and stderr tail (secrets masked), then escalates with a link', async () => {
    h = await startHarness(YAML, SECRETS)
    const { runId } = await h.say('t fail')
    await h.waitForState(runId!, ['failed'])
    const report = await h.waitForMessage((m) => m.purpose === 'report')
    expect(report.text).toContain(`\`t_fail\` failed with exit code 7 (run ${runId}`)
    expect(report.text).toContain('boom')
    expect(report.text).toContain('key is [redacted]')
    expect(report.text).not.toContain('sk-job-secret-1234')
    expect(report.text).toContain('Calling tech-support.')
    const esc = await h.waitForMessage((m) => m.purpose === 'escalation')
    expect(esc).toMatchObject({
      channel: 'tech-support',
      threadTs: null,
      linkTo: { channel: 'C1', ts: '100.1' },
    })
    // The start notice first; the report (its thread) and the escalation (tech-support's channel)
    // are in different channels, which take turns, so either may be posted first.
    const purposes = h.messages().map((m) => m.purpose)
    expect(purposes[0]).toBe('notice')
    expect(purposes.slice(1).sort()).toEqual(['escalation', 'report'])
  })
  test('a failure asked for in a DM is not escalated', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t fail', { isDirect: true, channel: 'D1' })
    await h.waitForState(runId!, ['failed'])
    await waitUntil('report', () => h.messages().some((m) => m.purpose === 'report'))
    await Bun.sleep(100)
    expect(h.messages().some((m) => m.purpose === 'escalation')).toBe(false)
    expect(h.messages().find((m) => m.purpose === 'report')?.text).not.toContain('tech-support')
  })
  test('report_success off and no output: nothing after the start notice', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t quiet')
    await h.waitForState(runId!, ['succeeded'])
    await Bun.sleep(150)
    expect(h.messages().map((m) => m.purpose)).toEqual(['notice'])
  })
})

describe('database trouble at the wrong moment', () => {
  test('a job whose pid cannot be recorded is still tracked: it finishes, is recorded and reported', async () => {
    h = await startHarness(YAML)
    // As if another writer held the lock past the busy timeout just after the spawn.
    sqliteOf(h.ctx).sqlite.run(
      `CREATE TRIGGER no_pid BEFORE UPDATE OF pid ON runs WHEN NEW.pid IS NOT NULL BEGIN SELECT RAISE(ABORT, 'database is locked'); END`,
    )
    const { runId } = await h.say('t hello still tracked')
    // Each try waits out the busy timeout (5 s), as for a real lock, without blocking the bot.
    const run = await h.waitForState(runId!, ['succeeded'], 20_000)
    expect(run.exitCode).toBe(0)
    await h.waitForMessage((m) => m.purpose === 'report' && m.text === 'Hello, still tracked')
    expect(h.logLines.some((l) => l.includes('event=run.record_start_failed'))).toBe(true)
  }, 30_000)
})

describe('timeouts and cancel', () => {
  test('a timeout kills the whole process group, grandchildren included', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t hang')
    const running = await h.waitForState(runId!, ['running'])
    const pidFile = `${h.ctx.config.namespaces.t!.workdir}/grandchild.pid`
    const grandchild = Number(
      await waitUntil(
        'grandchild pid',
        () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(),
      ),
    )
    expect(pidAlive(grandchild)).toBe(true)
    const run = await h.waitForState(runId!, ['timed_out'], 12_000)
    expect(pidAlive(grandchild)).toBe(false)
    expect(groupAlive(running.pid!)).toBe(false)
    const report = await h.waitForMessage((m) => m.purpose === 'report')
    expect(report.text).toContain('timed out after 3s')
    expect(run.finishedAt! - run.startedAt!).toBeLessThan(8000) // 3s timeout + 1s grace + slack
  })
  test('a job ignoring SIGTERM is SIGKILLed after the grace period', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t stubborn')
    const running = await h.waitForState(runId!, ['running'])
    const run = await h.waitForState(runId!, ['timed_out'], 8000)
    expect(groupAlive(running.pid!)).toBe(false)
    expect(run.finishedAt! - run.startedAt!).toBeGreaterThanOrEqual(1900) // 1s timeout + 1s grace
  })
  test('remove job id on a running job stops its group and records who cancelled it', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t long')
    const running = await h.waitForState(runId!, ['running'])
    await waitUntil(
      'pid recorded',
      () =>
        sqliteOf(h.ctx).sqlite.query('select pid from runs where id = ?').get(runId!) as {
          pid: number | null
        } | null,
    )
    const res = await h.say(`remove job id ${runId}`, { user: 'U2' })
    expect(res.replies[0]).toContain(`Stopping run ${runId}`)
    const run = await h.waitForState(runId!, ['cancelled'], 8000)
    expect(run.cancelledBy).toBe('U2')
    expect(groupAlive(running.pid ?? run.pid!)).toBe(false)
    const report = await h.waitForMessage((m) => m.purpose === 'report')
    expect(report.text).toContain('was cancelled by <@U2>')
    // The type is free again.
    const next = await h.say('t long')
    await h.waitForState(next.runId!, ['running'])
  })
})

describe('max_parallel: unlimited, as the Python ebmbot had it', () => {
  // Each job waits until all six have started: they all succeed only if they run at once.
  const together = (n: number) =>
    `touch started-${n}; for i in $(seq 1 150); do [ $(ls started-* | wc -l) -ge 6 ] && exit 0; sleep 0.1; done; exit 1`
  const yaml = (max: string) => `
settings: {max_parallel: ${max}, poll_interval: 1s, kill_grace: 1s}
namespaces:
  t:
    jobs:
${[1, 2, 3, 4, 5, 6].map((n) => `      job_${n}: {run: "${together(n)}", timeout: 30s}`).join('\n')}
    commands:
${[1, 2, 3, 4, 5, 6].map((n) => `      - {pattern: run ${n}, job: job_${n}}`).join('\n')}
`
  test('six job types run at once with unlimited; with 4, two wait', async () => {
    h = await startHarness(yaml('unlimited'))
    const ids = []
    for (const n of [1, 2, 3, 4, 5, 6]) ids.push((await h.say(`t run ${n}`)).runId!)
    for (const id of ids)
      expect((await h.waitForState(id, ['succeeded', 'failed'], 20_000)).state).toBe('succeeded')
    await h.stop()

    h = await startHarness(yaml('4'))
    for (const n of [1, 2, 3, 4, 5, 6]) await h.say(`t run ${n}`)
    await Bun.sleep(1500)
    const states = sqliteOf(h.ctx)
      .sqlite.query<{ state: string; n: number }, []>(
        'SELECT state, count(*) AS n FROM runs GROUP BY state',
      )
      .all()
    expect(states).toEqual([
      { state: 'pending', n: 2 },
      { state: 'running', n: 4 },
    ])
  }, 40_000)
})

describe('an environment entry with a fixed value', () => {
  test('the job sees the value from the config, not the service environment', async () => {
    h = await startHarness(
      `namespaces:
  t:
    jobs:
      show: {run: 'echo "path=$PYTHONPATH"', report_stdout: true, env: [{name: PYTHONPATH, value: /srv/workspace}]}
    commands:
      - {pattern: show, job: show}
`,
      { PYTHONPATH: '/from/the/service' },
    )
    const { runId } = await h.say('t show')
    const run = await h.waitForState(runId!, ['succeeded'])
    expect(readFileSync(run.stdoutPath!, 'utf8')).toBe('path=/srv/workspace\n')
  })
})
