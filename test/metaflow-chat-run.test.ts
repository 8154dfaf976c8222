// `run <Flow>` from chat: a stand-in flow script (python3, Metaflow's CLI and local datastore
// layout) started as an ebmbot job, followed in the thread through its run-id file; good and bad
// parameters, a failing step, cancel, quiet, rerun, the piped local chat, and a flow under
// confirmation and access rules (confirm: true, allow lists on the flow and the namespace).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { count } from 'drizzle-orm'
import { getThread } from '../src/queue/metaflow-threads.ts'
import { getRun } from '../src/queue/read.ts'
import { metaflowThreads, runs } from '../src/queue/schema.ts'
import type { MessageOut } from '../src/app/door.ts'
import { botEnv, runBot } from './support/bot.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { makeTempSysroot } from './support/metaflow-fixtures.ts'
import { writeStandInFlow } from './support/stand-in-flow.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { HOOK_TIMEOUT, waitUntil } from './support/wait.ts'
import { sqliteOf } from './support/sqlite-of.ts'

let sysroot: string
let flowFile: string
let yaml: string
let h: Harness

beforeAll(async () => {
  sysroot = await makeTempSysroot()
  flowFile = await writeStandInFlow(tempDir())
  yaml = `settings: {kill_grace: 1s, poll_interval: 1s}
namespaces: {}
metaflow:
  datastore_sysroot: ${sysroot}
  watch_interval: 100ms
  flows:
    HelloFlow:
      file: ${flowFile}
      params:
        alpha: {help: a number}
        seconds: {}
        mode: {choices: [fast, full]}
    GoneFlow:
      file: /nonexistent/gone.py
`
  h = await startHarness(yaml, {}, { metaflowWatcher: true })
}, HOOK_TIMEOUT)
afterAll(async () => {
  await h.stop()
  await rm(sysroot, { recursive: true, force: true })
  cleanupTemp()
})

let n = 0
const inThread = (t: string) => ({ threadTs: t, messageTs: `${t}${++n}` })
const startedIn = (t: string) =>
  h.waitForMessage((m) => m.threadTs === t && m.text.startsWith(':rocket:'))
const runIdOf = (m: MessageOut) => /`HelloFlow\/(\d+)`/.exec(m.text)![1]!
const notices = (t: string, prefix: string) =>
  h.messages().filter((m) => m.threadTs === t && m.text.startsWith(prefix))
const runCount = () => sqliteOf(h.ctx).db.select({ n: count() }).from(runs).get()!.n

