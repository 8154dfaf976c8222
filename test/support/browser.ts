// Debian's Chromium driven by playwright-core, for the run pages' browser tests and screenshots.
// A machine without /usr/bin/chromium fails these tests with the command that installs it: they
// are never skipped.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

const CHROMIUM = process.env.EBMBOT_CHROMIUM || '/usr/bin/chromium'

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface Browser {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

/** A headless Chromium with a fresh profile, closed (and its profile removed) by `close`. */
export async function openBrowser(viewport = { width: 1200, height: 800 }): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set EBMBOT_CHROMIUM to its path)`,
    )
  const profile = mkdtempSync(join(tmpdir(), 'ebmbot-chromium-'))
  // A persistent context is how a chosen --user-data-dir is passed; it is new for every launch.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Signs in on the sign-in page with the static token, as a person would. */
export async function signInWithToken(page: Page, url: string, token: string) {
  await page.goto(`${url}/web/`)
  await page.fill('input[name=token]', token)
  await page.click('button[type=submit]')
  await page.waitForURL(`${url}/web/`)
}
