// Following and steering a run from its thread (and by number): status, logs, cancel, rerun,
// quiet, history; guests kept out of restricted namespaces; secrets masked in logs.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getRun } from '../src/queue/read.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitForLog } from './support/wait.ts'
import { sqliteOf } from './support/sqlite-of.ts'

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  t:
    jobs:
      chatty:
        run: for i in 1 2 3; do echo "line $i token=$API_KEY"; done; echo oops >&2; sleep 300
        env: [{name: API_KEY, secret: true}]
      hello:
        run: echo Hello, [name]
        report_stdout: true
      fail:
        run: exit 4
      leak:
        run: cat leaked.txt
        report_stdout: true
    commands:
      - {pattern: leak, job: leak}
      - {pattern: chatty, job: chatty}
      - {pattern: "hello [name]", job: hello}
      - {pattern: fail, job: fail}
  ops:
    restricted: true
    jobs:
      x:
        run: echo secret-output
    commands:
      - {pattern: x, job: x}
`

let h: Harness
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

const inThread = (ts: string, n: number) => ({
  threadTs: ts,
  messageTs: `${ts.split('.')[0]}.${900 + n}`,
})

describe("a run's thread", () => {
  test('status, logs, logs stderr, quiet and cancel need no number there', async () => {
    h = await startHarness(YAML, { API_KEY: 'sk-thread-secret' })
    const { runId } = await h.say('t chatty', { threadTs: '500.1', messageTs: '500.1' })
    const started = await h.waitForState(runId!, ['running'])
    await waitForLog(started.stderrPath, 'oops') // printed after the three lines

    const status = await h.say('status', inThread('500.1', 1))
    expect(status.replies[0]).toStartWith(`Run ${runId}, \`t_chatty\`: *running*`)
    expect(status.replies[0]).toContain('Asked by <@U1>')

    const logs = await h.say('logs', inThread('500.1', 2))
    expect(logs.replies[0]).toContain('line 3 token=[redacted]')
    expect(logs.replies[0]).not.toContain('sk-thread-secret')
    const two = await h.say('logs 2', inThread('500.1', 3))
    expect(two.replies[0]).toContain('line 2')
    expect(two.replies[0]).not.toContain('line 1')
    expect((await h.say('logs stderr', inThread('500.1', 4))).replies[0]).toContain('oops')

    await h.say('quiet', inThread('500.1', 5))
    expect(getRun(sqliteOf(h.ctx).db, runId!)?.quiet).toBe(true)

    const cancel = await h.say('cancel', { ...inThread('500.1', 6), user: 'U7' })
    expect(cancel.replies[0]).toContain(`Stopping run ${runId}`)
    const done = await h.waitForState(runId!, ['cancelled'], 8000)
    expect(done.cancelledBy).toBe('U7')
    // Every answer went to the thread.
    expect(
      h
        .messages()
        .filter((m) => m.purpose === 'reply')
        .every((m) => m.threadTs === '500.1'),
    ).toBe(true)
  })
  test('rerun queues the same job and params again, reporting in the thread', async () => {
    h = await startHarness(YAML)
    const first = await h.say('t hello big world', { threadTs: '600.1', messageTs: '600.1' })
    await h.waitForState(first.runId!, ['succeeded'])
    const again = await h.say('rerun', inThread('600.1', 1))
    expect(again.replies[0]).toContain(`Rerunning run ${first.runId} as run ${again.runId}`)
    const run = await h.waitForState(again.runId!, ['succeeded'])
    expect(run.params).toEqual({ name: 'big world' })
    const reports = h
      .messages()
      .filter((m) => m.purpose === 'report' && m.text === 'Hello, big world')
    expect(reports).toHaveLength(2)
    expect(reports.every((m) => m.threadTs === '600.1')).toBe(true)
    // The thread now belongs to the newest run.
    expect((await h.say('status', inThread('600.1', 2))).replies[0]).toStartWith(
      `Run ${again.runId},`,
    )
  })
  test('logs all uploads the whole output as a file', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t hello there')
    await h.waitForState(runId!, ['succeeded'])
    await h.say(`logs ${runId} all`)
    const msg = await h.waitForMessage((m) => !!m.file)
    expect(msg.file).toEqual({ filename: `t_hello-${runId}-stdout.txt`, content: 'Hello, there\n' })
  })
})