describe('run <Flow> with good parameters', () => {
  const T = '700.1'
  let runId = ''
  let jobId = 0

  test('queues the flow as an ebmbot job whose command carries the parameters and a run-id file', async () => {
    const res = await h.say('run HelloFlow alpha=0.5 seconds=2', { threadTs: T, messageTs: T })
    jobId = res.runId!
    expect(res.accepted).toBe(true)
    expect(res.replies[0]).toBe(
      `Starting \`HelloFlow\` with alpha=0.5 seconds=2 as run ${jobId} (\`mode\` takes the flow's default). I will post here when the Metaflow run starts and ends (\`quiet\` stops that, \`cancel\` stops the run).`,
    )
    const row = getRun(sqliteOf(h.ctx).db, jobId)!
    expect(row.jobType).toBe('metaflow_HelloFlow')
    expect(row.params).toEqual({ alpha: '0.5', seconds: '2' })
    expect(row.command).toContain(
      `METAFLOW_USER='ebmbot' METAFLOW_DATASTORE_SYSROOT_LOCAL='${sysroot}' exec 'python3' '${flowFile}' run`,
    )
    expect(row.command).toEndWith(
      `--run-id-file '${join(h.ctx.env.stateDir, 'metaflow', 'run-ids', String(jobId))}' --alpha '0.5' --seconds '2'`,
    )
  })
  test('follows the Metaflow run in the thread: started, running, then finished, once each', async () => {
    runId = runIdOf(await startedIn(T))
    expect(runId).toMatch(/^\d{16}$/)
    expect(await reply('status')).toMatch(
      new RegExp(
        `^\`HelloFlow/${runId}\`: still running \\(for \\d+s\\)\\. Started here as run ${jobId} \\(running\\)\\. I will post here when it ends\\.$`,
      ),
    )
    const done = await h.waitForMessage(
      (m) => m.threadTs === T && m.text.startsWith(':white_check_mark: `HelloFlow/'),
      15_000,
    )
    expect(done.text).toMatch(
      new RegExp(`^:white_check_mark: \`HelloFlow/${runId}\` succeeded in \\ds\\.$`),
    )
    expect((await h.waitForState(jobId, ['succeeded'])).state).toBe('succeeded')
    await Bun.sleep(400) // several more watcher passes
    expect(notices(T, ':rocket:')).toHaveLength(1)
    expect(notices(T, ':white_check_mark: `HelloFlow/')).toHaveLength(1)
  })
  test('the thread then answers about that run: params, data, logs', async () => {
    expect(await reply('params')).toBe(
      `Parameters of \`HelloFlow/${runId}\`:\n• \`alpha\` = 0.5\n• \`mode\` = 'fast'\n• \`seconds\` = 2.0`,
    )
    expect(await reply('data message')).toMatch(/^`message` \(str, \d+ bytes\): 'hello from fast'$/)
    expect(await reply('logs start')).toBe(
      `Stdout of \`HelloFlow/${runId}/start/1\`:\n\`\`\`\nstarting with alpha=0.5\n\`\`\``,
    )
    // `logs` alone is still the ebmbot job's own output: Metaflow's progress lines.
    expect(await reply('logs')).toContain(`Workflow starting (run-id ${runId}):`)
    const help = await reply('help')
    expect(help).toStartWith(
      `This thread follows \`HelloFlow/${runId}\`, started here as run ${jobId}. Ask here:`,
    )
    expect(help).toContain('`rerun`: start it again with the same parameters')
  })
  test('rerun starts it again with the same parameters and follows the new run', async () => {
    const res = await h.say('rerun', inThread(T))
    expect(res.replies[0]).toStartWith(
      `Starting \`HelloFlow\` with alpha=0.5 seconds=2 as run ${res.runId} (\`mode\` takes the flow's default).`,
    )
    expect(res.runId).toBeGreaterThan(jobId)
    expect(getRun(sqliteOf(h.ctx).db, res.runId!)!.requestText).toBe(
      `rerun ${jobId}: run HelloFlow alpha=0.5 seconds=2`,
    )
    const second = await h.waitForMessage(
      (m) => m.threadTs === T && m.text.startsWith(`:rocket: Run ${res.runId} started`),
    )
    expect(runIdOf(second)).not.toBe(runId)
    await h.waitForState(res.runId!, ['succeeded'], 15_000)
  })

  async function reply(text: string): Promise<string> {
    return (await h.say(text, inThread(T))).replies[0]!
  }
})

describe('run <Flow> with bad parameters', () => {
  test('refused by the bot: a clear error and nothing queued', async () => {
    const before = runCount()
    expect((await h.say('run HelloFlow beta=1')).replies[0]).toBe(
      '`HelloFlow` has no parameter `beta` that chat may set. Parameters: `alpha`, `seconds`, `mode`. Nothing was started.',
    )
    expect((await h.say('run HelloFlow mode=slow')).replies[0]).toBe(
      '`mode` must be one of `fast`, `full`, not `slow`. Nothing was started.',
    )
    expect(runCount()).toBe(before)
  })
  test('a flow whose file is missing is refused before anything is queued', async () => {
    const before = runCount()
    expect((await h.say('run GoneFlow')).replies[0]).toBe(
      "The flow file of `GoneFlow` is missing on the bot's host, so nothing was started. Ask whoever runs the bot to fix `metaflow.flows.GoneFlow.file`.",
    )
    expect(runCount()).toBe(before)
  })
  test("refused by the flow itself: the job fails with Metaflow's message and no run is followed", async () => {
    const T = '710.1'
    const res = await h.say('run HelloFlow alpha=abc', { threadTs: T, messageTs: T })
    await h.waitForState(res.runId!, ['failed'])
    const report = await h.waitForMessage(
      (m) =>
        m.threadTs === T && m.purpose === 'report' && m.text.includes('failed with exit code 2'),
    )
    expect(report.text).toContain("Error: Invalid value for '--alpha': 'abc' is not a valid float.")
    await waitFor(() => getThread(sqliteOf(h.ctx).db, 'C1', T)?.lastStatus === 'not_started')
    expect((await h.say('status', inThread(T))).replies[0]).toBe(
      `\`HelloFlow\` never reported a Metaflow run id. Run ${res.runId} failed. Its report above says why; \`logs\` shows its output.`,
    )
    expect(notices(T, ':rocket:')).toHaveLength(0)
  })
})

