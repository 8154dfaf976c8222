import { createContext } from '../src/service/create-context.ts'
import { readEnvironment } from '../src/config/env.ts'
import { loadConfigText } from '../src/config/load.ts'
import { handleEvent } from '../src/slack/handle-event.ts'
import { GuestCheck } from '../src/slack/guests.ts'
import { createLogger } from '../src/util/log.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const dir = mkdtempSync(join(tmpdir(), 'inproc-'))
const env = readEnvironment({ PATH: process.env.PATH, HOME: dir, EBMBOT_STATE_DIR: dir }, dir)
const yaml = `settings:\n  max_parallel: 16\n  logs_channel: CLOGS\n  tech_support_channel: CSUPPORT\nnamespaces:\n  b:\n    workdir: ${dir}\n    jobs:\n      later:\n        run: "true"\n    commands:\n      - {pattern: "later [n]", job: later, delay_seconds: 3600}\n`
const config = loadConfigText(yaml, 'b.yaml', { stateDir: dir, baseDir: dir })
const log = createLogger({
  level: (process.env.LEVEL as never) ?? 'warn',
  write: () => {},
  secrets: ['xoxb-secret-token'],
})
const ctx = await createContext({ config, env, log })
const deps = {
  ctx,
  botUserId: 'UBOT',
  botName: 'ebmbot',
  routes: [],
  guests: new GuestCheck({ web: {} as never, log }),
  onChannel: async () => {},
}
const N = Number(process.env.N ?? 1000)
let k = 0
for (let round = 0; round < Number(process.env.ROUNDS ?? 5); round++) {
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const lat: number[] = []
  const one = () => {
    const i = k++
    const s = performance.now()
    return handleEvent(deps, `Ev${i}`, {
      type: 'app_mention',
      user: 'U1',
      channel: 'CGEN',
      text: `<@UBOT> b later ${i}`,
      ts: `1700000000.${String(i).padStart(6, '0')}`,
      event_ts: '1',
    } as never).then((o) => {
      if (o !== 'queued') throw new Error(o)
      lat.push(performance.now() - s)
    })
  }
  if (process.env.SEQ) for (let j = 0; j < N; j++) await one()
  else await Promise.all(Array.from({ length: N }, one))
  const cpu = process.cpuUsage(cpu0)
  lat.sort((a, b) => a - b)
  console.log(
    `round ${round}: wall ${(performance.now() - t0).toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, per event ${((cpu.user + cpu.system) / N).toFixed(0)} µs, p50 ${lat[N >> 1]!.toFixed(0)} p99 ${lat[Math.floor(N * 0.99)]!.toFixed(0)}`,
  )
}
process.exit(0)
