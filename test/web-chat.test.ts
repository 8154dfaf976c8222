// `npm run chat` with a `web` section serves the run pages over the chat's own database: the
// runs typed in the terminal are on the page, and a press on the page is answered in the
// terminal, as if typed there.
import { afterAll, expect, test } from 'bun:test'
import { botEnv, killAfterEach, startBot } from './support/bot.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
const track = killAfterEach()
const TOKEN = 'chat-web-token-0123456789'

test('the chat serves the run pages; a Rerun pressed there is answered in the terminal', async () => {
  const dir = tempDir()
  const config = writeConfig(
    dir,
    `web: {}
namespaces:
  demo:
    jobs:
      hello: { run: 'echo Hello, [name]!', report_stdout: true }
    commands:
      - { pattern: 'hello [name]', job: hello }
`,
  )
  const bot = track(
    startBot(['chat', '--config', config], {
      env: botEnv(dir, { WEBHOOK_PORT: '0', EBMBOT_WEB_TOKEN: TOKEN }),
    }),
  )
  const url = (
    await waitUntil('the pages address', () => /Run pages: (\S+)/.exec(bot.out.stderr)?.[1])
  ).replace(/\/web\/$/, '')
  bot.send('demo hello web')
  await waitUntil('the report', () => bot.out.stdout.includes('Hello, web!'))
  const signIn = await fetch(`${url}/web/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TOKEN }),
  })
  const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!
  const history = await (await fetch(`${url}/web/history`, { headers: { cookie } })).text()
  expect(history).toContain('href="/web/runs/1"')
  const page = await (await fetch(`${url}/web/runs/1`, { headers: { cookie } })).text()
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!
  const pressed = await fetch(`${url}/web/runs/1/rerun`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin: url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, press: 'p' }),
  })
  expect(pressed.headers.get('location')).toBe('/web/runs/2')
  await waitUntil('the answer in the terminal', () =>
    bot.out.stdout.includes('Rerunning run 1 as run 2'),
  )
  bot.send('quit')
  expect(await bot.proc.exited).toBe(0)
})
