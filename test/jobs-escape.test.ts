// Jobs cannot outgrow their run: a child that double-forks and calls setsid (a daemon) ends with
// the run however it ends (success, failure, timeout, cancel, shutdown, lost-run recovery after
// kill -9), with a cgroup per run and with the subreaper sweep, through real processes.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openBoxes } from '../src/dispatcher/containment.ts'
import { readEntry } from '../src/dispatcher/proc-scan.ts'
import { botEnv, runBot, startBot } from './support/bot.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

// The daemon: a subshell starts a background setsid bash (new session and process group) and
// exits at once, so the daemon's parent is gone (double fork); it writes its sleep's pid.
// The job then waits for the test to have seen the daemon alive (the file "go").
const DAEMON = `(setsid bash -c 'sleep 300 & echo $! > daemon.pid; wait' &); until [ -s daemon.pid ] && [ -e go ]; do sleep 0.05; done`

const yaml = (mode: string) => `
settings:
  kill_grace: 1s
  containment: ${mode}
namespaces:
  t:
    jobs:
      escape:
        run: ${JSON.stringify(`${DAEMON}; exit [code]`)}
      hang:
        run: ${JSON.stringify(`${DAEMON}; sleep 300`)}
        timeout: 3s
      bare:
        # Leaves the environment (no marker), the session and the process group behind.
        run: "(env -i setsid sleep 300 & echo $! > daemon.pid); until [ -e go ]; do sleep 0.05; done"
    commands:
      - {pattern: "escape [code]", job: escape}
      - {pattern: hang, job: hang}
      - {pattern: bare, job: bare}
`

/** Running (or sleeping): in the process table and not a zombie waiting to be collected. */
const alive = (pid: number) => {
  const e = readEntry(pid)
  return !!e && e.state !== 'Z'
}

const cgroupsHere = (() => {
  try {
    const boxes = openBoxes('cgroup', '/probe')
    boxes.close()
    return boxes.mode === 'cgroup'
  } catch {
    return false
  }
})()

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

async function daemonOf(harness: Harness): Promise<number> {
  const file = join(harness.ctx.config.namespaces.t!.workdir, 'daemon.pid')
  const pid = Number(
    await waitUntil('the daemon pid', () => existsSync(file) && readFileSync(file, 'utf8').trim()),
  )
  expect(alive(pid)).toBe(true)
  writeFileSync(join(harness.ctx.config.namespaces.t!.workdir, 'go'), '')
  return pid
}

