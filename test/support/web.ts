// A bot with the run pages for tests: the in-process harness (real queue, dispatcher, processes)
// and the web app served on a loopback port, signed in with the static token as a chosen user.
import { createWebhookApp } from '../../src/webhooks/index.ts'
import { webPages, webSetup } from '../../src/web/index.ts'
import { webDoor } from '../../src/service/web-door.ts'
import type { FakeSlack } from './fake-slack.ts'
import { startHarness, type Harness } from './harness.ts'

export const WEB_TOKEN = 'web-test-token-0123456789'
const COOKIE_KEY = 'cookie-key-for-tests-0123456789abcdef'

/** Jobs for the page tests: one anyone may run, one only U1 may, one that prints slowly. */
const webYaml = (tokenUser?: string) => `
settings:
  kill_grace: 1s
  poll_interval: 1s
web: { ${tokenUser ? `token_user: ${tokenUser}` : ''} }
namespaces:
  demo:
    jobs:
      hello:
        run: echo Hello, [name]!
        env: [{ name: DEMO_SECRET, secret: true }]
      tidy:
        run: echo tidy
      ticker:
        run: for i in $(seq 1 300); do echo "tick $i $DEMO_SECRET"; sleep 0.1; done
        env: [{ name: DEMO_SECRET, secret: true }]
    commands:
      - pattern: hello [name]
        job: hello
      - pattern: tidy
        job: tidy
        schedule: { cron: "0 0 1 1 *", channel: C1, name: new-year, missed: skip }
      - pattern: ticker
        job: ticker
  secret:
    restricted: true
    allow: { users: [U1, U3] }
    jobs:
      launch:
        run: echo launching
    commands:
      - pattern: launch
        job: launch
        schedule: { cron: "0 0 1 1 *", channel: C1, name: launch-day, missed: skip }
`

export const DEMO_SECRET = 'hunter2-the-demo-secret'

export interface WebBot {
  h: Harness
  url: string
  stop(): Promise<void>
}

/**
 * The bot and its pages on 127.0.0.1; the token signs in as `tokenUser` (or the operator). With
 * a fake Slack, the pages are wired as serve wires them: Slack's lookups and Sign in with Slack.
 */
export async function startWebBot(tokenUser?: string, slack?: FakeSlack) {
  const h = await startHarness(webYaml(tokenUser), {
    EBMBOT_WEB_TOKEN: WEB_TOKEN,
    EBMBOT_WEB_COOKIE_SECRET: COOKIE_KEY,
    DEMO_SECRET,
    ...(slack
      ? {
          SLACK_BOT_TOKEN: 'xoxb-test',
          SLACK_API_URL: slack.apiUrl,
          SLACK_CLIENT_ID: slack.oidc.clientId,
          SLACK_CLIENT_SECRET: slack.oidc.clientSecret,
        }
      : {}),
  })
  const setup = webSetup(h.ctx)!
  h.ctx.doors.set('web', { replyVia: 'slack' })
  const pages = slack
    ? webDoor(h.ctx)!
    : webPages(h.ctx, { setup, people: async () => ({ isGuest: false }) })
  const app = createWebhookApp(h.ctx, { pages })
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch })
  return {
    h,
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      await server.stop(true)
      await h.stop()
    },
  } satisfies WebBot
}

/** Signs in with the token over HTTP; the session cookie to send with later requests. */
export async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/web/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: WEB_TOKEN, next: '/web/' }),
  })
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`)
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ebmbot_session='))
  if (!cookie) throw new Error('sign-in set no session cookie')
  return cookie.split(';')[0]!
}
