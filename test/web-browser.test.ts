// The run pages in a real browser (Debian's Chromium through playwright-core): they render after
// signing in, a running job's log grows on the page while it prints, Cancel stops the job, someone
// the rules refuse sees nothing and cannot act, and a form posted from another site is refused.
import { afterEach, expect, test } from 'bun:test'
import { openBrowser, signInWithToken, type Browser } from './support/browser.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'
import { DEMO_SECRET, startWebBot, WEB_TOKEN, type WebBot } from './support/web.ts'

/** A browser on a loaded machine is slow; nothing here is timed, this only bounds a hang. */
const BROWSER_MS = 90_000

let bot: WebBot | undefined
let browser: Browser | undefined
afterEach(async () => {
  await browser?.close()
  await bot?.stop()
  browser = bot = undefined
  cleanupTemp()
}, BROWSER_MS)

test(
  'after signing in, the queue, history and run pages render',
  async () => {
    bot = await startWebBot('U1')
    const done = await bot.h.say('demo hello browser')
    await bot.h.waitForState(done.runId!, ['succeeded'])
    browser = await openBrowser()
    const { page } = browser
    await page.goto(`${bot.url}/web/history`)
    expect(page.url()).toContain('/web/sign-in')
    await signInWithToken(page, bot.url, WEB_TOKEN)
    expect(await page.textContent('h1')).toBe('Queue')
    await page.click('a[href="/web/history"]')
    await page.click(`a[href="/web/runs/${done.runId}"]`)
    expect(await page.textContent('h1')).toBe(`Run ${done.runId} · demo_hello`)
    expect(await page.textContent('#log-stdout')).toBe('Hello, browser!\n')
  },
  BROWSER_MS,
)

test(
  'the log of a running job grows on the page while it prints, masked',
  async () => {
    bot = await startWebBot('U1')
    const res = await bot.h.say('demo ticker')
    await bot.h.waitForState(res.runId!, ['running'])
    browser = await openBrowser()
    const { page } = browser
    await signInWithToken(page, bot.url, WEB_TOKEN)
    await page.goto(`${bot.url}/web/runs/${res.runId}`)
    const first = (await page.textContent('#log-stdout')) ?? ''
    const shown = first.trim().split('\n').filter(Boolean).length
    // Lines printed after the page loaded arrive without a reload.
    await waitUntil(
      'lines printed after the page loaded',
      async () => (await page.textContent('#log-stdout'))?.includes(`tick ${shown + 10} `),
      15_000,
    )
    const text = (await page.textContent('#log-stdout')) ?? ''
    expect(text).toContain('[redacted]')
    expect(text).not.toContain(DEMO_SECRET)
  },
  BROWSER_MS,
)

test(
  'Cancel on the run page stops the running job',
  async () => {
    bot = await startWebBot('U1')
    const res = await bot.h.say('demo ticker')
    await bot.h.waitForState(res.runId!, ['running'])
    browser = await openBrowser()
    const { page } = browser
    await signInWithToken(page, bot.url, WEB_TOKEN)
    await page.goto(`${bot.url}/web/runs/${res.runId}`)
    // The page it lands on says what was done (the same page, so its URL says nothing).
    await Promise.all([
      page.waitForSelector('.flash', { timeout: 30_000 }),
      page.click('button:has-text("Cancel")'),
    ])
    expect(await page.textContent('.flash')).toContain(`Stopping run ${res.runId}`)
    const run = await bot.h.waitForState(res.runId!, ['cancelled'])
    expect(run.cancelledBy).toBe('U1')
    // The page follows the run to its end and shows the outcome.
    await waitUntil(
      'the outcome on the page',
      async () => (await page.textContent('main').catch(() => ''))?.includes('cancelled by U1'),
      15_000,
    )
  },
  BROWSER_MS,
)

test(
  'someone the rules refuse sees none of the runs and cannot act on them',
  async () => {
    bot = await startWebBot('U2')
    const launch = await bot.h.say('secret launch') // U1 may; U2 may not
    await bot.h.waitForState(launch.runId!, ['succeeded'])
    browser = await openBrowser()
    const { page } = browser
    await signInWithToken(page, bot.url, WEB_TOKEN)
    await page.goto(`${bot.url}/web/history`)
    expect(await page.textContent('main')).toContain('No runs match.')
    const res = await page.goto(`${bot.url}/web/runs/${launch.runId}`)
    expect(res?.status()).toBe(404)
    expect(await page.textContent('body')).not.toContain('launching')
    // A hand-made form with the session's own CSRF token is still refused by the rules.
    await page.goto(`${bot.url}/web/`)
    const csrf = await page.inputValue('input[name=csrf]')
    const status = await page.evaluate(
      async ([id, token]) => {
        const r = await fetch(`/web/runs/${id}/rerun`, {
          method: 'POST',
          body: new URLSearchParams({ csrf: String(token), press: 'x' }),
        })
        return r.status
      },
      [launch.runId!, csrf] as const,
    )
    expect(status).toBe(404)
    expect((await bot.h.ctx.queue.findRuns({}, 10)).rows).toHaveLength(1)
  },
  BROWSER_MS,
)

test(
  'a form another site posts to the pages is refused, though the browser sends the cookie',
  async () => {
    bot = await startWebBot('U1')
    const done = await bot.h.say('demo hello csrf')
    await bot.h.waitForState(done.runId!, ['succeeded'])
    // Another site on this host (another port): its page posts a Rerun to the bot when opened.
    const evil = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () =>
        new Response(
          `<form method="post" action="${bot!.url}/web/runs/${done.runId}/rerun"><input name="press" value="e"></form><script>document.forms[0].submit()</script>`,
          { headers: { 'content-type': 'text/html' } },
        ),
    })
    try {
      browser = await openBrowser()
      const { page } = browser
      await signInWithToken(page, bot.url, WEB_TOKEN)
      await page.goto(`http://127.0.0.1:${evil.port}/`)
      await page.waitForURL(`${bot.url}/web/runs/${done.runId}/rerun`)
      expect(await page.textContent('body')).toContain('Refused')
      expect((await bot.h.ctx.queue.findRuns({}, 10)).rows).toHaveLength(1)
    } finally {
      await evil.stop(true)
    }
  },
  BROWSER_MS,
)
