// One masker for everything shown or stored: a real `ebmbot serve` at debug level against the fake
// Slack, with jobs that print secrets the bot knows of (a job's `secret: true` variable, spelled
// with JSON `\u` escapes inside Block Kit; another project's webhook secret; a secret of another
// job). Not one of them reaches Slack, an outbox row, `logs N` or a log line.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { GENERAL, startSlackBot, type SlackBot } from './support/slack-bot.ts'
import { cleanupTemp } from './support/temp.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

const JOB_SECRET = 'dtok-4242-abcdef-job'
const HOOK_SECRET = 'hook-9393-site-secret'
const OTHER_SECRET = 'other-7171-ledger-key'
const escaped = [...JOB_SECRET]
  .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  .join('')

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  demo:
    jobs:
      card:
        run: 'echo ''[{"type":"section","text":{"type":"mrkdwn","text":"token ${escaped}"}}]'''
        env: [{name: DEPLOY_TOKEN, secret: true}]
        report_stdout: true
        report_format: blocks
      leak:
        run: 'echo "hook $SITE_HOOK_SECRET and ledger $LEDGER_KEY"'
        env: [SITE_HOOK_SECRET, LEDGER_KEY]
        report_stdout: true
      ledger:
        run: 'true'
        env: [{name: LEDGER_KEY, secret: true}]
    commands:
      - {pattern: card, job: card}
      - {pattern: leak, job: leak}
      - {pattern: ledger, job: ledger}
github:
  projects:
    site:
      secret_env: SITE_HOOK_SECRET
      triggers: []
`

let s: SlackBot
beforeAll(async () => {
  s = await startSlackBot({
    yaml: YAML,
    env: {
      DEPLOY_TOKEN: JOB_SECRET,
      SITE_HOOK_SECRET: HOOK_SECRET,
      LEDGER_KEY: OTHER_SECRET,
      WEBHOOK_PORT: '0',
    },
  })
}, HOOK_TIMEOUT)
afterAll(async () => {
  await s.stop()
  await s.fake.stop()
  cleanupTemp()
}, HOOK_TIMEOUT)

const ask = async (text: string) => {
  const e = s.fake.mention({ user: 'U1', channel: GENERAL, text })
  await s.fake.sendEvent(e).acked
  return e.ts
}
const reportIn = (ts: string, label: string) =>
  s.fake.waitFor(
    () => s.fake.messages.find((m) => m.thread_ts === ts && m.text !== undefined),
    10_000,
    label,
  )
const everything = () =>
  JSON.stringify([
    s.fake.calls.map((c) => c.args),
    s.query('select payload from outbox'),
    s.bot.out.stderr,
  ])

test('a job secret spelled with \\u escapes in Block Kit is masked after parsing: not in Slack, the outbox or the debug log', async () => {
  const ts = await ask('demo card')
  const report = await reportIn(ts, 'the card')
  expect(JSON.stringify(report)).toContain('token [redacted]')
  expect(everything()).not.toContain(JOB_SECRET)
})

test("another project's webhook secret and another job's secret are masked in a report and in logs N", async () => {
  const ts = await ask('demo leak')
  const report = await reportIn(ts, 'the report')
  expect(report.text).toBe('hook [redacted] and ledger [redacted]')
  const logsTs = await ask('logs 2')
  const logs = await reportIn(logsTs, 'the logs reply')
  expect(logs.text).toContain('hook [redacted] and ledger [redacted]')
  const all = everything()
  expect(all).not.toContain(HOOK_SECRET)
  expect(all).not.toContain(OTHER_SECRET)
})
