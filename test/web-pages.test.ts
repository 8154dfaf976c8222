// The run pages over real HTTP on a real bot: nothing without signing in, the queue, history and
// run pages with masked logs, the buttons under Slack's rules, and CSRF refused. (The live log,
// Cancel in a browser and screenshots are in web-browser.test.ts.)
import { afterEach, describe, expect, test } from 'bun:test'
import { cleanupTemp } from './support/temp.ts'
import { DEMO_SECRET, signIn, startWebBot, type WebBot } from './support/web.ts'

let bot: WebBot | undefined
afterEach(async () => {
  await bot?.stop()
  bot = undefined
  cleanupTemp()
})

const get = (url: string, cookie?: string) =>
  fetch(url, {
    redirect: 'manual',
    headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) },
  })

describe('signed out', () => {
  test('every page sends the browser to sign in, and no data comes back', async () => {
    bot = await startWebBot('U1')
    const run = await bot.h.say('demo hello world')
    for (const path of ['/web/', '/web/history', `/web/runs/${run.runId}`]) {
      const res = await get(bot.url + path)
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toStartWith('/web/sign-in')
      expect(await res.text()).not.toContain('hello')
    }
    const log = await fetch(`${bot.url}/web/runs/${run.runId}/log/stdout`)
    expect(log.status).toBe(401)
  })

  test('a wrong token does not sign in; a forged cookie is refused', async () => {
    bot = await startWebBot('U1')
    const res = await fetch(`${bot.url}/web/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: bot.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'not-the-token-at-all' }),
    })
    expect(res.status).toBe(401)
    expect(res.headers.getSetCookie()).toEqual([])
    const cookie = await signIn(bot.url)
    const [name, value] = cookie.split('=') as [string, string]
    const [body, sig] = value.split('.') as [string, string]
    const edited = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), user: 'U0BOSS' }),
    ).toString('base64url')
    expect((await get(`${bot.url}/web/`, `${name}=${edited}.${sig}`)).status).toBe(303)
  })
})

describe('signed in', () => {
  test('the run page shows who asked, the command, the exit code and the masked output', async () => {
    bot = await startWebBot('U1')
    const cookie = await signIn(bot.url)
    const res = await bot.h.say(`demo hello ${DEMO_SECRET}`)
    await bot.h.waitForState(res.runId!, ['succeeded'])
    const page = await (await get(`${bot.url}/web/runs/${res.runId}`, cookie)).text()
    expect(page).toContain('U1')
    expect(page).toContain('Hello, [redacted]!')
    expect(page).toContain('Exit code')
    expect(page).not.toContain(DEMO_SECRET)
    const file = await fetch(`${bot.url}/web/runs/${res.runId}/log/stdout`, { headers: { cookie } })
    expect(file.headers.get('content-disposition')).toContain('attachment')
    expect(await file.text()).toBe('Hello, [redacted]!\n')
  })

  test('history filters by job and state and leaves out what the filter excludes; the queue page renders', async () => {
    bot = await startWebBot('U1')
    const cookie = await signIn(bot.url)
    const ids: number[] = []
    for (let i = 0; i < 3; i++) {
      const r = await bot.h.say(`demo hello n${i}`)
      ids.push(r.runId!)
      await bot.h.waitForState(r.runId!, ['succeeded'])
    }
    const launch = await bot.h.say('secret launch')
    await bot.h.waitForState(launch.runId!, ['succeeded'])
    const page = await (
      await get(`${bot.url}/web/history?job=demo_hello&state=succeeded`, cookie)
    ).text()
    for (const id of ids) expect(page).toContain(`/web/runs/${id}"`)
    expect(page).not.toContain(`/web/runs/${launch.runId}"`)
    const queue = await (await get(`${bot.url}/web/`, cookie)).text()
    expect(queue).toContain('Nothing is running.')
    // Both schedules, with their next times (in the year after this one).
    expect(queue).toContain('demo new-year')
    expect(queue).toContain('secret launch-day')
    expect(queue).toMatch(/\d{4}-01-01 00:00 UTC, /)
  })

  test('someone the rules refuse sees none of the runs and cannot press their buttons', async () => {
    bot = await startWebBot('U2')
    const launch = await bot.h.say('secret launch') // asked by U1, who may
    await bot.h.waitForState(launch.runId!, ['succeeded'])
    const cookie = await signIn(bot.url)
    const history = await (await get(`${bot.url}/web/history`, cookie)).text()
    expect(history).not.toContain(`/web/runs/${launch.runId}"`)
    const queue = await (await get(`${bot.url}/web/`, cookie)).text()
    expect(queue).toContain('demo new-year')
    expect(queue).not.toContain('launch-day')
    const page = await get(`${bot.url}/web/runs/${launch.runId}`, cookie)
    expect(page.status).toBe(404)
    expect(await page.text()).not.toContain('launching')
    const csrf = await csrfOf(bot.url, cookie)
    const rerun = await post(bot.url, `/web/runs/${launch.runId}/rerun`, cookie, { csrf })
    expect(rerun.status).toBe(404)
    expect((await bot.h.ctx.queue.findRuns({}, 10)).rows.length).toBe(1)
  })

  test('a POST without the session CSRF token, or from another origin, changes nothing', async () => {
    bot = await startWebBot('U1')
    const cookie = await signIn(bot.url)
    const r = await bot.h.say('demo hello x')
    await bot.h.waitForState(r.runId!, ['succeeded'])
    const path = `/web/runs/${r.runId}/rerun`
    expect((await post(bot.url, path, cookie, {})).status).toBe(403)
    expect((await post(bot.url, path, cookie, { csrf: 'guessed' })).status).toBe(403)
    const csrf = await csrfOf(bot.url, cookie)
    expect((await post(bot.url, path, cookie, { csrf }, 'https://evil.example')).status).toBe(403)
    expect((await bot.h.ctx.queue.findRuns({}, 10)).rows.length).toBe(1)
    // The same form from the pages themselves works, once per rendered form.
    const ok = await post(bot.url, path, cookie, { csrf, press: 'p1' })
    expect(ok.status).toBe(303)
    await post(bot.url, path, cookie, { csrf, press: 'p1' })
    expect((await bot.h.ctx.queue.findRuns({}, 10)).rows.length).toBe(2)
    // Its answer is said in the run's thread, as a Slack press would be.
    await bot.h.waitForMessage((m) => m.text.startsWith(`Rerunning run ${r.runId}`))
  })
})

async function csrfOf(url: string, cookie: string) {
  const page = await (await get(`${url}/web/`, cookie)).text()
  return /name="csrf" value="([^"]+)"/.exec(page)![1]!
}

const post = (
  url: string,
  path: string,
  cookie: string,
  form: Record<string, string>,
  origin = url,
) =>
  fetch(url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  })
