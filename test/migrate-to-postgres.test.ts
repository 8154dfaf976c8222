// `ebmbot migrate --to postgres://…` as an operator runs it (real processes, real SQLite file,
// real PostgreSQL, the fake Slack): refused while a bot runs on the file, a dry run writes
// nothing, the copy prints its counts, and a `serve` on PostgreSQL afterwards picks up where the
// SQLite bot left off: the run it was running is reported lost, the request queued behind it
// starts, old runs are still there by number and new ones get the next numbers.
import { Database } from 'bun:sqlite'
import { afterAll, afterEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import postgres from 'postgres'
import { botEnv, killAfterEach, runBot, startBot } from './support/bot.ts'
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts'
import { dropSchemas, freshSchemaUrl } from './support/postgres.ts'
import { APP_TOKEN, BOT_TOKEN, fakeOptions, GENERAL } from './support/slack-bot.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

const track = killAfterEach()
let fake: FakeSlack | undefined
afterEach(async () => {
  await fake?.stop()
  fake = undefined
})
afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

const YAML = `
settings: {kill_grace: 1s, shutdown_grace: 2s, poll_interval: 1s}
namespaces:
  demo:
    description: Demo jobs
    jobs:
      quick:
        run: echo quick [n]
        report_stdout: true
      sleeper:
        run: sleep 60
    commands:
      - {pattern: "quick [n]", job: quick, help: a quick one}
      - {pattern: sleeper, job: sleeper, help: sleeps a minute}
`

/** A schema of its own, its URL carrying a password the output must never show. */
async function databaseUrl(): Promise<{ url: string; password: string }> {
  const u = new URL(await freshSchemaUrl())
  if (!u.password) u.password = 'pw-never-shown-5813'
  return { url: u.toString(), password: decodeURIComponent(u.password) }
}

async function pgRows<T>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    return [...(await sql.unsafe<T[]>(text))]
  } finally {
    await sql.end()
  }
}

function sqliteRows<T>(file: string, text: string): T[] {
  const db = new Database(file, { readonly: true })
  try {
    db.run('PRAGMA busy_timeout = 5000')
    return db.query(text).all() as T[]
  } finally {
    db.close()
  }
}

test('refused while a chat session runs on the file; then a dry run writes nothing, the copy prints its counts, a second copy is refused', async () => {
  const state = tempDir()
  const { url, password } = await databaseUrl()
  const env = botEnv(state)
  const chat = track(startBot(['chat'], { env }))
  chat.send('demo hello world')
  await waitUntil('the job to answer', () => chat.out.stdout.includes('Hello, world!'))

  const refused = await runBot(['migrate', '--to', url], { env })
  expect(refused.code).toBe(1)
  expect(refused.stderr).toMatch(
    new RegExp(
      `ebmbot: migrate: the bot is running on ${state}/ebmbot\\.db \\(.*pid ${chat.proc.pid} on .*\\): stop it first`,
    ),
  )
  expect(
    await pgRows(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
    ),
  ).toEqual([])

  chat.send('quit')
  expect(await chat.proc.exited).toBe(0)
  const dry = await runBot(['migrate', '--to', url, '--dry-run'], { env })
  expect(dry.code).toBe(0)
  expect(dry.stdout).toContain('dry run:')
  expect(dry.stdout).toMatch(/runs\s+1 rows, next id 2/)
  expect(
    await pgRows(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
    ),
  ).toEqual([])

  const copy = await runBot(['migrate', '--to', url], { env })
  expect(copy.code).toBe(0)
  expect(copy.stdout).toContain(`copied ${state}/ebmbot.db → `)
  expect(copy.stdout).toMatch(/runs\s+1 rows, next id 2/)
  expect(copy.stdout).toMatch(/workers\s+1 rows/)
  for (const out of [dry, copy, refused]) expect(out.stdout + out.stderr).not.toContain(password)
  expect(await pgRows(url, 'SELECT id, job_type, state FROM runs')).toEqual([
    { id: 1, job_type: 'demo_hello', state: 'succeeded' },
  ])

  const again = await runBot(['migrate', '--to', url], { env })
  expect(again.code).toBe(1)
  expect(again.stderr).toContain('the PostgreSQL queue is not empty (runs: 1,')
  const forced = await runBot(['migrate', '--to', url, '--force'], { env })
  expect(forced.code).toBe(0)
  expect(forced.stdout).toContain('deleted what PostgreSQL held before (--force): runs 1,')
})

test('--db names another file; a bad --to or a stray flag is a usage error', async () => {
  const state = tempDir()
  const { url } = await databaseUrl()
  const env = botEnv(state)
  const other = join(tempDir(), 'elsewhere.db')
  expect(
    (
      await runBot(['chat'], {
        env: botEnv(state, { EBMBOT_STATE_DIR: state }),
        input: 'demo hello world\n',
      })
    ).code,
  ).toBe(0)
  const missing = await runBot(['migrate', '--to', url, '--db', other], { env })
  expect(missing.code).toBe(1)
  expect(missing.stderr).toContain(`no SQLite queue at ${other}`)
  const named = await runBot(['migrate', '--to', url, '--db', join(state, 'ebmbot.db')], {
    env: botEnv(tempDir()),
  })
  expect(named.code).toBe(0)
  expect(named.stdout).toMatch(/runs\s+1 rows/)
  const mysql = await runBot(['migrate', '--to', 'mysql://x@y/z'], { env })
  expect(mysql.code).toBe(2)
  expect(mysql.stderr).toContain('--to takes a postgres:// (or postgresql://) URL')
  const stray = await runBot(['migrate', '--force'], { env })
  expect(stray.code).toBe(2)
  expect(stray.stderr).toContain('--db, --force and --dry-run go with --to')
})

