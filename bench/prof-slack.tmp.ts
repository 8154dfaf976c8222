import { rmSync, mkdirSync } from 'node:fs'
import { startFakeSlack } from '../test/support/fake-slack.ts'
import { BUN, MAIN, benchDir, botEnv, collect, writeFile } from './lib/bot.ts'
import { summarize } from './lib/stats.ts'
const N = Number(process.env.N ?? 1000)
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const dir = benchDir()
const fake = await startFakeSlack({
  channels: [
    { id: 'CLOGS', name: 'logs', is_member: true },
    { id: 'CSUPPORT', name: 'tech-support', is_member: true },
    { id: 'CGEN', name: 'general', is_member: true },
  ],
  redeliver: false,
})
const cfg = writeFile(
  dir,
  'bench.yaml',
  `settings:\n  max_parallel: 16\n  logs_channel: CLOGS\n  tech_support_channel: CSUPPORT\nnamespaces:\n  b:\n    workdir: ${dir}\n    jobs:\n      later:\n        run: "true"\n    commands:\n      - {pattern: "later [n]", job: later, delay_seconds: 3600}\n`,
)
const profDir = process.env.PROF_DIR ?? '/tmp/ss/prof'
mkdirSync(profDir, { recursive: true })
const args = process.env.NOPROF
  ? [BUN, MAIN]
  : [
      BUN,
      '--cpu-prof',
      `--cpu-prof-dir=${profDir}`,
      `--cpu-prof-interval=${process.env.INTERVAL ?? 200}`,
      MAIN,
    ]
const bot = Bun.spawn([...args, 'serve', '--config', cfg], {
  env: botEnv(dir, {
    SLACK_API_URL: fake.apiUrl,
    SLACK_APP_TOKEN: fake.appToken,
    SLACK_BOT_TOKEN: fake.botToken,
    EBMBOT_LOG_LEVEL: 'warn',
  }),
  stdout: 'ignore',
  stderr: 'pipe',
})
const err = collect(bot.stderr)
await fake.waitForConnection(1)
await Bun.sleep(300)
let k = 0
for (let r = 0; r < ROUNDS; r++) {
  const sent = Array.from({ length: N }, () =>
    fake.sendEvent(fake.mention({ user: 'U1', channel: 'CGEN', text: `b later ${k++}` })),
  )
  const s = summarize(await Promise.all(sent.map((x) => x.acked)))
  console.log(`round ${r}: p50 ${s.p50} p99 ${s.p99} max ${s.max}`)
  if (!process.env.NOSLEEP) await Bun.sleep(500)
}
bot.kill('SIGTERM')
await bot.exited
await fake.stop()
console.log(err.text.slice(-1000))
rmSync(dir, { recursive: true, force: true })
