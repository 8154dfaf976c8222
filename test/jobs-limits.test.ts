// A job cannot fill the disk: output past max_output stops the run (the report says why, the
// log holds no more than the limit), and run logs older than settings.keep_logs are deleted.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { sqliteOf } from './support/sqlite-of.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'

const YAML = `
settings:
  kill_grace: 1s
  max_output: 2MiB
  keep_logs: 2d
namespaces:
  t:
    jobs:
      flood:
        run: yes 'all work and no play'
      flood-err:
        run: yes 'to stderr' >&2
        max_output: 1MiB
      chatty:
        run: head -c 500000 /dev/zero | tr '\\\\0' x; echo; echo done
    commands:
      - {pattern: flood, job: flood}
      - {pattern: flood-err, job: flood-err}
      - {pattern: chatty, job: chatty}
`

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

const MB = 1024 * 1024
const logBytes = (run: { stdoutPath: string | null; stderrPath: string | null }) =>
  statSync(run.stdoutPath!).size + statSync(run.stderrPath!).size

describe('max_output', () => {
  test('a job printing without end is stopped at settings.max_output and the report says why', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t flood')
    const run = await h.waitForState(runId!, ['failed', 'succeeded'], 20_000)
    expect(run.state).toBe('failed')
    expect(logBytes(run)).toBe(2 * MB)
    const report = await h.waitForMessage((m) => m.purpose === 'report')
    expect(report.text).toContain('printed more than 2.0 MB (max_output), so it was stopped')
  })

  test("a job's own max_output counts stderr too", async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t flood-err')
    const run = await h.waitForState(runId!, ['failed', 'succeeded'], 20_000)
    expect(run.state).toBe('failed')
    expect(logBytes(run)).toBe(MB)
    expect(run.detail).toContain('1.0 MB (max_output)')
  })

  test('output under the limit is kept whole and the run succeeds', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t chatty')
    const run = await h.waitForState(runId!, ['failed', 'succeeded'])
    expect(run.state).toBe('succeeded')
    expect(statSync(run.stdoutPath!).size).toBe(500_000 + 6)
  })
})

describe('keep_logs', () => {
  test('run log folders last written before keep_logs are deleted at start; recent ones stay, and logs N says why', async () => {
    h = await startHarness(YAML)
    const { runId } = await h.say('t chatty')
    const old = await h.waitForState(runId!, ['succeeded'])
    await h.waitForMessage((m) => m.purpose === 'report')
    const oldDir = dirname(old.stdoutPath!)
    // A run of three days ago (its folder and files last written then), and one of yesterday.
    const threeDays = (Date.now() - 3 * 86_400_000) / 1000
    for (const f of ['stdout', 'stderr', '']) utimesSync(join(oldDir, f), threeDays, threeDays)
    const recentDir = join(h.ctx.logsDir, 't_chatty', '2026-01-01T00-00-00.000Z_99')
    mkdirSync(recentDir, { recursive: true })
    writeFileSync(join(recentDir, 'stdout'), 'recent')
    const yesterday = (Date.now() - 86_400_000) / 1000
    utimesSync(join(recentDir, 'stdout'), yesterday, yesterday)
    utimesSync(recentDir, yesterday, yesterday)
    sqliteOf(h.ctx).sqlite.run('update runs set finished_at = ? where id = ?', [
      Date.now() - 3 * 86_400_000,
      old.id,
    ])

    // The bot restarts on the same state folder: the pass at start prunes.
    const stateDir = h.ctx.env.stateDir
    await h.stop()
    h = await startHarness(YAML, {}, { stateDir })
    expect(existsSync(oldDir)).toBe(false)
    expect(existsSync(recentDir)).toBe(true)
    expect(h.logLines.some((l) => l.includes('event=logs.pruned runs=1'))).toBe(true)
    const res = await h.say(`logs ${old.id}`)
    expect(res.replies.join('\n')).toContain('has no logs any more: run logs are kept for 2 days')
  })
})