test('serve on PostgreSQL after the copy picks up where the SQLite bot was killed', async () => {
  fake = await startFakeSlack(fakeOptions())
  const state = tempDir()
  const config = writeConfig(tempDir(), YAML)
  const { url } = await databaseUrl()
  const slackEnv = botEnv(state, {
    SLACK_API_URL: fake.apiUrl,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_LOGS_CHANNEL: 'logs',
    SLACK_TECH_SUPPORT_CHANNEL: '#tech-support',
  })
  const serve = async (env: Record<string, string>) => {
    const bot = track(startBot(['serve', '--config', config], { env }))
    await waitUntil(
      'the bot to be ready',
      () => {
        if (bot.proc.exitCode !== null) throw new Error(`serve exited:\n${bot.out.stderr}`)
        return bot.out.stderr.includes('event=slack.ready')
      },
      15_000,
    )
    return bot
  }
  const thread = (ts: string) =>
    fake!.messages.filter((m) => m.channel === GENERAL && m.thread_ts === ts)
  const said = async (text: string, threadTs?: string) => {
    const ask = fake!.mention({
      user: 'U1',
      channel: GENERAL,
      text,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    })
    await fake!.sendEvent(ask).acked
    return ask
  }
  const file = join(state, 'ebmbot.db')

  // On SQLite: run 1 finished, run 2 running, run 3 queued behind it; then the bot is killed.
  const first = await serve(slackEnv)
  const quick = await said('demo quick 7')
  await fake.waitFor(() => thread(quick.ts).some((m) => m.text === 'quick 7'), 10_000, 'run 1')
  const sleeping = await said('demo sleeper')
  await waitUntil(
    'run 2 to run',
    () =>
      sqliteRows<{ state: string }>(file, 'SELECT state FROM runs WHERE id = 2')[0]?.state ===
      'running',
  )
  const behind = await said('demo sleeper')
  await waitUntil(
    'run 3 to wait',
    () =>
      sqliteRows<{ state: string }>(file, 'SELECT state FROM runs WHERE id = 3')[0]?.state ===
      'pending',
  )
  first.proc.kill('SIGKILL')
  await first.proc.exited

  const copy = await runBot(['migrate', '--to', url], { env: slackEnv })
  expect(copy.stderr).toBe('')
  expect(copy.code).toBe(0)
  expect(copy.stdout).toMatch(/runs\s+3 rows, next id 4/)

  // On PostgreSQL: the killed bot's run is reported lost in its thread, the waiting one starts.
  const second = await serve({ ...slackEnv, DATABASE_URL: url })
  await fake.waitFor(
    () =>
      thread(sleeping.ts).some((m) =>
        m.text?.includes('The bot restarted while `demo_sleeper` (run 2) was running'),
      ),
    15_000,
    'run 2 reported lost',
  )
  await waitUntil(
    'run 3 to start on PostgreSQL',
    async () =>
      (await pgRows<{ state: string }>(url, 'SELECT state FROM runs WHERE id = 3'))[0]?.state ===
      'running',
    15_000,
  )
  await said('cancel 3', behind.ts)
  await waitUntil(
    'run 3 to be cancelled',
    async () =>
      (await pgRows<{ state: string }>(url, 'SELECT state FROM runs WHERE id = 3'))[0]?.state ===
      'cancelled',
    15_000,
  )
  // Old runs answer by number; a new request takes the next one.
  const status = await said('status 1')
  const answer = await fake.waitFor(
    () => thread(status.ts).find((m) => m.text?.startsWith('Run 1, ')),
    10_000,
    'status 1',
  )
  expect(answer.text).toContain('Run 1, `demo_quick`: *succeeded*')
  expect(answer.text).toContain('`demo quick 7`')
  const again = await said('demo quick 8')
  await fake.waitFor(() => thread(again.ts).some((m) => m.text === 'quick 8'), 10_000, 'run 4')
  expect(await pgRows(url, 'SELECT id, state, request_text FROM runs ORDER BY id')).toEqual([
    { id: 1, state: 'succeeded', request_text: 'demo quick 7' },
    { id: 2, state: 'lost', request_text: 'demo sleeper' },
    { id: 3, state: 'cancelled', request_text: 'demo sleeper' },
    { id: 4, state: 'succeeded', request_text: 'demo quick 8' },
  ])
  // Nothing of it went to the SQLite file, which is as the killed bot left it.
  expect(sqliteRows<{ n: number }>(file, 'SELECT count(*) AS n FROM runs')[0]?.n).toBe(3)
  second.proc.kill('SIGTERM')
  expect(await second.proc.exited).toBe(0)
})
