import { rmSync } from 'node:fs'
import { startFakeSlack } from '../test/support/fake-slack.ts'
import { BUN, MAIN, benchDir, botEnv, collect, writeFile } from './lib/bot.ts'
import { summarize } from './lib/stats.ts'
const dir = benchDir()
const fake = await startFakeSlack({
  channels: [
    { id: 'CLOGS', name: 'logs', is_member: true },
    { id: 'CSUPPORT', name: 'tech-support', is_member: true },
    { id: 'CGEN', name: 'general', is_member: true },
  ],
  redeliver: false,
})
const jobs = Array.from(
  { length: 16 },
  (_, i) =>
    `      j${i}:\n        run: echo [n] $EPOCHREALTIME >> starts.log\n        report_success: false`,
).join('\n')
const commands = Array.from(
  { length: 16 },
  (_, i) => `      - {pattern: "j${i} [n]", job: j${i}}`,
).join('\n')
const cfg = writeFile(
  dir,
  'bench.yaml',
  `settings:\n  max_parallel: 16\n  logs_channel: CLOGS\n  tech_support_channel: CSUPPORT\nnamespaces:\n  b:\n    workdir: ${dir}\n    jobs:\n${jobs}\n    commands:\n${commands}\n`,
)
const prof = process.env.PROF
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`, '--cpu-prof-interval=100']
  : []
const bot = Bun.spawn([BUN, ...prof, MAIN, 'serve', '--config', cfg], {
  env: botEnv(dir, {
    SLACK_API_URL: fake.apiUrl,
    SLACK_APP_TOKEN: fake.appToken,
    SLACK_BOT_TOKEN: fake.botToken,
    EBMBOT_LOG_LEVEL: 'warn',
    EBMBOT_TRACE: '1',
  }),
  stdout: 'ignore',
  stderr: 'pipe',
})
const err = collect(bot.stderr)
await fake.waitForConnection(1)
await Bun.sleep(300)
const acks: number[] = []
for (let i = 0; i < Number(process.env.N ?? 200); i++) {
  acks.push(
    await fake.sendEvent(fake.mention({ user: 'U1', channel: 'CGEN', text: `b j${i % 16} c${i}` }))
      .acked,
  )
  await Bun.sleep(Number(process.env.GAP ?? 20))
}
const s = summarize(acks)
console.log(`acks p50 ${s.p50.toFixed(2)} p95 ${s.p95.toFixed(2)} p99 ${s.p99.toFixed(2)}`)
bot.kill('SIGTERM')
await bot.exited
await fake.stop()
const tr = err.text
  .split('\n')
  .filter((l) => l.startsWith('TRACE'))
  .map((l) => l.split(' '))
const h = summarize(tr.map((t) => Number(t[2]))),
  a = summarize(tr.map((t) => Number(t[4])))
console.log(
  `handle p50 ${h.p50.toFixed(2)} p95 ${h.p95.toFixed(2)} p99 ${h.p99.toFixed(2)}; ack call p50 ${a.p50.toFixed(3)} p99 ${a.p99.toFixed(3)}`,
)
console.log(
  err.text
    .split('\n')
    .filter((l) => l.includes('level=error'))
    .slice(0, 3)
    .join('\n'),
)
console.log(
  err.text
    .split('\n')
    .filter((l) => l.includes('level=error'))
    .slice(0, 3)
    .join('\n'),
)
rmSync(dir, { recursive: true, force: true })
const lines = err.text
  .split('\n')
  .filter((l) => l.startsWith('TRACE'))
  .sort((a, b) => Number(a.split(' ')[2]) - Number(b.split(' ')[2]))
for (const q of [0.1, 0.5, 0.8, 0.95, 0.99]) console.log(q, lines[Math.floor(q * lines.length)])
