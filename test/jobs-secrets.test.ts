// Jobs cannot reach the bot's secrets: they get a HOME and working folder outside the state
// folder; the database and logs are the bot's alone whatever the umask; with settings.run_as
// they run as another user; and the bot is non-dumpable, so even a job of the same user cannot
// read its environment (where the Slack tokens are). Real processes, real users (as root).
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, MAIN } from './support/bot.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp, REPO, tempDir, writeConfig } from './support/temp.ts'
import { NOT_ROOT, testUser } from './support/users.ts'

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8)
const within = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`)

const where = `
namespaces:
  t:
    jobs:
      where: {run: 'echo "$HOME"; pwd', report_stdout: true}
    commands:
      - {pattern: where, job: where}
`

test("a job's HOME and working folder are outside the state folder, even when the bot's HOME is the state folder", async () => {
  const stateDir = tempDir()
  // As under systemd, where the bot's HOME is its state folder.
  h = await startHarness(where, { HOME: stateDir }, { stateDir })
  const { runId } = await h.say('t where')
  const run = await h.waitForState(runId!, ['succeeded'])
  const [home, cwd] = readFileSync(run.stdoutPath!, 'utf8').trim().split('\n')
  expect(within(home!, stateDir)).toBe(false)
  expect(within(cwd!, stateDir)).toBe(false)
  expect(home).toBe(`${stateDir}-jobs`)
  expect(cwd).toBe(join(`${stateDir}-jobs`, 'workspace', 't'))
})

test('the state folder, database and run logs are 0700/0600 under a umask that allows everything', async () => {
  const before = process.umask(0)
  try {
    const stateDir = join(tempDir(), 'state')
    h = await startHarness(where, {}, { stateDir })
    const { runId } = await h.say('t where')
    const run = await h.waitForState(runId!, ['succeeded'])
    expect(mode(stateDir)).toBe('700')
    for (const f of ['ebmbot.db', 'ebmbot.db-wal', 'ebmbot.db-shm'])
      expect(`${f} ${mode(join(stateDir, f))}`).toBe(`${f} 600`)
    expect(mode(h.ctx.logsDir)).toBe('700')
    expect(mode(join(run.stdoutPath!, '..'))).toBe('700')
    expect(mode(run.stdoutPath!)).toBe('600')
    expect(mode(run.stderrPath!)).toBe('600')
  } finally {
    process.umask(before)
  }
})

describe('settings.run_as', () => {
  const jobs = testUser('ebmbot-test-jobs')
  const t = jobs ? test : test.skip
  if (!jobs) console.warn(`skipping run_as tests: ${NOT_ROOT}`)

  t(
    "a job runs as the run_as user: it cannot read the bot's environment or reach its state folder",
    async () => {
      const stateDir = tempDir()
      const yaml = `
settings: {run_as: ebmbot-test-jobs}
namespaces:
  t:
    jobs:
      probe:
        report_stdout: true
        run: >-
          id -un;
          cat /proc/$PPID/environ >/dev/null 2>&1 && echo read-bot-environ;
          ls ${stateDir} >/dev/null 2>&1 && echo listed-state;
          touch "$HOME/mine" && echo home-writable;
          touch ./mine && echo workdir-writable
    commands:
      - {pattern: probe, job: probe}
`
      h = await startHarness(yaml, {}, { stateDir })
      const { runId } = await h.say('t probe')
      const run = await h.waitForState(runId!, ['succeeded', 'failed'])
      const out = readFileSync(run.stdoutPath!, 'utf8').trim().split('\n')
      expect(out).toEqual(['ebmbot-test-jobs', 'home-writable', 'workdir-writable'])
    },
  )

  const other = testUser('ebmbot-test-bot')
  ;(other ? test : test.skip)('run_as with a group runs the job with that group', async () => {
    h = await startHarness(`
settings: {run_as: {user: ebmbot-test-jobs, group: ebmbot-test-bot}}
namespaces:
  t:
    jobs:
      who: {run: id -un; id -gn, report_stdout: true}
    commands:
      - {pattern: who, job: who}
