// Another process holds the database's write lock for a few seconds (an operator's sqlite3
// session, a backup, a second bot): requests wait for it, or fail with a clear line once the
// busy timeout (5 s) passes; a job that ends meanwhile is still recorded; nothing is half-written
// and the bot keeps serving.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, expect, test } from 'bun:test'
import { errorText } from '../src/util/log.ts'
import { botEnv, startBot } from './support/bot.ts'
import { delivery, freePort, newDeliveryId, push } from './support/github.ts'
import { outboxRows, openStateDb, query, runs } from './support/state-db.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
// A failed test must not leave a bot running or the lock held.
const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

// A long fallback poll: the dispatcher's periodic pass would be one more statement waiting out
// the lock (each waits synchronously), making the long-lock test needlessly slow.
// The slow job ends when the test says so (a file appears), not after a fixed sleep: on a loaded
// machine a sleep could end before the lock is taken, and the test would wait for nothing.
const yaml = (go: string) => `
settings:
  kill_grace: 1s
  poll_interval: 60s
namespaces:
  k:
    jobs:
      quick: {run: "echo quick [tag]", report_stdout: true}
      slow: {run: "until [ -e '${go}' ]; do sleep 0.05; done; echo slow done", report_stdout: true}
    commands:
      - {pattern: "quick [tag]", job: quick}
      - {pattern: "slow", job: slow}
`

/** A chat bot with `k slow` running, ready for the lock to be taken; `finishSlowJob` ends it. */
async function botWithSlowJob() {
  const state = tempDir()
  const go = join(state, 'go')
  const bot = startBot(['chat', '--config', writeConfig(state, yaml(go))], { env: botEnv(state) })
  cleanups.push(() => bot.proc.kill('SIGKILL'))
  bot.send('k slow')
  await waitUntil(
    'the slow job to start',
    () => runs(state, { readonly: true }).find((r) => r.state === 'running' && r.pid),
    10_000,
  )
  return { state, bot, finishSlowJob: () => writeFileSync(go, '') }
}

/** Holds the write lock from this process, as `sqlite3 ebmbot.db 'BEGIN EXCLUSIVE'` would. */
function lockDatabase(state: string) {
  const db = openStateDb(state)
  db.run('BEGIN EXCLUSIVE')
  let held = true
  const release = () => {
    if (!held) return
    held = false
    db.run('COMMIT')
    db.close()
  }
  cleanups.push(release)
  return { release }
}

test('a lock shorter than the busy timeout: the request waits, then is stored and runs', async () => {
  const { state, bot, finishSlowJob } = await botWithSlowJob()
  const lock = lockDatabase(state)
  bot.send('k quick during-lock')
  finishSlowJob()
  await Bun.sleep(2000) // the slow job ends inside this window
  // Not acknowledged while the lock is held: an acknowledgement would mean it was stored.
  expect(bot.out.stdout).not.toContain('accepted: run 2')
  lock.release()
  await waitUntil(
    'the waiting request to be acknowledged',
    () => bot.out.stdout.includes('(🤞 accepted: run 2)'),
    5000,
  )
  await waitUntil('its job to report', () => bot.out.stdout.includes('quick during-lock'), 5000)
  await waitUntil('the slow job to report', () => bot.out.stdout.includes('slow done'), 5000)
  bot.proc.stdin.end()
  expect(await bot.proc.exited).toBe(0)
  expect(runs(state).map((r) => [r.request_text, r.state])).toEqual([
    ['k slow', 'succeeded'],
    ['k quick during-lock', 'succeeded'],
  ])
  expect(bot.out.stderr).not.toContain('level=error')
})