describe('a failing flow, cancel and quiet', () => {
  test('a failed step is posted once, with the way to its error output', async () => {
    const T = '720.1'
    const res = await h.say('run HelloFlow alpha=-1', { threadTs: T, messageTs: T })
    const runId = runIdOf(await startedIn(T))
    const failed = await h.waitForMessage(
      (m) => m.threadTs === T && m.text.startsWith(':x: `HelloFlow/'),
      15_000,
    )
    // The exception the step raised and the end of its stderr, not just a pointer to the logs.
    const lines = failed.text.split('\n')
    expect(lines[0]).toMatch(
      new RegExp(`^:x: \`HelloFlow/${runId}\` failed after \\ds \\(step start failed\\)\\.$`),
    )
    expect(lines[1]).toBe('Step `start/1` raised `ValueError: alpha must not be negative`.')
    expect(lines.slice(2, 4)).toEqual(['Last lines of its stderr:', '```'])
    expect(lines.slice(-4)).toEqual([
      'ValueError: alpha must not be negative',
      'Task failed.',
      '```',
      '`logs start stderr` shows all of it; `data start _exception` the traceback.',
    ])
    await h.waitForState(res.runId!, ['failed'])
    expect((await h.say('logs start stderr', inThread(T))).replies[0]).toContain(
      'ValueError: alpha must not be negative',
    )
    // `status` says the same, and `data start _exception` shows the traceback Metaflow kept.
    const status = (await h.say('status', inThread(T))).replies[0]!
    expect(status).toStartWith(`\`HelloFlow/${runId}\`: failed after`)
    expect(status).toContain(`Started here as run ${res.runId} (failed).`)
    expect(status).toContain('Step `start/1` raised `ValueError: alpha must not be negative`.')
    expect(status).toContain('Task failed.')
    const exc = (await h.say('data start _exception', inThread(T))).replies[0]!
    expect(exc).toStartWith('`_exception` (metaflow.exception.MetaflowExceptionWrapper, ')
    expect(exc).toContain(
      '): ValueError: alpha must not be negative\n```\nTraceback (most recent call last):',
    )
  })
  test('cancel in the thread stops the ebmbot job; the run is then cancelled (not lost) in the notice, status, runs and export, said once', async () => {
    const T = '730.1'
    const res = await h.say('run HelloFlow seconds=30', { threadTs: T, messageTs: T })
    const runId = runIdOf(await startedIn(T))
    const cancel = await h.say('cancel', { ...inThread(T), user: 'U9' })
    expect(cancel.replies[0]).toBe(
      `Stopping run ${res.runId} (\`metaflow_HelloFlow\`); it will be recorded as cancelled.`,
    )
    expect((await h.waitForState(res.runId!, ['cancelled'])).cancelledBy).toBe('U9')
    const notice = await h.waitForMessage(
      (m) => m.threadTs === T && m.text.startsWith(':no_entry_sign: `HelloFlow/'),
    )
    expect(notice.text).toMatch(
      new RegExp(
        `^:no_entry_sign: \`HelloFlow/${runId}\` was cancelled( after \\d+s)? \\(run ${res.runId} was cancelled by <@U9>\\)\\.$`,
      ),
    )
    expect((await h.say('status', inThread(T))).replies[0]).toMatch(
      new RegExp(
        `^\`HelloFlow/${runId}\`: was cancelled( after \\d+s)? \\(run ${res.runId} was cancelled by <@U9>\\)\\. Started here as run ${res.runId} \\(cancelled\\)\\.$`,
      ),
    )
    // Asked elsewhere, with no thread to go by, the list agrees.
    const list = (await h.say('runs HelloFlow')).replies[0]!
    expect(list).toMatch(new RegExp(`• \`HelloFlow/${runId}\` · cancelled( \\(\\d+s\\))? · `))
    await h.say('export', inThread(T))
    const exported = await h.waitForMessage((m) => m.threadTs === T && m.file !== undefined)
    expect(JSON.parse(exported.file!.content)).toMatchObject({
      status: 'cancelled',
      finished_at: null,
      duration_ms: null,
    })
    await Bun.sleep(300)
    expect(notices(T, ':no_entry_sign: `HelloFlow/')).toHaveLength(1)
    expect(notices(T, ':warning: `HelloFlow/')).toHaveLength(0)
  })
  test('quiet stops the notices for that run', async () => {
    const T = '740.1'
    // Long enough that `quiet` lands before the flow ends however slowly this test gets there.
    const res = await h.say('run HelloFlow seconds=4', { threadTs: T, messageTs: T })
    await startedIn(T)
    expect((await h.say('quiet', inThread(T))).replies[0]).toMatch(
      /^No more notices about `HelloFlow\/\d+` here; `watch` turns them back on\.$/,
    )
    await h.waitForState(res.runId!, ['succeeded'], 15_000)
    await Bun.sleep(400)
    expect(notices(T, ':white_check_mark: `HelloFlow/')).toHaveLength(0)
  })
})