for (const mode of ['cgroup', 'sweep'] as const) {
  // cgroup mode needs a writable cgroup v2 hierarchy (root, or systemd's Delegate=yes).
  const d = mode === 'cgroup' && !cgroupsHere ? describe.skip : describe
  d(`containment: ${mode}`, () => {
    test(`${mode}: a daemon a job started is gone when its successful run is recorded`, async () => {
      h = await startHarness(yaml(mode))
      const { runId } = await h.say('t escape 0')
      const daemon = await daemonOf(h)
      const run = await h.waitForState(runId!, ['succeeded', 'failed'])
      expect(run.state).toBe('succeeded')
      expect(alive(daemon)).toBe(false)
      // The bot adopted it (subreaper) and collects it: no zombie is left in the process table.
      await waitUntil('the daemon collected', () => readEntry(daemon) === null)
      expect(h.logLines.some((l) => l.includes('run.leftovers_stopped'))).toBe(true)
      // The run's cgroup is gone with it.
      const cgroup = h.dispatcher.boxes.forRun(run.id).cgroup
      expect(cgroup === null || !existsSync(cgroup)).toBe(true)
      expect(cgroup === null).toBe(mode === 'sweep')
    })

    test(`${mode}: a daemon a job started is gone when its failed run is recorded`, async () => {
      h = await startHarness(yaml(mode))
      const { runId } = await h.say('t escape 3')
      const daemon = await daemonOf(h)
      const run = await h.waitForState(runId!, ['succeeded', 'failed'])
      expect(run.exitCode).toBe(3)
      expect(alive(daemon)).toBe(false)
    })

    test(`${mode}: a timeout stops the daemon too, and the type is free only after`, async () => {
      h = await startHarness(yaml(mode))
      const { runId } = await h.say('t hang')
      const daemon = await daemonOf(h)
      await h.waitForState(runId!, ['timed_out'], 12_000)
      expect(alive(daemon)).toBe(false)
      const next = await h.say('t hang')
      await h.waitForState(next.runId!, ['running'])
      expect(alive(daemon)).toBe(false)
    })

    test(`${mode}: remove job id stops the daemon too`, async () => {
      h = await startHarness(yaml(mode))
      const { runId } = await h.say('t hang')
      const daemon = await daemonOf(h)
      await h.say(`remove job id ${runId}`, { user: 'U2' })
      await h.waitForState(runId!, ['cancelled'])
      expect(alive(daemon)).toBe(false)
    })

    test(`${mode}: a shutdown stops the daemon of a run it records lost`, async () => {
      h = await startHarness(yaml(mode))
      const { runId } = await h.say('t hang')
      const daemon = await daemonOf(h)
      await h.dispatcher.stop(0)
      const run = await h.waitForState(runId!, ['lost'])
      expect(run.detail).toContain('stopped')
      expect(alive(daemon)).toBe(false)
    })

    test(`${mode}: after kill -9 of the bot, the restarted bot stops the lost run's daemon`, async () => {
      const state = tempDir()
      const config = writeConfig(tempDir(), yaml(mode))
      const env = botEnv(state, { EBMBOT_CONFIG: config })
      const bot = startBot(['chat'], { env })
      bot.send('t hang')
      const workdir = join(`${state}-jobs`, 'workspace', 't')
      const file = join(workdir, 'daemon.pid')
      const daemon = Number(
        await waitUntil(
          'the daemon pid',
          () => existsSync(file) && readFileSync(file, 'utf8').trim(),
          15_000,
        ),
      )
      writeFileSync(join(workdir, 'go'), '')
      bot.proc.kill('SIGKILL')
      await bot.proc.exited
      expect(alive(daemon)).toBe(true) // it outlived the bot
      const restart = await runBot(['chat'], { env, input: '' })
      expect(restart.stdout).toContain('The bot restarted while `t_hang` (run 1) was running')
      expect(alive(daemon)).toBe(false)
    }, 30_000)
  })
}

describe('cgroup only', () => {
  const t = cgroupsHere ? test : test.skip
  t(
    'cgroup: a child that clears its environment and leaves its session still ends with the run',
    async () => {
      h = await startHarness(yaml('cgroup'))
      const { runId } = await h.say('t bare')
      const daemon = await daemonOf(h)
      await h.waitForState(runId!, ['succeeded'])
      expect(alive(daemon)).toBe(false)
    },
  )
})

describe('adopted orphans', () => {
  test('an orphan of a job that exits while the run goes on is collected, not left a zombie', async () => {
    h = await startHarness(`
settings:
  poll_interval: 1s
  containment: sweep
namespaces:
  t:
    jobs:
      orphan:
        run: "(sleep 0.1 & echo $! > orphan.pid); until [ -e go ]; do sleep 0.05; done"
    commands:
      - {pattern: orphan, job: orphan}
`)
    const { runId } = await h.say('t orphan')
    const dir = h.ctx.config.namespaces.t!.workdir
    const file = join(dir, 'orphan.pid')
    const pid = Number(
      await waitUntil(
        'the orphan pid',
        () => existsSync(file) && readFileSync(file, 'utf8').trim(),
      ),
    )
    // The bot is its parent now (subreaper); once it exits, a dispatcher pass collects it.
    await waitUntil('the orphan collected', () => readEntry(pid) === null)
    expect((await h.ctx.queue.getRun(runId!))?.state).toBe('running')
    writeFileSync(join(dir, 'go'), '')
    await h.waitForState(runId!, ['succeeded'])
  })

  test('a child the bot itself spawned and is still to collect is left to Bun, whose wait for it succeeds', async () => {
    const boxes = openBoxes('sweep', join(tempDir(), 'reap.db'))
    try {
      const child = Bun.spawn(['true'])
      // Synchronously, so Bun has no turn to collect it first: wait until it is a zombie.
      const until = Date.now() + 5000
      while (readEntry(child.pid)?.state !== 'Z' && Date.now() < until) {}
      expect(readEntry(child.pid)?.state).toBe('Z')
      boxes.reap(new Set())
      expect(await child.exited).toBe(0)
    } finally {
      boxes.close()
    }
  })
})
