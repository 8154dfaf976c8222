// The schedule ticker in a real `ebmbot serve`: a schedule added by a config reload (SIGHUP)
// starts firing without a restart, each slot once, and SIGTERM stops the ticker with the rest.
import { afterAll, expect, test } from 'bun:test'
import { botEnv, killAfterEach, startBot } from './support/bot.ts'
import { cleanupTemp, tempDir, writeConfig } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

afterAll(cleanupTemp)
const track = killAfterEach()

const YAML = (schedule: string) => `namespaces:
  ops:
    default_channel: "#ops"
    jobs:
      tick:
        run: echo tick
    commands:
      - pattern: tick
        job: tick${schedule}
`

test('a schedule added by a reload fires each second once, and SIGTERM stops it cleanly', async () => {
  const dir = tempDir()
  const file = writeConfig(dir, YAML(''))
  const bot = track(startBot(['serve', '--config', file], { env: botEnv(tempDir()) }))
  await waitUntil('serve to be ready', () => bot.out.stderr.includes('event=serve.ready'))
  writeConfig(dir, YAML('\n        schedule: { cron: "* * * * * *" }'))
  bot.proc.kill('SIGHUP')
  await waitUntil('the reload', () => bot.out.stderr.includes('event=config.reloaded'))
  const fired = () => [...bot.out.stderr.matchAll(/event=schedule\.fired [^\n]*slot=(\S+)/g)]
  await waitUntil('three slots to fire', () => fired().length >= 3, 15_000)
  bot.proc.kill('SIGTERM')
  expect(await bot.proc.exited).toBe(0)
  expect(bot.out.stderr).toContain('event=serve.stopped')
  const slots = fired().map((m) => m[1])
  expect(new Set(slots).size).toBe(slots.length)
  expect(bot.out.stderr).not.toContain('schedule.pass_failed')
})