describe('history', () => {
  test('newest first, filtered by job and outcome, paged', async () => {
    h = await startHarness(YAML)
    const ids: number[] = []
    for (let i = 0; i < 12; i++) {
      const { runId } = await h.say(`t hello n${i}`)
      await h.waitForState(runId!, ['succeeded'])
      ids.push(runId!)
    }
    const failed = await h.say('t fail')
    await h.waitForState(failed.runId!, ['failed'])

    const page1 = (await h.say('history')).replies[0]!
    expect(page1).toContain('page 1 of 2, 13 in all')
    expect(page1.indexOf(`[${failed.runId}]`)).toBeLessThan(page1.indexOf(`[${ids[11]}]`))
    expect(page1).toContain('Say `history page 2` for older runs.')
    const page2 = (await h.say('history page 2')).replies[0]!
    expect(page2).toContain(`[${ids[0]}] \`t_hello\` succeeded, by <@U1>`)
    const onlyFailed = (await h.say('history failed')).replies[0]!
    expect(onlyFailed).toContain(`[${failed.runId}] \`t_fail\` failed`)
    expect(onlyFailed).not.toContain('t_hello')
    const byJob = (await h.say('history t hello page 2')).replies[0]!
    expect(byJob).toContain('Runs of `t_hello`, newest first (page 2 of 2, 12 in all)')
  })
  test('past a thousand runs the reply says "more than 1,000" and still offers the next page', async () => {
    h = await startHarness(YAML)
    sqliteOf(h.ctx).sqlite.run(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005)
       INSERT INTO runs (namespace, job, job_type, state, due_at, queued_at, started_at,
                         finished_at, door, requested_by, channel, request_text, params, command)
       SELECT 't', 'hello', 't_hello', 'succeeded', 0, 0, 0, 1000, 'slack', 'U1', 'C1', 't hello',
              '{}', 'true' FROM n`,
    )
    const page1 = (await h.say('history')).replies[0]!
    expect(page1).toContain('Runs, newest first (page 1, more than 1,000 in all):')
    expect(page1).toContain('Say `history page 2` for older runs.')
    const last = (await h.say('history t hello page 101')).replies[0]!
    expect(last).toContain('Runs of `t_hello`, newest first (page 101, more than 1,000 in all):')
    expect(last).toContain('• [1] `t_hello` succeeded')
    expect(last).not.toContain('Say `history')
  })
})

describe('the bot’s own secrets', () => {
  test('a job that prints the bot’s token (it never gets it, but it may find it) shows it masked in the report and in logs', async () => {
    const BOT = 'xoxb-1111-2222-very-secret'
    const APP = 'xapp-1-A1-3333-also-secret'
    h = await startHarness(YAML, { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP })
    // The workdir is made when the first job starts: put the file where the job will look.
    const workdir = h.ctx.config.namespaces.t!.workdir
    mkdirSync(workdir, { recursive: true })
    writeFileSync(join(workdir, 'leaked.txt'), `bot=${BOT} app=${APP}\n`)
    const { runId } = await h.say('t leak')
    await h.waitForState(runId!, ['succeeded'])
    const report = await h.waitForMessage((m) => m.purpose === 'report')
    expect(report.text).toBe('bot=[redacted] app=[redacted]')
    const logs = (await h.say(`logs ${runId}`)).replies[0]!
    expect(logs).toContain('bot=[redacted] app=[redacted]')
    expect(logs).not.toContain('very-secret')
  })
})

describe('guests', () => {
  test('a guest cannot read the status or logs of, cancel or rerun a restricted namespace run', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('ops x')
    await h.waitForState(runId!, ['succeeded'])
    for (const verb of ['status', 'logs', 'rerun', 'cancel']) {
      const r = await h.say(`${verb} ${runId}`, { isGuest: true, user: 'G1' })
      expect(r.replies[0]).toContain(
        'only internal members of this workspace may use the `ops` commands',
      )
      expect(r.accepted).toBe(false)
    }
  })

  test('history shows a guest only the runs of namespaces open to guests', async () => {
    h = await startHarness(YAML)
    const secret = await h.say('ops x')
    const open = await h.say('t hello you')
    await h.waitForState(secret.runId!, ['succeeded'])
    await h.waitForState(open.runId!, ['succeeded'])
    const guest = (await h.say('history', { isGuest: true, user: 'G1' })).replies[0]!
    expect(guest).toContain('1 in all')
    expect(guest).toContain('`t_hello`')
    expect(guest).not.toContain('ops_x')
    expect((await h.say('history')).replies[0]).toContain('2 in all')
  })
})