describe('two runs in one thread', () => {
  test('a second `run` does not take the thread over: status tells of both, and each run gets its started and end notices', async () => {
    const T = '750.1'
    const first = await h.say('run HelloFlow seconds=3', { threadTs: T, messageTs: T })
    const firstRun = runIdOf(await startedIn(T))
    const second = await h.say('run HelloFlow alpha=2', inThread(T))
    expect(second.replies[0]).toStartWith(
      `Starting \`HelloFlow\` with alpha=2 as run ${second.runId} (\`seconds\`, \`mode\` take the flow's defaults). A \`metaflow_HelloFlow\` run is going (run ${first.runId}); this one starts after it.`,
    )
    expect((await h.say('status', inThread(T))).replies[0]).toBe(
      `\`HelloFlow\` has not started a Metaflow run yet. Run ${second.runId} is queued.\nThis thread also follows \`HelloFlow/${firstRun}\` (run ${first.runId}): its end is posted here too.`,
    )
    await h.waitForMessage(
      (m) => m.threadTs === T && m.text.startsWith(`:white_check_mark: \`HelloFlow/${firstRun}\``),
      15_000,
    )
    const secondStarted = await h.waitForMessage(
      (m) => m.threadTs === T && m.text.startsWith(`:rocket: Run ${second.runId} started`),
      15_000,
    )
    const secondRun = runIdOf(secondStarted)
    await h.waitForMessage(
      (m) => m.threadTs === T && m.text.startsWith(`:white_check_mark: \`HelloFlow/${secondRun}\``),
      15_000,
    )
    await Bun.sleep(300)
    expect(notices(T, ':rocket:')).toHaveLength(2)
    expect(notices(T, ':white_check_mark: `HelloFlow/')).toHaveLength(2)
    // The thread now answers about the newer run.
    expect((await h.say('status', inThread(T))).replies[0]).toStartWith(
      `\`HelloFlow/${secondRun}\`: succeeded`,
    )
  })
  test('inspecting the run a thread moved aside brings it back with its watch: its end is posted once', async () => {
    const T = '760.1'
    await h.say('run HelloFlow seconds=4', { threadTs: T, messageTs: T })
    const firstRun = runIdOf(await startedIn(T))
    // Look at another run meanwhile (an earlier test's): the first is moved aside, still watched.
    const list = (await h.say('runs HelloFlow', inThread(T))).replies[0]!
    const older = /`HelloFlow\/(\d+)` · (finished|failed|cancelled)/.exec(list)![1]!
    await h.say(`inspect HelloFlow/${older}`, inThread(T))
    expect((await h.say('status', inThread(T))).replies[0]).toContain(
      `This thread also follows \`HelloFlow/${firstRun}\``,
    )
    // Back to the first run, with `watch`: one row watches it again, not two.
    await h.say(`watch HelloFlow/${firstRun}`, inThread(T))
    await h.waitForMessage(
      (m) => m.threadTs === T && m.text.startsWith(`:white_check_mark: \`HelloFlow/${firstRun}\``),
      15_000,
    )
    await Bun.sleep(400)
    expect(notices(T, `:white_check_mark: \`HelloFlow/${firstRun}\``)).toHaveLength(1)
  })
})

