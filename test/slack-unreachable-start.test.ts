// Slack out of reach when `serve` starts (its API answers 503): the dispatcher and the webhooks
// start at once anyway, a GitHub delivery runs its job, /healthz shows Slack connecting, every
// retry is logged, and once Slack answers the report that waited in the outbox is posted.
import { afterAll, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { botEnv, killAfterEach, startBot } from './support/bot.ts'
import { startFakeSlack } from './support/fake-slack.ts'
import { delivery, freePort, pullRequest } from './support/github.ts'
import { APP_TOKEN, BOT_TOKEN, fakeOptions } from './support/slack-bot.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
const killLater = killAfterEach()

test('Slack answering 503 at start: a GitHub delivery still runs at once, health says connecting, and the report is posted once Slack is back', async () => {
  const fake = await startFakeSlack(
    fakeOptions({
      channels: [
        { id: 'CLOGS', name: 'logs', is_member: true },
        { id: 'CSUPPORT', name: 'tech-support', is_member: true },
        { id: 'CDEPLOYS', name: 'deploys', is_member: true },
      ],
    }),
  )
  try {
    fake.failNext('auth.test', { status: 503 }, 3) // about 1 + 2 + 4 s of retries
    const state = tempDir()
    const work = join(state, 'work')
    const config = writeConfig(
      state,
      `settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  site:
    workdir: ${work}
    jobs:
      deploy: {run: "echo deployed [branch] > deployed.txt; echo deployed [branch]", report_stdout: true}
github:
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: main, namespace: site, job: deploy, params: {branch: pull_request.head.ref}, channel: '#deploys'}
`,
    )
    const port = await freePort()
    const bot = killLater(
      startBot(['serve', '--config', config], {
        env: botEnv(state, {
          WEBHOOK_PORT: String(port),
          GITHUB_WEBHOOK_SECRET: 'gh-secret',
          SLACK_API_URL: fake.apiUrl,
          SLACK_APP_TOKEN: APP_TOKEN,
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_LOGS_CHANNEL: 'logs',
          SLACK_TECH_SUPPORT_CHANNEL: 'tech-support',
        }),
      }),
    )
    await waitUntil('serving', () => bot.out.stderr.includes('event=serve.ready'), 10_000)
    expect(bot.out.stderr).toMatch(/event=serve\.ready .*slack=connecting/)
    const res = await fetch(
      `http://127.0.0.1:${port}/github/site`,
      await delivery(pullRequest({ head: 'feature-x' }), { secret: 'gh-secret' }),
    )
    expect(res.status).toBe(200)
    // The job runs while Slack is still out of reach.
    await waitUntil('the job to run', () => existsSync(join(work, 'deployed.txt')), 5000)
    expect(bot.out.stderr).not.toContain('event=slack.ready')
    const health = await fetch(`http://127.0.0.1:${port}/healthz`)
    expect(health.status).toBe(503)
    expect(((await health.json()) as { checks: { slack: unknown } }).checks.slack).toMatchObject({
      ok: false,
      detail: { connecting: true },
    })
    expect(bot.out.stderr).toMatch(/event=slack\.connect_retry attempt=1 /)
    // Slack answers again: it connects, and the report that waited is posted in the channel.
    await waitUntil('Slack to connect', () => bot.out.stderr.includes('event=slack.ready'), 20_000)
    await fake.waitFor(
      (f) =>
        f.messages.find((m) => m.channel === 'CDEPLOYS' && m.text?.includes('deployed feature-x')),
      10_000,
      'the report',
    )
    expect(bot.out.stderr.match(/event=slack\.connect_retry/g)?.length).toBe(3)
  } finally {
    await fake.stop()
  }
}, 60_000)
