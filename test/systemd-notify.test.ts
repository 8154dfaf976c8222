// `ebmbot serve` under systemd's notify protocol, with a real NOTIFY_SOCKET the test listens on:
// READY=1 only once the web server answers, WATCHDOG=1 at half of WATCHDOG_USEC, and SIGHUP
// reloads a config that validates (RELOADING=1, then READY=1) and keeps the old one otherwise.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { botEnv, startBot } from './support/bot.ts'
import { delivery, freePort } from './support/github.ts'
import { listenNotify } from './support/notify-socket.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)

const project = (name: string) => `
    ${name}:
      triggers:
        - {event: pull_request, action: closed, merged: true, namespace: site, job: deploy}`
const config = (...projects: string[]) => `
settings: {shutdown_grace: 1s, kill_grace: 1s}
namespaces:
  site:
    default_channel: '#site'
    jobs:
      deploy: {run: "true"}
github:
  projects:${projects.map(project).join('')}
`

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

async function serveUnderSystemd(yaml: string, extra: Record<string, string> = {}) {
  const dir = tempDir()
  const notify = listenNotify(dir)
  const port = await freePort()
  const file = writeConfig(dir, yaml)
  const bot = startBot(['serve', '--config', file], {
    env: botEnv(join(dir, 'state'), {
      NOTIFY_SOCKET: notify.path,
      WEBHOOK_PORT: String(port),
      GITHUB_WEBHOOK_SECRET: 'gh-secret',
      ...extra,
    }),
  })
  cleanups.push(() => {
    bot.proc.kill('SIGKILL')
    notify.close()
  })
  const base = `http://127.0.0.1:${port}`
  const ping = async (name: string) =>
    (await fetch(`${base}/github/${name}`, await delivery({ zen: 'hi' }, { event: 'ping' }))).status
  return { dir, file, notify, bot, base, ping }
}

describe('Type=notify', () => {
  test('READY=1 comes once, after the web server answers, naming the main pid', async () => {
    const s = await serveUnderSystemd(config('site'))
    // Probe the server as fast as possible; READY must not come before the first answer.
    let firstAnswer = 0
    await waitUntil(
      'the web server',
      async () => {
        // When the request left: the server was up by then (an earlier one was refused), while
        // the answer itself can take longer than READY on a loaded machine.
        const sent = Date.now()
        const ok = await fetch(`${s.base}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
        if (ok && !firstAnswer) firstAnswer = sent
        return ok
      },
      20_000,
      5,
    )
    const ready = await waitUntil('READY=1', () => s.notify.with('READY=1')[0], 10_000)
    expect(ready.text).toContain(`MAINPID=${s.bot.proc.pid}`)
    // The server was up before READY left (allowing for the probe's own round trip).
    expect(ready.at).toBeGreaterThanOrEqual(firstAnswer - 50)
    await Bun.sleep(300)
    expect(s.notify.with('READY=1')).toHaveLength(1)
  })

  test('the watchdog is fed at half of WATCHDOG_USEC while the bot runs', async () => {
    const s = await serveUnderSystemd(config('site'), { WATCHDOG_USEC: '400000' })
    await waitUntil('READY=1', () => s.notify.with('READY=1')[0], 20_000)
    const from = s.notify.with('WATCHDOG=1').length
    await Bun.sleep(1500)
    const fed = s.notify.with('WATCHDOG=1').slice(from)
    // Every 200 ms: about 7 in 1.5 s; allow for a loaded machine, but far more than one.
    expect(fed.length).toBeGreaterThanOrEqual(4)
    expect(fed.length).toBeLessThanOrEqual(9)
  })

  test('no watchdog pings when WATCHDOG_PID names another process', async () => {
    const s = await serveUnderSystemd(config('site'), {
      WATCHDOG_USEC: '200000',
      WATCHDOG_PID: '1',
    })
    await waitUntil('READY=1', () => s.notify.with('READY=1')[0], 20_000)
    await Bun.sleep(500)
    expect(s.notify.with('WATCHDOG=1')).toHaveLength(0)
  })

  test('SIGTERM says STOPPING=1 before the bot exits', async () => {
    const s = await serveUnderSystemd(config('site'))
    await waitUntil('READY=1', () => s.notify.with('READY=1')[0], 20_000)
    s.bot.proc.kill('SIGTERM')
    expect(await s.bot.proc.exited).toBe(0)
    await Bun.sleep(50)
    expect(s.notify.with('STOPPING=1')).toHaveLength(1)
  })
})

describe('SIGHUP reloads the config', () => {
  test('a valid new config applies at once (a new GitHub project is served), with RELOADING=1 then READY=1', async () => {
    const s = await serveUnderSystemd(config('site'))
    await waitUntil('READY=1', () => s.notify.with('READY=1')[0], 20_000)
    expect(await s.ping('docs')).toBe(404)
    writeConfig(s.dir, config('site', 'docs'))
    s.bot.proc.kill('SIGHUP')
    await waitUntil('the second READY=1', () => s.notify.with('READY=1')[1], 10_000)
    const texts = s.notify.messages.map((m) => m.text.split('\n')[0])
    const reloading = texts.indexOf('RELOADING=1')
    expect(reloading).toBeGreaterThan(texts.indexOf('READY=1'))
    expect(texts.lastIndexOf('READY=1')).toBeGreaterThan(reloading)
    // systemd wants the reload's start on its monotonic clock.
    expect(s.notify.with('RELOADING=1')[0]!.text).toMatch(/\nMONOTONIC_USEC=\d+$/)
    expect(await s.ping('docs')).toBe(200)
    expect(s.bot.out.stderr).toContain('event=config.reloaded')
  })

  test('a config that does not validate is refused: the old one keeps serving and the log says why', async () => {
    const s = await serveUnderSystemd(config('site', 'docs'))
    await waitUntil('READY=1', () => s.notify.with('READY=1')[0], 20_000)
    writeConfig(
      s.dir,
      'namespaces:\n  site:\n    jobs:\n      deploy: {run: "true", timeout: -1}\n',
    )
    s.bot.proc.kill('SIGHUP')
    await waitUntil('the second READY=1', () => s.notify.with('READY=1')[1], 10_000)
    const line = s.bot.out.stderr.split('\n').find((l) => l.includes('event=config.reload_refused'))
    expect(line).toStartWith('level=error event=config.reload_refused')
    expect(line).toContain(`${s.file}:4: namespaces.site.jobs.deploy.timeout: bad duration -1`)
    expect(await s.ping('docs')).toBe(200)
    expect(s.bot.proc.exitCode).toBeNull()
  })
})
