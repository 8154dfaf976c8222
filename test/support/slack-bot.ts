// `ebmbot serve` as a real child process against a fake Slack: the helpers the Slack end-to-end
// tests share (config, environment, start and stop, a look at the bot's database).
import { Database } from 'bun:sqlite'
import { join } from 'node:path'
import { botEnv, startBot } from './bot.ts'
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from './fake-slack.ts'
import { cleanupTemp, tempDir, writeConfig } from './temp.ts'
import { waitUntil } from './wait.ts'

/** Distinctive tokens, so a test can prove they never reach a log line. */
export const BOT_TOKEN = 'xoxb-1111-secret-bot-token'
export const APP_TOKEN = 'xapp-1-secret-app-token'

export const SLACK_YAML = `
settings:
  max_parallel: 4
  kill_grace: 1s
  shutdown_grace: 2s
namespaces:
  demo:
    description: Demo jobs
    jobs:
      hello:
        run: echo Hello, [name]!
        report_stdout: true
      fail:
        run: echo working; echo something broke >&2; exit 3
      long:
        run: for i in $(seq 1 300); do echo "line $i of a long report, padded to be wide enough"; done
        report_stdout: true
      card:
        run: printf '[{"type":"section","text":{"type":"mrkdwn","text":"*Demo card*"}}]'
        report_stdout: true
        report_format: blocks
      badcard:
        run: echo 'this is not Block Kit'
        report_stdout: true
        report_format: blocks
    commands:
      - { pattern: "hello [name]", help: say hello, job: hello }
      - { pattern: fail, help: fail, job: fail }
      - { pattern: long, help: print a lot, job: long }
      - { pattern: card, help: a Block Kit card, job: card }
      - { pattern: badcard, help: broken Block Kit, job: badcard }
  op:
    description: Operations
    restricted: true
    jobs:
      deploy:
        run: echo deploying [env]
    commands:
      - { pattern: "deploy [env]", help: deploy, job: deploy }
`

/** Channel ids the fake knows; the bot is given the names and must resolve them. */
export const LOGS = 'CLOGS'
export const SUPPORT = 'CSUPPORT'
export const GENERAL = 'CGENERAL'

export function fakeOptions(extra: FakeSlackOptions = {}): FakeSlackOptions {
  return {
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    channels: [
      { id: LOGS, name: 'logs', is_member: true },
      { id: SUPPORT, name: 'tech-support', is_member: true },
      { id: GENERAL, name: 'general' },
    ],
    users: {
      U1: { name: 'alice' },
      U2: { name: 'bob' },
      UGUEST: { name: 'guest', is_restricted: true },
    },
    ...extra,
  }
}

export interface SlackBot {
  fake: FakeSlack
  bot: ReturnType<typeof startBot>
  stateDir: string
  /** starts the bot again on the same state folder (after stop or kill) */
  restart(): Promise<void>
  /** SIGTERM, then SIGKILL if it does not leave in time; returns the exit code */
  stop(): Promise<number>
  /** a read-only look at the bot's database */
  query<T>(sql: string, ...params: (string | number)[]): T[]
}

export async function startSlackBot(
  opts: { fake?: FakeSlackOptions; yaml?: string; env?: Record<string, string> } = {},
): Promise<SlackBot> {
  const fake = await startFakeSlack(fakeOptions(opts.fake))
  const stateDir = tempDir('ebmbot-slack-')
  const config = writeConfig(stateDir, opts.yaml ?? SLACK_YAML)
  const env = botEnv(stateDir, {
    SLACK_API_URL: fake.apiUrl,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_LOGS_CHANNEL: 'logs',
    SLACK_TECH_SUPPORT_CHANNEL: '#tech-support',
    // Debug, so the no-token check covers the SDKs' most verbose output too.
    EBMBOT_LOG_LEVEL: 'debug',
    ...opts.env,
  })
  const self: SlackBot = {
    fake,
    stateDir,
    bot: undefined as unknown as ReturnType<typeof startBot>,
    async restart() {
      self.bot = startBot(['serve', '--config', config], { env })
      await waitUntil(
        'the bot to be ready',
        () => {
          if (self.bot.proc.exitCode !== null)
            throw new Error(
              `the bot exited with ${self.bot.proc.exitCode}:\n${self.bot.out.stderr}`,
            )
          // Serving starts at once; Slack connects in the background, and the tests talk to it.
          return (
            self.bot.out.stderr.includes('event=serve.ready') &&
            self.bot.out.stderr.includes('event=slack.ready')
          )
        },
        10_000,
      )
    },
    async stop() {
      const { proc } = self.bot
      if (proc.exitCode !== null) return proc.exitCode
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      const code = await proc.exited
      clearTimeout(timer)
      return code
    },
    query<T>(sql: string, ...params: (string | number)[]) {
      const db = new Database(join(stateDir, 'ebmbot.db'), { readonly: true })
      try {
        db.run('PRAGMA busy_timeout = 5000') // a reader can still meet a checkpoint in progress
        return db.query(sql).all(...params) as T[]
      } finally {
        db.close()
      }
    },
  }
  try {
    await self.restart()
  } catch (e) {
    // The caller never gets the handle to tear down: a bot left running would reconnect for the
    // rest of the run and load every later test.
    self.bot?.proc.kill('SIGKILL')
    await fake.stop()
    throw e
  }
  return self
}

/**
 * Tears down after a test: the bot first (a socket client whose Slack is gone keeps retrying),
 * then the fake, then temp folders. Every Slack test also checks here that no token reached the
 * bot's output (it logs at debug level, the SDKs' most verbose), and returns the exit code.
 */
export async function stopSlackBot(s: SlackBot | undefined): Promise<number | undefined> {
  let code: number | undefined
  if (s) {
    code = await s.stop()
    await s.fake.stop()
  }
  cleanupTemp()
  const out = s ? s.bot.out.stdout + s.bot.out.stderr : ''
  for (const [name, token] of [
    ['bot', BOT_TOKEN],
    ['app', APP_TOKEN],
  ]) {
    if (out.includes(token!)) throw new Error(`the ${name} token appears in the bot's output`)
  }
  return code
}
