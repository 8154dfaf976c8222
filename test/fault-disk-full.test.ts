// The logs folder runs out of room while a job writes: the job fails with a clear report, and the
// bot keeps answering and running what comes next. Two ways to fill it: a 256 KiB tmpfs mounted
// over <state>/logs in a private mount namespace (needs root; skipped otherwise), and a file-size
// limit (`ulimit -f`) on the bot and its jobs, which works for anyone.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { botEnv, killAfterEach } from './support/bot.ts'
import { runs } from './support/state-db.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'
import { canMountTmpfs, startWrappedBot } from './support/wrapped-bot.ts'

afterAll(cleanupTemp)
const killLater = killAfterEach()

const YAML = `
settings:
  kill_grace: 1s
  poll_interval: 1s
namespaces:
  k:
    jobs:
      flood: {run: "head -c 3000000 /dev/zero"}
      small: {run: "echo small [tag]", report_stdout: true}
    commands:
      - {pattern: "flood", job: flood}
      - {pattern: "small [tag]", job: small}
`

/** Fills the logs, then checks the bot still answers and gives the next job a clear outcome. */
async function floodThenCarryOn(script: string, wrapper: string[] = []) {
  const state = tempDir()
  mkdirSync(join(state, 'logs'))
  const bot = killLater(
    startWrappedBot(script, ['chat', '--config', writeConfig(state, YAML)], {
      env: botEnv(state),
      wrapper,
    }),
  )
  bot.send('k flood')
  const alive = () => {
    if (bot.proc.exitCode !== null)
      throw new Error(`the bot exited ${bot.proc.exitCode}:\n${bot.out.stderr}`)
  }
  await waitUntil(
    'the flood to be reported',
    () => (alive(), /`k_flood` (failed|was killed)/.test(bot.out.stdout)),
    15_000,
  )
  const mark = bot.out.stdout.length
  bot.send('status')
  await waitUntil(
    'status to answer after the failure',
    () => (alive(), bot.out.stdout.slice(mark).includes('It is ')),
    5000,
  )
  bot.send('k small after')
  await waitUntil(
    'the next job to be reported',
    () => (
      alive(), /small after|`k_small` (failed|could not run)/.test(bot.out.stdout.slice(mark))
    ),
    10_000,
  )
  bot.proc.stdin.end()
  // A piped session whose jobs failed exits 1 (it ran to the end: not a crash, which is not 0 or 1).
  expect(await bot.proc.exited).toBe(1)
  expect(bot.out.stderr).not.toContain('event=fatal')
  return { state, stdout: bot.out.stdout, stderr: bot.out.stderr, rows: runs(state) }
}

describe('logs folder full', () => {
  test.skipIf(!canMountTmpfs())(
    'a full tmpfs: the writing job fails with its exit code, the bot carries on',
    async () => {
      const { state, stdout, stderr, rows } = await floodThenCarryOn(
        'mount -t tmpfs -o size=256k tmpfs "$EBMBOT_STATE_DIR/logs" || exit 99',
        ['unshare', '-m'],
      )
      // head exits 1 only when a write fails: the disk really was full.
      expect(rows[0]).toMatchObject({ request_text: 'k flood', state: 'failed', exit_code: 1 })
      expect(stdout).toContain('`k_flood` failed with exit code 1 (run 1')
      // "Exit code 1" alone reads like the job's fault: the report says the disk was full, and the
      // operator's log has a line for it.
      expect(stdout).toContain(
        `💾 The disk holding the logs is full (0 bytes free in ${join(state, 'logs')})`,
      )
      expect(stderr).toMatch(/level=warn event=logs\.disk_full .*free_bytes=0/)
      // The next job needs room for its output too: it ends clearly (failed, or ran if it fit), never stuck.
      expect(['failed', 'succeeded']).toContain(rows[1]!.state)
    },
    30_000,
  )

  test('a file-size limit: the job is killed by SIGXFSZ and reported so; the next job runs', async () => {
    // 2 MiB per file: the job's 3 MB of output crosses it, the bot's small database does not.
    const { stdout, rows } = await floodThenCarryOn('ulimit -f 2048 || exit 99')
    expect(rows[0]).toMatchObject({ request_text: 'k flood', state: 'failed', signal: 'SIGXFSZ' })
    expect(stdout).toContain('`k_flood` was killed by SIGXFSZ (run 1')
    expect(stdout).toContain('SIGXFSZ means a file grew past the size limit set for the bot')
    expect(stdout).not.toContain('💾') // the disk itself has room
    expect(rows[1]).toMatchObject({ request_text: 'k small after', state: 'succeeded' })
    expect(stdout).toContain('small after')
  }, 30_000)
})
