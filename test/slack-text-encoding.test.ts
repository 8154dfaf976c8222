// Slack's text encoding at every door: `&amp; &lt; &gt;` typed by people are decoded before a
// job sees them, and text nobody here wrote (job output, a PR author's title, a callback body,
// chat text said back) is escaped, so it can neither ping `<!channel>` nor pass a link off under
// another label as the bot.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createWebhookApp } from '../src/webhooks/index.ts'
import { delivery, pullRequest } from './support/github.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { sqliteOf } from './support/sqlite-of.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

const HOSTILE = '<!channel> pay now: <https://evil.example/steal|https://bank.example/login>'

const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  t:
    default_channel: C9
    jobs:
      fetch: {run: "printf '%s' [url] > fetched.txt", report_success: false}
      say: {run: "echo [title]", report_stdout: true}
      code: {run: "echo '${HOSTILE}'", report_stdout: true, report_format: code}
      text: {run: "echo '${HOSTILE}'", report_stdout: true}
      fail: {run: "echo '${HOSTILE}' >&2; exit 1"}
      card:
        run: >-
          echo '[{"type":"section","text":{"type":"mrkdwn","text":"<!channel> see <https://ok.example|the dashboard>"}}]'
        report_stdout: true
        report_format: blocks
      cb:
        run: printf '%s' "$EBMBOT_CALLBACK_URL" > url.tmp; mv url.tmp url; while [ ! -e go ]; do sleep 0.05; done
        callback: true
    commands:
      - {pattern: "fetch [url]", job: fetch}
      - {pattern: code, job: code}
      - {pattern: text, job: text}
      - {pattern: fail, job: fail}
      - {pattern: card, job: card}
      - {pattern: cb, job: cb}
github:
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: main, namespace: t, job: say, params: {title: pull_request.title}}
`
const ENV = {
  GITHUB_WEBHOOK_SECRET: 'gh-secret',
  WEBHOOK_ORIGIN: 'https://bot.example.org/',
  EBMBOT_WEBHOOK_SECRET: 'callback-signing-key',
}

let h: Harness | undefined
afterEach(async () => {
  await h?.stop()
  h = undefined
})
afterAll(cleanupTemp)

const workdir = () => h!.ctx.config.namespaces.t!.workdir
/** Neither a raw broadcast nor a raw link: both arrive escaped, shown as typed. */
const expectDefused = (text: string) => {
  expect(text).not.toContain('<!channel>')
  expect(text).not.toContain('<https://evil')
  expect(text).toContain('&lt;!channel&gt;')
  expect(text).toContain('&lt;https://evil.example/steal|https://bank.example/login&gt;')
}
const reportOf = async (runId: number) => {
  await h!.waitForState(runId, ['succeeded', 'failed'])
  return h!.waitForMessage((m) => m.purpose === 'report' && m.threadTs !== undefined)
}

describe('on the way in', () => {
  test('a URL with a query string reaches the job as typed: &amp; is decoded', async () => {
    h = await startHarness(YAML, ENV)
    const asked = await h.say('t fetch <https://x.example/a?id=1&amp;branch=main>')
    await h.waitForState(asked.runId!, ['succeeded'])
    expect(readFileSync(join(workdir(), 'fetched.txt'), 'utf8')).toBe(
      'https://x.example/a?id=1&branch=main',
    )
    await h.say('t fetch a&lt;b&gt;c&amp;d', { threadTs: '200.1', messageTs: '200.1' })
    await waitUntil('the second fetch', () =>
      readFileSync(join(workdir(), 'fetched.txt'), 'utf8').startsWith('a<'),
    )
    expect(readFileSync(join(workdir(), 'fetched.txt'), 'utf8')).toBe('a<b>c&d')
  })
})

describe('on the way out', () => {
  for (const job of ['text', 'code', 'fail'])
    test(`job output reported as ${job} cannot ping the channel or disguise a link`, async () => {
      h = await startHarness(YAML, ENV)
      const asked = await h.say(`t ${job}`)
      expectDefused((await reportOf(asked.runId!)).text)
    })

  test('a job’s Block Kit keeps its links but cannot ping the channel', async () => {
    h = await startHarness(YAML, ENV)
    const asked = await h.say('t card')
    const blocks = JSON.stringify((await reportOf(asked.runId!)).jobBlocks)
    expect(blocks).not.toContain('<!channel>')
    expect(blocks).toContain('@channel see <https://ok.example|the dashboard>')
  })

  test('a PR title written by an outside author is escaped in the report and in status N', async () => {
    h = await startHarness(YAML, ENV)
    const app = createWebhookApp(h.ctx)
    const payload = {
      ...pullRequest(),
      pull_request: { ...pullRequest().pull_request, title: HOSTILE },
    }
    const res = await app.request('/github/site', await delivery(payload))
    expect(res.status).toBe(200)
    const runId = ((await res.json()) as { runs: { run: number }[] }).runs[0]!.run
    expectDefused((await reportOf(runId)).text)
    expectDefused((await h.say(`status ${runId}`)).replies[0]!)
  })

  test('a callback body is escaped in the thread', async () => {
    h = await startHarness(YAML, ENV)
    const app = createWebhookApp(h.ctx)
    await h.say('t cb', { channel: 'C9', threadTs: '111.222' })
    await waitUntil('the callback url', () => existsSync(join(workdir(), 'url')))
    const path = new URL(readFileSync(join(workdir(), 'url'), 'utf8')).pathname
    expect((await app.request(path, { method: 'POST', body: HOSTILE })).status).toBe(200)
    const posted = await h.waitForMessage((m) => m.text.includes('pay now'))
    expectDefused(posted.text)
    Bun.write(join(workdir(), 'go'), '')
  })

  test('chat text said back (not understood) is escaped', async () => {
    h = await startHarness(YAML, ENV)
    const res = await h.say(`t ${HOSTILE}`)
    const reply = res.replies[0]!
    expect(reply).not.toContain('<!channel>')
    expect(reply).toContain('&lt;!channel&gt;')
    // A link someone typed is said back as its real target, never under its label.
    expect(reply).toContain('pay now: https://evil.example/steal`')
    const rows = sqliteOf(h.ctx).sqlite.query('select payload from outbox').all()
    expect(JSON.stringify(rows)).not.toContain('<!channel>')
  })
})