describe('local chat', () => {
  test('a flow quicker than the watch interval: started, then the job report, then the end, in that order', async () => {
    const dir = tempDir()
    // The watcher looks once at start and once at the end: only the job's end can link the run sooner.
    const file = writeConfig(dir, yaml.replace('watch_interval: 100ms', 'watch_interval: 1h'))
    const out = await runBot(['chat', '--config', file], {
      env: botEnv(join(dir, 'state')),
      input: 'run HelloFlow\n',
    })
    expect(out.code).toBe(0)
    const at = (re: RegExp) => out.stdout.search(re)
    const started = at(
      /🚀 Run 1 started `HelloFlow\/\d+` with the flow's defaults \(chat may set `alpha`, `seconds`, `mode`: `params HelloFlow`\)\./,
    )
    const report = at(/✅ `metaflow_HelloFlow` succeeded \(run 1/)
    const ended = at(/✅ `HelloFlow\/\d+` succeeded in \ds\./)
    expect(started).toBeGreaterThanOrEqual(0)
    expect([started < report, report < ended]).toEqual([true, true])
  })

  test('piped: the run is started, followed and reported in the terminal, then the session ends', async () => {
    const dir = tempDir()
    const file = writeConfig(dir, yaml.replace('watch_interval: 100ms', 'watch_interval: 200ms'))
    const out = await runBot(['chat', '--config', file], {
      env: botEnv(join(dir, 'state')),
      input: 'run HelloFlow alpha=2 mode=full\n',
    })
    expect(out.code).toBe(0)
    expect(out.stdout).toContain(
      "Starting `HelloFlow` with alpha=2 mode=full as run 1 (`seconds` takes the flow's default).",
    )
    // The started notice says which parameters the run was given, and comes before any report.
    expect(out.stdout).toMatch(
      /🚀 Run 1 started `HelloFlow\/\d+` with alpha=2 mode=full \(`seconds` takes the flow's default\)\./,
    )
    expect(out.stdout).toMatch(/✅ `HelloFlow\/\d+` succeeded in \ds\./)
  })
})

describe('run <Flow> under confirmation and access rules', () => {
  // Its own bot: HelloFlow needs approval; the Metaflow commands are for three people in two
  // channels (by id and by name), and HelloFlow itself for two of them; UBOSS approves.
  let gSysroot: string
  let g: Harness
  const ASK = { user: 'UASK', channel: 'CFLOWS' }
  beforeAll(async () => {
    gSysroot = await makeTempSysroot()
    g = await startHarness(
      `settings: {kill_grace: 1s, poll_interval: 1s, confirm_timeout: 1h}
namespaces: {}
metaflow:
  datastore_sysroot: ${gSysroot}
  watch_interval: 100ms
  allow: {users: [UASK, UOPS, UBOSS], channels: [CFLOWS, "#flows"]}
  approvers: {users: [UBOSS]}
  flows:
    HelloFlow:
      file: ${flowFile}
      params: [alpha, seconds]
      confirm: true
      allow: {users: [UASK, UBOSS]}
`,
      {},
      { metaflowWatcher: true },
    )
  }, HOOK_TIMEOUT)
  afterAll(async () => {
    await g.stop()
    await rm(gSysroot, { recursive: true, force: true })
  })

  let m = 0
  const at = (t: string, user: string, channel = 'CFLOWS') => ({
    user,
    channel,
    threadTs: t,
    messageTs: `${t}${++m}`,
  })
  const gRuns = () => sqliteOf(g.ctx).db.select({ n: count() }).from(runs).get()!.n
  const gThreads = () => sqliteOf(g.ctx).db.select({ n: count() }).from(metaflowThreads).get()!.n
  const runIdFile = (id: number) => join(g.ctx.env.stateDir, 'metaflow', 'run-ids', String(id))
  const inG = (t: string, prefix: string) =>
    g.messages().filter((x) => x.threadTs === t && x.text.startsWith(prefix))
  /**
   * Until the dispatcher has made one whole pass and the watcher one more after it: whatever
   * either would start or post by itself has happened by then. (The dispatcher notes a pass when
   * it begins, the watcher when it ends.)
   */
  async function passes(): Promise<void> {
    const lastPassAt = (w: string) =>
      Date.now() - (g.ctx.health.get(w)!().detail!.last_pass_ms_ago as number)
    const t0 = Date.now()
    const begun = await waitUntil('a dispatcher pass', () =>
      lastPassAt('dispatcher') > t0 ? lastPassAt('dispatcher') : 0,
    )
    const next = await waitUntil(
      'the next dispatcher pass',
      () => (lastPassAt('dispatcher') > begun ? lastPassAt('dispatcher') : 0),
      5000,
    )
    await waitUntil('a watcher pass', () => lastPassAt('metaflow-watcher') > next)
  }

  describe('confirm: true', () => {
    test("asks for approval and starts nothing; an outsider cannot approve; the requester's `yes` starts it and the thread follows the run to its end", async () => {
      const T = '900.1'
      const asked = await g.say('run HelloFlow alpha=0.5', { ...ASK, threadTs: T, messageTs: T })
      const id = asked.runId!
      expect(asked.accepted).toBe(true)
      expect(asked.replies).toHaveLength(2)
      expect(asked.replies[0]).toStartWith(
        `:raised_hand: \`metaflow_HelloFlow\` (run ${id}) needs approval before it starts. <@UASK> or an approver: press Approve, or say \`yes\` in this thread (\`no\` to deny).`,
      )
      expect(asked.replies[1]).toBe(
        `Once run ${id} is approved and starts \`HelloFlow\` with alpha=0.5, I will follow the Metaflow run in this thread.`,
      )
      const prompt = await g.waitForMessage(
        (x) => x.threadTs === T && x.text.startsWith(':raised_hand:'),
      )
      expect(prompt.controls?.buttons.map((b) => b.action)).toContain('approve')
      await passes()
      expect(getRun(sqliteOf(g.ctx).db, id)).toMatchObject({
        state: 'awaiting_approval',
        approval: 'required',
        startedAt: null,
      })
      expect(existsSync(runIdFile(id))).toBe(false)
      expect(getThread(sqliteOf(g.ctx).db, 'CFLOWS', T)).toMatchObject({
        flow: 'HelloFlow',
        runId: null,
        lastStatus: null,
        ebmbotRunId: id,
      })
      expect((await g.say('status', at(T, 'UASK'))).replies[0]).toBe(
        `\`HelloFlow\` has not started a Metaflow run yet. Run ${id} is waiting for approval.`,
      )
      // Help here offers the decision, not a rerun of something that never ran.
      const help = (await g.say('help', at(T, 'UASK'))).replies[0]!
      expect(help).toContain(`\`yes\` / \`no\`: approve or deny run ${id}`)
      expect(help).not.toContain('`rerun`')

      // Off the allow lists: an approver must first be allowed to run the flow at all.
      const outsider = await g.say('yes', at(T, 'UOTHER'))
      expect(outsider.replies).toEqual([
        'Sorry, you are not on the list of people who may run the `metaflow` commands.',
      ])
      expect(outsider.accepted).toBe(false)
      // On the namespace's list but not the flow's: UOPS may not run HelloFlow, so may not approve it.
      expect((await g.say('yes', at(T, 'UOPS'))).replies).toEqual([
        'Sorry, you are not on the list of people who may run `metaflow_HelloFlow`.',
      ])
      await passes()
      expect(getRun(sqliteOf(g.ctx).db, id)).toMatchObject({
        state: 'awaiting_approval',
        approval: 'required',
        approvalBy: null,
      })
      expect(inG(T, ':rocket:')).toHaveLength(0)

      const yes = await g.say('yes', at(T, 'UASK'))
      expect(yes.replies).toEqual([
        `:white_check_mark: <@UASK> approved run ${id} (\`metaflow_HelloFlow\`).`,
      ])
      const started = await g.waitForMessage(
        (x) => x.threadTs === T && x.text.startsWith(`:rocket: Run ${id} started \`HelloFlow/`),
      )
      const runId = runIdOf(started)
      const done = await g.waitForMessage(
        (x) => x.threadTs === T && x.text.startsWith(':white_check_mark: `HelloFlow/'),
        15_000,
      )
      expect(done.text).toMatch(
        new RegExp(`^:white_check_mark: \`HelloFlow/${runId}\` succeeded in \\ds\\.$`),
      )
      expect(await g.waitForState(id, ['succeeded'])).toMatchObject({
        approval: 'approved',
        approvalBy: 'UASK',
      })
      expect(getRun(sqliteOf(g.ctx).db, id)!.command).toEndWith(
        `--run-id-file '${runIdFile(id)}' --alpha '0.5'`,
      )
      expect((await g.say('params', at(T, 'UASK'))).replies[0]).toStartWith(
        `Parameters of \`HelloFlow/${runId}\`:\n• \`alpha\` = 0.5`,
      )
    })

    test("an approver's `no` drops the request: nothing starts and the thread stops waiting for a run", async () => {
      const T = '910.1'
      const before = gRuns()
      const asked = await g.say('run HelloFlow seconds=1', { ...ASK, threadTs: T, messageTs: T })
      const id = asked.runId!
      expect(asked.replies[0]).toStartWith(
        `:raised_hand: \`metaflow_HelloFlow\` (run ${id}) needs approval before it starts.`,
      )
      const no = await g.say('no', at(T, 'UBOSS'))
      expect(no.replies).toEqual([
        `:no_entry_sign: <@UBOSS> denied run ${id} (\`metaflow_HelloFlow\`); it will not run.`,
      ])
      expect(getRun(sqliteOf(g.ctx).db, id)).toMatchObject({
        state: 'cancelled',
        approval: 'denied',
        approvalBy: 'UBOSS',
        startedAt: null,
      })
      await waitUntil(
        'the thread to stop waiting',
        () => getThread(sqliteOf(g.ctx).db, 'CFLOWS', T)?.lastStatus === 'not_started',
      )
      await passes()
      expect(gRuns()).toBe(before + 1)
      expect(getRun(sqliteOf(g.ctx).db, id)).toMatchObject({ state: 'cancelled', startedAt: null })
      expect(existsSync(runIdFile(id))).toBe(false)
      expect(inG(T, ':rocket:')).toHaveLength(0)
      expect(inG(T, ':white_check_mark:')).toHaveLength(0)
      // Deciding again changes nothing.
      expect((await g.say('yes', at(T, 'UASK'))).replies).toEqual([
        `Run ${id} (\`metaflow_HelloFlow\`) is not waiting for approval; it was denied by <@UBOSS>.`,
      ])
      await passes()
      expect(getRun(sqliteOf(g.ctx).db, id)!.state).toBe('cancelled')
      // `status` in the thread says it never started (there is no report, and no logs, to point at).
      expect((await g.say('status', at(T, 'UASK'))).replies).toEqual([
        `\`HelloFlow\` was never started. Run ${id} was cancelled.`,
      ])
    })
  })

  describe('allow lists', () => {
    test("a user the flow's own list leaves out is refused in one line, and nothing is queued", async () => {
      const before = [gRuns(), gThreads()]
      const res = await g.say('run HelloFlow alpha=1', {
        user: 'UOPS',
        channel: 'CFLOWS',
        threadTs: '920.1',
        messageTs: '920.1',
      })
      expect(res.replies).toEqual([
        'Sorry, you are not on the list of people who may run `metaflow_HelloFlow`.',
      ])
      expect(res.accepted).toBe(false)
      expect([gRuns(), gThreads()]).toEqual(before)
      // UOPS may still use the other Metaflow commands: the flow's list narrows the namespace's.
      // Lists of flows to start offer UOPS none (and still offer HelloFlow to UASK).
      const flowsForOps = (await g.say('flows', { user: 'UOPS', channel: 'CFLOWS' })).replies[0]!
      expect(flowsForOps).not.toStartWith('Sorry')
      expect(flowsForOps).not.toContain('You may start')
      expect((await g.say('flows', { user: 'UASK', channel: 'CFLOWS' })).replies[0]).toContain(
        'You may start `HelloFlow`',
      )
      expect(
        (await g.say('metaflow help', { user: 'UOPS', channel: 'CFLOWS' })).replies[0],
      ).toContain('Flows you may start: none here.')
      expect((await g.say('run', { user: 'UOPS', channel: 'CFLOWS' })).replies[0]).toBe(
        'Usage: `run <Flow> [name=value …]`. There is no flow you may start here.',
      )
    })
    test("a user the Metaflow namespace's list leaves out is refused in one line, and nothing is queued", async () => {
      const before = [gRuns(), gThreads()]
      const res = await g.say('run HelloFlow alpha=1', {
        user: 'UOTHER',
        channel: 'CFLOWS',
        threadTs: '930.1',
        messageTs: '930.1',
      })
      expect(res.replies).toEqual([
        'Sorry, you are not on the list of people who may run the `metaflow` commands.',
      ])
      expect(res.accepted).toBe(false)
      expect([gRuns(), gThreads()]).toEqual(before)
    })
    test('in a channel the rule does not name, the same command is refused naming the channels; in one it names by #name, it is asked', async () => {
      const before = [gRuns(), gThreads()]
      const res = await g.say('run HelloFlow alpha=1', {
        user: 'UASK',
        channel: 'CRANDOM',
        channelName: 'random',
        threadTs: '940.1',
        messageTs: '940.1',
      })
      expect(res.replies).toEqual([
        'Sorry, the `metaflow` commands may only be run in <#CFLOWS>, #flows.',
      ])
      expect(res.accepted).toBe(false)
      expect([gRuns(), gThreads()]).toEqual(before)

      const T = '950.1'
      const ok = await g.say('run HelloFlow alpha=1', {
        user: 'UASK',
        channel: 'CNAMED',
        channelName: 'flows',
        threadTs: T,
        messageTs: T,
      })
      expect(ok.replies[0]).toStartWith(
        `:raised_hand: \`metaflow_HelloFlow\` (run ${ok.runId}) needs approval before it starts.`,
      )
      expect(gRuns()).toBe(before[0]! + 1)
      expect(
        (await g.say('no', { ...at(T, 'UASK', 'CNAMED'), channelName: 'flows' })).replies[0],
      ).toStartWith(`:no_entry_sign: <@UASK> denied run ${ok.runId}`)
    })
  })
})

async function waitFor(probe: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms
  while (!probe()) {
    if (Date.now() > until) throw new Error('timed out')
    await Bun.sleep(20)
  }
}
