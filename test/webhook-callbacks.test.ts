// Job callbacks: a real job reads EBMBOT_CALLBACK_URL from its environment; posting to it puts
// text into the run's thread; tampered, expired, other-run and finished-run tokens are refused
// and post nothing.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { signCallbackToken } from '../src/dispatcher/callback-token.ts'
import { createWebhookApp } from '../src/webhooks/index.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'
import { sqliteOf } from './support/sqlite-of.ts'

// Each job writes its URL, then waits for a `go-<n>` file so the test decides when it finishes.
const YAML = `
settings: {kill_grace: 1s, poll_interval: 1s}
namespaces:
  t:
    jobs:
      cb:
        run: printf '%s' "$EBMBOT_CALLBACK_URL" > url-1.tmp; mv url-1.tmp url-1; while [ ! -e go-1 ]; do sleep 0.05; done
        callback: true
        timeout: 20s
        report_success: false
      cb2:
        run: printf '%s' "$EBMBOT_CALLBACK_URL" > url-2.tmp; mv url-2.tmp url-2; while [ ! -e go-2 ]; do sleep 0.05; done
        callback: true
        timeout: 20s
        report_success: false
      plain:
        run: printf '%s' "$EBMBOT_CALLBACK_URL" > url-plain.tmp; mv url-plain.tmp url-plain
        report_success: false
    commands:
      - {pattern: cb, job: cb}
      - {pattern: cb2, job: cb2}
      - {pattern: plain, job: plain}
`
const KEY = 'callback-signing-key'
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const ENV = {
  WEBHOOK_ORIGIN: 'https://bot.example.org/',
  EBMBOT_WEBHOOK_SECRET: KEY,
  SLACK_BOT_TOKEN: 'xoxb-bot-token-value',
}

let h: Harness
afterEach(async () => h && (await h.stop()))
afterAll(cleanupTemp)

const workdir = () => h.ctx.config.namespaces.t!.workdir
const fileIn = (name: string) => join(workdir(), name)
// Written then renamed by the job, so once the file exists it is complete (maybe empty).
const urlOf = async (n: string) => {
  await waitUntil(`url-${n}`, () => existsSync(fileIn(`url-${n}`)))
  return readFileSync(fileIn(`url-${n}`), 'utf8')
}
const outboxRows = () =>
  (
    sqliteOf(h.ctx)
      .sqlite.query('select count(*) as n from outbox where payload like \'%"purpose":"reply"%\'')
      .get() as { n: number }
  ).n

describe('callbacks from a running job', () => {
  test('the URL posts into the run thread; bad tokens and bodies are refused and post nothing', async () => {
    h = startHarness(YAML, ENV)
    const app = createWebhookApp(h.ctx)
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      app.request(path, { method: 'POST', body, headers })
    const one = await h.say('t cb', { channel: 'C9', threadTs: '111.222' })
    const two = await h.say('t cb2')
    const url = await urlOf('1')
    expect(url).toMatch(/^https:\/\/bot\.example\.org\/callbacks\/1\/\d+\.[\w-]{43}$/)
    const path = new URL(url).pathname
    const token = path.split('/')[3]!

    // Text, and JSON {"message"}, land in the run's thread, redacted.
    expect((await post(path, 'Half way there\n')).status).toBe(200)
    expect(
      (
        await post(path, JSON.stringify({ message: 'token is xoxb-bot-token-value' }), {
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(200)
    const first = await h.waitForMessage((m) => m.text === 'Half way there')
    expect(first).toMatchObject({ channel: 'C9', threadTs: '111.222', purpose: 'reply' })
    await h.waitForMessage((m) => m.text === 'token is [redacted]' && m.threadTs === '111.222')
    const posted = outboxRows()

    const refused: [string, string, Record<string, string>, number][] = [
      [
        'tampered token',
        path.slice(0, -10) + (path.at(-10) === 'A' ? 'B' : 'A') + path.slice(-9),
        {},
        403,
      ],
      // The next base64url letter after the last one decodes to the same 32 bytes: still refused.
      [
        'non-canonical last character',
        path.slice(0, -1) + B64URL[B64URL.indexOf(path.at(-1)!) + 1],
        {},
        403,
      ],
      ["another run's token", `/callbacks/${two.runId}/${token}`, {}, 403],
      ['expired token', `/callbacks/1/${signCallbackToken(KEY, 1, Date.now() - 1000)}`, {}, 403],
      [
        'token signed with another key',
        `/callbacks/1/${signCallbackToken('other-key', 1, Date.now() + 60_000)}`,
        {},
        403,
      ],
      [
        'unknown run, valid signature',
        `/callbacks/99/${signCallbackToken(KEY, 99, Date.now() + 60_000)}`,
        {},
        403,
      ],
      ['malformed token', '/callbacks/1/not-a-token', {}, 400],
      ['missing token', '/callbacks/1', {}, 400],
      ['JSON without a message', path, { 'content-type': 'application/json' }, 400],
    ]
    for (const [what, p, headers, status] of refused) {
      const res = await post(
        p,
        what === 'JSON without a message' ? '{"text": "x"}' : 'should not appear',
        headers,
      )
      expect(`${what}: ${res.status}`).toBe(`${what}: ${status}`)
    }
    expect((await post(path, '  \n ')).status).toBe(400) // empty
    expect(outboxRows()).toBe(posted)

    // Once the run is over, its own valid URL is refused too.
    writeFileSync(fileIn('go-1'), '')
    await h.waitForState(one.runId!, ['succeeded'])
    expect((await post(path, 'too late')).status).toBe(403)
    expect(outboxRows()).toBe(posted)
    writeFileSync(fileIn('go-2'), '')
    await h.waitForState(two.runId!, ['succeeded'])

    // The token never reaches the logs.
    expect(h.logLines.join('\n')).not.toContain(token)
    expect(h.logLines.some((l) => l.includes('path="/callbacks/1/<token>" status=403'))).toBe(true)
  })

  test('a long message is posted as a file', async () => {
    h = startHarness(YAML, ENV)
    const app = createWebhookApp(h.ctx)
    await h.say('t cb')
    const path = new URL(await urlOf('1')).pathname
    expect((await app.request(path, { method: 'POST', body: 'line\n'.repeat(2000) })).status).toBe(
      200,
    )
    const m = await h.waitForMessage((x) => !!x.file)
    expect(m.file!.content).toHaveLength(10_000 - 1)
    writeFileSync(fileIn('go-1'), '')
  })
})

describe('who gets a callback URL', () => {
  test('only opted-in jobs', async () => {
    h = startHarness(YAML, ENV)
    createWebhookApp(h.ctx)
    await h.say('t plain')
    expect(await urlOf('plain')).toBe('')
  })
  test('no URL when this process serves no callbacks (local chat), even for an opted-in job', async () => {
    h = startHarness(YAML, ENV)
    const r = await h.say('t cb')
    expect(await urlOf('1')).toBe('')
    writeFileSync(fileIn('go-1'), '')
    await h.waitForState(r.runId!, ['succeeded'])
  })
})
