// Sign in with Slack (OpenID Connect) in a real browser against the fake Slack: the button goes
// to Slack's authorize page and back, the session is the Slack user Slack named, and the access
// rules then use what Slack says of that user (a guest is refused restricted namespaces). A
// person of another workspace, or a callback this browser did not start, does not get in.
import { afterEach, expect, test } from 'bun:test'
import { openBrowser, type Browser } from './support/browser.ts'
import { FakeSlack } from './support/fake-slack.ts'
import { cleanupTemp } from './support/temp.ts'
import { startWebBot, type WebBot } from './support/web.ts'

/** A browser on a loaded machine is slow; nothing here is timed, this only bounds a hang. */
const BROWSER_MS = 90_000

let bot: WebBot | undefined
let browser: Browser | undefined
let slack: FakeSlack | undefined
afterEach(async () => {
  await browser?.close()
  await bot?.stop()
  await slack?.stop()
  browser = bot = slack = undefined
  cleanupTemp()
}, BROWSER_MS)

async function setUp() {
  slack = new FakeSlack({
    users: { U1: { name: 'ada' }, U3: { name: 'guest', is_restricted: true } },
  })
  bot = await startWebBot(undefined, slack)
  browser = await openBrowser()
  return { slack, bot, page: browser.page }
}

test(
  'Sign in with Slack signs in as the Slack user Slack names',
  async () => {
    const { slack, bot, page } = await setUp()
    const launch = await bot.h.say('secret launch')
    await bot.h.waitForState(launch.runId!, ['succeeded'])
    slack.oidc.signedIn = { user: 'U1' }
    await page.goto(`${bot.url}/web/runs/${launch.runId}`)
    await page.click('text=Sign in with Slack')
    await page.waitForURL(`${bot.url}/web/runs/${launch.runId}`)
    expect(await page.textContent('.who')).toBe('U1')
    expect(await page.textContent('#log-stdout')).toBe('launching\n')
    const exchanged = slack.callsOf('openid.connect.token')
    expect(exchanged).toHaveLength(1)
    expect(exchanged[0]!.args.redirect_uri).toBe(`${bot.url}/web/sign-in/slack/callback`)
  },
  BROWSER_MS,
)

test(
  'a guest signed in with Slack sees nothing of a restricted namespace, though listed by name',
  async () => {
    const { slack, bot, page } = await setUp()
    const launch = await bot.h.say('secret launch')
    await bot.h.waitForState(launch.runId!, ['succeeded'])
    slack.oidc.signedIn = { user: 'U3' } // on the allow list, but a guest
    await page.goto(`${bot.url}/web/sign-in`)
    await page.click('text=Sign in with Slack')
    await page.waitForURL(`${bot.url}/web/`)
    expect(await page.textContent('.who')).toBe('U3')
    expect((await page.goto(`${bot.url}/web/runs/${launch.runId}`))?.status()).toBe(404)
    expect(slack.callsOf('users.info').some((c) => c.args.user === 'U3')).toBe(true)
  },
  BROWSER_MS,
)

test(
  'a Slack account of another workspace is refused',
  async () => {
    const { slack, bot, page } = await setUp()
    slack.oidc.signedIn = { user: 'U9', team: 'T0OTHER' }
    await page.goto(`${bot.url}/web/sign-in`)
    await page.click('text=Sign in with Slack')
    await page.waitForURL(/\/web\/sign-in\/slack\/callback/)
    expect(await page.textContent('main')).toContain('not in the workspace this bot serves')
    expect((await page.goto(`${bot.url}/web/`))?.url()).toContain('/web/sign-in')
  },
  BROWSER_MS,
)

test(
  'a callback this browser did not start signs nobody in',
  async () => {
    const { slack, bot, page } = await setUp()
    slack.oidc.signedIn = { user: 'U1' }
    // An attacker's own code, sent to the victim's browser: no state cookie matches it.
    const res = await page.goto(`${bot.url}/web/sign-in/slack/callback?code=stolen&state=guess`)
    expect(res?.status()).toBe(403)
    expect(slack.callsOf('openid.connect.token')).toHaveLength(0)
    expect((await page.goto(`${bot.url}/web/`))?.url()).toContain('/web/sign-in')
  },
  BROWSER_MS,
)