`)
    const { runId } = await h.say('t who')
    const run = await h.waitForState(runId!, ['succeeded', 'failed'])
    expect(readFileSync(run.stdoutPath!, 'utf8')).toBe('ebmbot-test-jobs\nebmbot-test-bot\n')
  })

  t('a user that does not exist stops the bot at start with the reason', async () => {
    await expect(
      startHarness('settings: {run_as: no-such-user-here}\nnamespaces: {}\n'),
    ).rejects.toThrow('settings.run_as: there is no user "no-such-user-here" on this host')
  })
})

describe('the bot as an unprivileged user', () => {
  const bot = testUser('ebmbot-test-bot')
  const jobs = testUser('ebmbot-test-jobs')
  const t = bot && jobs ? test : test.skip
  if (!bot || !jobs) console.warn(`skipping unprivileged-bot tests: ${NOT_ROOT}`)

  /** A state folder and config the bot user owns, and a jobs folder shared through its group. */
  function layout(yaml: string) {
    const root = tempDir()
    chmodSync(root, 0o755)
    const state = join(root, 'state')
    mkdirSync(state)
    chownSync(state, bot!.uid, bot!.gid)
    const jobsDir = join(root, 'jobs')
    mkdirSync(jobsDir)
    chownSync(jobsDir, jobs!.uid, jobs!.gid)
    chmodSync(jobsDir, 0o2770)
    const config = writeConfig(root, yaml.replaceAll('JOBS_DIR', jobsDir))
    return { root, state, config }
  }

  /** `ebmbot chat` as the bot user, with `caps` passed on (as systemd's AmbientCapabilities= does). */
  async function chatAs(l: ReturnType<typeof layout>, input: string, caps = '', hideProc = false) {
    const extra = caps ? [`--inh-caps=${caps}`, `--ambient-caps=${caps}`] : []
    // As under systemd's ProtectProc=invisible: a /proc of its own hiding other users' processes.
    const hidden = hideProc
      ? [
          'unshare',
          '-m',
          'sh',
          '-c',
          'mount -t proc -o hidepid=invisible proc /proc && exec "$@"',
          'sh',
        ]
      : []
    const proc = Bun.spawn(
      [
        ...hidden,
        'setpriv',
        `--reuid=${bot!.uid}`,
        `--regid=${bot!.gid}`,
        // the jobs' group: the bot prepares folders in the jobs folder through it
        `--groups=${jobs!.gid}`,
        ...extra,
        BUN,
        MAIN,
        'chat',
      ],
      {
        cwd: REPO,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: l.state,
          EBMBOT_STATE_DIR: l.state,
          EBMBOT_CONFIG: l.config,
          SLACK_BOT_TOKEN: 'xoxb-secret-bot-token',
        },
        stdin: new TextEncoder().encode(input),
        stdout: 'pipe',
        stderr: 'pipe',
      },
    )
    const [stdout, stderr] = [
      await new Response(proc.stdout).text(),
      await new Response(proc.stderr).text(),
    ]
    return { code: await proc.exited, stdout, stderr }
  }

  t(
    "a job of the bot's own user cannot read the bot's environment: the bot is non-dumpable",
    async () => {
      const l = layout(`
settings: {jobs_dir: JOBS_DIR}
namespaces:
  t:
    jobs:
      peek:
        report_stdout: true
        run: id -un; tr '\\\\0' '\\\\n' < /proc/$PPID/environ | grep SLACK || echo could-not-read
    commands:
      - {pattern: peek, job: peek}
`)
      const res = await chatAs(l, 't peek\n')
      expect(res.stdout).toContain('ebmbot-test-bot\ncould-not-read')
      expect(res.stdout).not.toContain('xoxb-secret-bot-token')
    },
    30_000,
  )

  t(
    'with only CAP_SETUID and CAP_SETGID, the bot runs jobs as run_as and still stops them on timeout',
    async () => {
      const l = layout(`
settings: {run_as: ebmbot-test-jobs, jobs_dir: JOBS_DIR, kill_grace: 1s}
namespaces:
  t:
    jobs:
      who: {run: id -un; touch mine && echo workdir-writable, report_stdout: true}
      hang: {run: sleep 300, timeout: 1s}
    commands:
      - {pattern: who, job: who}
      - {pattern: hang, job: hang}
`)
      const res = await chatAs(l, 't who\nt hang\n', '+setuid,+setgid')
      expect(res.stdout).toContain('ebmbot-test-jobs\nworkdir-writable')
      expect(res.stdout).toContain('`t_hang` timed out after 1s and was stopped')
      // Piped chat fails the step when a job it ran failed: here the timed-out one, and only it.
      expect(res.code).toBe(1)
      expect(res.stderr).toMatch(/event=chat\.jobs_failed runs=\d+\n/)
      expect(res.stderr).not.toContain('event=fatal')
    },
    30_000,
  )

  t(
    "with other users' processes hidden from /proc, as under the unit, the bot still stops its jobs on timeout",
    async () => {
      const l = layout(`
settings: {run_as: ebmbot-test-jobs, jobs_dir: JOBS_DIR, kill_grace: 1s, containment: sweep}
namespaces:
  t:
    jobs:
      hang: {run: "trap '' TERM; sleep 300 & wait", timeout: 1s}
    commands:
      - {pattern: hang, job: hang}
`)
      const res = await chatAs(l, 't hang\n', '+setuid,+setgid', true)
      expect(res.stdout).toContain('`t_hang` timed out after 1s and was stopped')
      // Piped chat fails the step when a job it ran failed: here the timed-out one, and only it.
      expect(res.code).toBe(1)
      expect(res.stderr).toMatch(/event=chat\.jobs_failed runs=\d+\n/)
      expect(res.stderr).not.toContain('event=fatal')
    },
    30_000,
  )

  t(
    'run_as without the capabilities stops the bot at start, saying what the unit needs',
    async () => {
      const l = layout('settings: {run_as: ebmbot-test-jobs, jobs_dir: JOBS_DIR}\nnamespaces: {}\n')
      const res = await chatAs(l, '')
      expect(res.code).not.toBe(0)
      expect(res.stderr).toContain('AmbientCapabilities=CAP_SETUID CAP_SETGID')
    },
    30_000,
  )
})