test('a lock longer than the busy timeout: a job ending meanwhile is still recorded; a request either waits or fails clearly, never half-written', async () => {
  const { state, bot, finishSlowJob } = await botWithSlowJob()
  const lock = lockDatabase(state)
  bot.send('k quick during-lock')
  finishSlowJob()
  // The slow job ends at once; recording its outcome waits for the lock and gives up after 5 s.
  // bun:sqlite waits synchronously, so meanwhile the bot does nothing else: the request above is
  // handled either during the lock (and fails) or after it (and is stored), depending on which
  // statement the event loop ran first. Both are fine; silence or half a request is not.
  await waitUntil(
    'recording the slow job to hit the busy timeout',
    () => {
      if (bot.proc.exitCode !== null)
        throw new Error(`the bot exited ${bot.proc.exitCode}:\n${bot.out.stderr}`)
      return /event=run\.finish_\w+ run=1 .*database is locked/.test(bot.out.stderr)
    },
    45_000,
    50,
  ).catch((e) => {
    throw new Error(`${errorText(e)}; the bot said:\n${bot.out.stderr.slice(-4000)}`)
  })
  expect(bot.proc.exitCode).toBeNull()
  lock.release()

  bot.send('k quick after-lock')
  await waitUntil(
    'the next request to run',
    () => bot.out.stdout.includes('quick after-lock'),
    20_000,
  )
  // The job that ended during the lock is recorded once the lock is gone, not left running.
  await waitUntil(
    'the slow job to be recorded',
    () =>
      runs(state, { readonly: true }).find(
        (r) => r.request_text === 'k slow' && r.state === 'succeeded',
      ),
    10_000,
  )
  await waitUntil('its report', () => bot.out.stdout.includes('slow done'), 5000)
  bot.proc.stdin.end()
  expect(await bot.proc.exited).toBe(0)
  expect(bot.out.stderr).not.toContain('event=fatal')

  const all = runs(state)
  const failedClearly =
    /❌ Sorry, something went wrong with `k quick during-lock`: database is locked/.test(
      bot.out.stdout,
    )
  const stored = all.find((r) => r.request_text === 'k quick during-lock')
  if (failedClearly) {
    // Failed: nothing of it was written, neither the request nor an acknowledgement.
    expect(stored).toBeUndefined()
    expect(outboxRows(state).filter((o) => o.payload.includes('during-lock'))).toEqual([])
  } else {
    // Waited: stored, acknowledged and run, like any other request.
    expect(stored?.state).toBe('succeeded')
    expect(bot.out.stdout).toContain(`(🤞 accepted: run ${stored?.id})`)
    expect(bot.out.stdout).toContain('quick during-lock')
  }
  expect(all.every((r) => r.state === 'succeeded')).toBe(true)
  expect(query<{ integrity_check: string }>(state, 'PRAGMA integrity_check')).toEqual([
    { integrity_check: 'ok' },
  ])
}, 90_000)

test('a GitHub delivery that meets a lock past the busy timeout gets 503 and stores nothing; its redelivery after the lock is queued', async () => {
  const state = tempDir()
  const port = await freePort()
  const cfg = writeConfig(
    state,
    `${yaml(join(state, 'go'))}github:\n  projects:\n    site:\n      triggers:\n        - {event: push, ref: refs/heads/main, namespace: k, job: quick, params: {tag: after}, channel: '#ops'}\n`,
  )
  const bot = startBot(['serve', '--config', cfg], {
    env: botEnv(state, { WEBHOOK_PORT: String(port), GITHUB_WEBHOOK_SECRET: 'gh-secret' }),
  })
  cleanups.push(() => bot.proc.kill('SIGKILL'))
  const url = `http://127.0.0.1:${port}/github/site`
  await waitUntil(
    'the web server',
    () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => true,
        () => false,
      ),
    15_000,
  )
  const id = newDeliveryId()
  const send = async () => {
    const res = await fetch(
      url,
      await delivery({ ...push('refs/heads/main'), after: 'c0ffee1' }, { event: 'push', id }),
    )
    return { status: res.status, body: (await res.json()) as { outcome: string; reason?: string } }
  }

  const lock = lockDatabase(state)
  const refused = await send()
  expect(refused).toEqual({
    status: 503,
    body: { outcome: 'error', reason: 'could not queue the request; redeliver it later' },
  })
  expect(runs(state, { readonly: true })).toEqual([])
  lock.release()

  // GitHub's Redeliver: the same delivery id, processed normally now.
  expect((await send()).body.outcome).toBe('queued')
  await waitUntil(
    'its job to run',
    () => runs(state, { readonly: true }).some((r) => r.state === 'succeeded'),
    10_000,
  )
  expect(runs(state).map((r) => JSON.parse(r.params))).toEqual([{ tag: 'c0ffee1' }])
  bot.proc.kill('SIGTERM')
  expect(await bot.proc.exited).toBe(0)
}, 60_000)
