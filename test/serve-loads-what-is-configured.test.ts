// `serve` loads the Slack, web page, Metaflow and PostgreSQL modules only when the config and
// environment enable them: a bot without them neither parses nor runs their code at start. The
// bot runs as a real child with a preload that writes the modules it loaded when it exits.
import { afterAll, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUN, MAIN, botEnv, killAfterEach, spawnCollected } from './support/bot.ts'
import { startFakeSlack } from './support/fake-slack.ts'
import { freePort } from './support/github.ts'
import { APP_TOKEN, BOT_TOKEN, fakeOptions } from './support/slack-bot.ts'
import { cleanupTemp, REPO, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
const killLater = killAfterEach()

const PRELOAD = join(REPO, 'test', 'support', 'loaded-modules.ts')

const JOBS = `namespaces:
  demo:
    jobs:
      hello: {run: "echo hello"}
    commands:
      - {pattern: hello, job: hello}
`

/** What a bot without these front doors and backends must not load, by where the code lives. */
const OPTIONAL = {
  slack: /\/src\/slack\/|\/node_modules\/@slack\//,
  pages: /\/src\/web\/|\/node_modules\/hono\//,
  metaflow: /\/src\/metaflow\/|\/src\/app\/metaflow-|\/node_modules\/pickleparser\//,
  // The PostgreSQL queue and its driver (its storage-failure test is plain code the SQLite queue shares).
  postgres:
    /\/src\/queue\/pg\/(?!storage-failure)|\/node_modules\/postgres\/|\/drizzle-orm\/postgres-js\//,
}

/** Starts serve, waits until it is ready, stops it, and returns the modules it had loaded. */
async function modulesOfServe(yaml: string, env: Record<string, string> = {}): Promise<string[]> {
  const state = tempDir()
  const out = join(state, 'modules.txt')
  const bot = killLater(
    spawnCollected(
      [BUN, '--preload', PRELOAD, MAIN, 'serve', '--config', writeConfig(state, yaml)],
      {
        env: botEnv(state, { EBMBOT_TEST_MODULES_OUT: out, ...env }),
      },
    ),
  )
  await waitUntil('serve.ready', () => bot.out.stderr.includes('event=serve.ready'), 15_000)
  bot.proc.kill('SIGTERM')
  expect(await bot.proc.exited).toBe(0)
  return readFileSync(out, 'utf8').split('\n')
}

const loadedOf = (modules: string[], what: keyof typeof OPTIONAL) =>
  modules.filter((m) => OPTIONAL[what].test(m))

test('serve with no Slack tokens, no web section, no Metaflow and SQLite loads none of their modules', async () => {
  const modules = await modulesOfServe(JOBS)
  // The list is the real one: the dispatcher and the SQLite queue are in it.
  expect(modules.some((m) => m.endsWith('/src/dispatcher/dispatcher.ts'))).toBe(true)
  expect(modules.some((m) => m.endsWith('/src/queue/db.ts'))).toBe(true)
  for (const what of Object.keys(OPTIONAL) as (keyof typeof OPTIONAL)[])
    expect({ [what]: loadedOf(modules, what) }).toEqual({ [what]: [] })
})

test('with Slack tokens, the pages and a Metaflow section, serve loads those modules', async () => {
  const fake = await startFakeSlack(fakeOptions())
  try {
    const modules = await modulesOfServe(
      `${JOBS}web: {}\nmetaflow:\n  service_url: http://127.0.0.1:9\n`,
      {
        WEBHOOK_PORT: String(await freePort()),
        SLACK_API_URL: fake.apiUrl,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_LOGS_CHANNEL: 'logs',
        SLACK_TECH_SUPPORT_CHANNEL: 'tech-support',
      },
    )
    expect(modules.some((m) => m.endsWith('/src/slack/start-slack.ts'))).toBe(true)
    expect(modules.some((m) => m.endsWith('/src/web/pages.tsx'))).toBe(true)
    expect(modules.some((m) => m.endsWith('/src/app/metaflow-watcher.ts'))).toBe(true)
    expect(loadedOf(modules, 'postgres')).toEqual([])
  } finally {
    await fake.stop()
  }
})
