// `npm run screenshots`: the README's pictures of the run pages, taken by the browser the tests
// use (Debian's Chromium through playwright-core) on a bot with a few runs, one still printing.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { openBrowser, signInWithToken } from './browser.ts'
import { cleanupTemp, REPO } from './temp.ts'
import { waitUntil } from './wait.ts'
import { startWebBot, WEB_TOKEN } from './web.ts'

const OUT = join(REPO, 'docs', 'images')
mkdirSync(OUT, { recursive: true })
const bot = await startWebBot('U1')
const browser = await openBrowser({ width: 1100, height: 720 })
try {
  for (const name of ['world', 'Ada', 'Grace']) {
    const r = await bot.h.say(`demo hello ${name}`)
    await bot.h.waitForState(r.runId!, ['succeeded'])
  }
  const launch = await bot.h.say('secret launch')
  await bot.h.waitForState(launch.runId!, ['succeeded'])
  const ticker = await bot.h.say('demo ticker')
  await bot.h.waitForState(ticker.runId!, ['running'])
  const { page } = browser
  const shot = (name: string) => page.screenshot({ path: join(OUT, name), fullPage: true })
  await page.goto(`${bot.url}/web/sign-in`)
  await shot('web-sign-in.png')
  await signInWithToken(page, bot.url, WEB_TOKEN)
  await shot('web-queue.png')
  await page.goto(`${bot.url}/web/history`)
  await shot('web-history.png')
  await page.goto(`${bot.url}/web/runs/${ticker.runId}`)
  await waitUntil('a few live lines', async () =>
    (await page.textContent('#log-stdout'))?.includes('tick 25 '),
  )
  await page.setViewportSize({ width: 1100, height: 900 })
  await page.screenshot({ path: join(OUT, 'web-run.png') })
  console.log(`screenshots written to ${OUT}`)
} finally {
  await browser.close()
  await bot.stop()
  cleanupTemp()
}
