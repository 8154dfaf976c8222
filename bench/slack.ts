// Slack front door benchmark, against the fake Slack on loopback with `ebmbot serve` as a child:
//  1. envelope received → ack sent, under a burst of 1,000 mention events. Each event is stored
//     (dedupe marks, request, reaction) before its ack. Baseline in the same run: a bare
//     SocketModeClient that acks at once and stores nothing, the protocol's floor here.
//  2. command text → job process started, over the socket, one command at a time; the job stamps
//     bash's $EPOCHREALTIME, the bench stamps the send with the same wall clock. The same
//     commands give the single-mention ack: envelope → ack for an event that starts a job.
//     Baseline: the bare client acking events sent one at a time.
import { SocketModeClient } from '@slack/socket-mode'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeSlack, type FakeSlack } from '../test/support/fake-slack.ts'
import { BUN, MAIN, benchDir, botEnv, collect, writeFile } from './lib/bot.ts'
import { QUICK, fmt, fmtInt, rssMiB, summarize, table } from './lib/stats.ts'

const TYPES = 16
const wallMs = () => performance.timeOrigin + performance.now()

function config(workdir: string): string {
  const jobs = Array.from(
    { length: TYPES },
    (_, i) =>
      `      j${i}:\n        run: echo [n] $EPOCHREALTIME >> starts.log\n        report_success: false`,
  ).join('\n')
  const commands = Array.from(
    { length: TYPES },
    (_, i) => `      - {pattern: "j${i} [n]", job: j${i}}`,
  ).join('\n')
  // `later` only queues (an hour ahead): the burst measures the front door, not process spawning.
  return `settings:\n  max_parallel: ${TYPES}\n  logs_channel: CLOGS\n  tech_support_channel: CSUPPORT\nnamespaces:\n  b:\n    workdir: ${workdir}\n    jobs:\n${jobs}\n      later:\n        run: "true"\n    commands:\n${commands}\n      - {pattern: "later [n]", job: later, delay_seconds: 3600}\n`
}

const fakeOptions = () => ({
  channels: [
    { id: 'CLOGS', name: 'logs', is_member: true },
    { id: 'CSUPPORT', name: 'tech-support', is_member: true },
    { id: 'CGEN', name: 'general', is_member: true },
  ],
})

async function burst(fake: FakeSlack, n: number, text: (i: number) => string): Promise<number[]> {
  const sent = Array.from({ length: n }, (_, i) =>
    fake.sendEvent(fake.mention({ user: 'U1', channel: 'CGEN', text: text(i) })),
  )
  return Promise.all(sent.map((s) => s.acked))
}

/** Events one at a time: each ack's latency. */
async function oneByOne(fake: FakeSlack, n: number, text: (i: number) => string) {
  const out: number[] = []
  for (let i = 0; i < n; i++)
    out.push(
      await fake.sendEvent(fake.mention({ user: 'U1', channel: 'CGEN', text: text(i) })).acked,
    )
  return out
}

async function baselineAcks(n: number): Promise<{ burst: number[]; single: number[] }> {
  const fake = await startFakeSlack({ ...fakeOptions(), redeliver: false })
  const client = new SocketModeClient({
    appToken: fake.appToken,
    clientOptions: { slackApiUrl: fake.apiUrl },
  })
  client.on('slack_event', async ({ ack }: { ack: () => Promise<void> }) => ack())
  await client.start()
  await fake.waitForConnection(1)
  try {
    const single = await oneByOne(fake, Math.min(n, 200), (i) => `b later ${i}`)
    return { burst: await burst(fake, n, (i) => `b later ${i}`), single }
  } finally {
    await client.disconnect()
    await fake.stop()
  }
}

export async function slackBench(): Promise<void> {
  const events = QUICK ? 100 : 1000
  const commands = QUICK ? 50 : 1000
  const dir = benchDir()
  const fake = await startFakeSlack({ ...fakeOptions(), redeliver: false })
  const cfg = writeFile(dir, 'bench.yaml', config(dir))
  const bot = Bun.spawn([BUN, MAIN, 'serve', '--config', cfg], {
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
  try {
    await fake.waitForConnection(1)
    await Bun.sleep(300)
    const baseline = await baselineAcks(events)
    const base = summarize(baseline.burst)
    const baseSingle = summarize(baseline.single)
    const acks = summarize(await burst(fake, events, (i) => `b later ${i}`))
    const rss = rssMiB(bot.pid)

    // One command at a time: text sent → job's first shell command.
    const latencies: number[] = []
    const singleAcks: Promise<number>[] = []
    const log = join(dir, 'starts.log')
    for (let i = 0; i < commands; i++) {
      const tag = `c${i}`
      const at = wallMs()
      singleAcks.push(
        fake.sendEvent(
          fake.mention({ user: 'U1', channel: 'CGEN', text: `b j${i % TYPES} ${tag}` }),
        ).acked,
      )
      const until = Date.now() + 10_000
      let started: number | undefined
      while (started === undefined) {
        const line = safeRead(log)
          .split('\n')
          .find((l) => l.startsWith(`${tag} `))
        if (line) started = Number(line.split(' ')[1]) * 1000
        else if (Date.now() > until)
          throw new Error(`command ${tag} did not start; bot said:\n${err.text.slice(-2000)}`)
        else await Bun.sleep(1)
      }
      latencies.push(started - at)
    }
    const e2e = summarize(latencies)
    const single = summarize(await Promise.all(singleAcks))
    const row = (label: string, st: ReturnType<typeof summarize>) => [
      label,
      fmtInt(st.n),
      fmt(st.p50),
      fmt(st.p95),
      fmt(st.p99),
      fmt(st.max),
    ]
    console.log(
      `\n## Slack front door (fake Slack on loopback, real socket-mode and web-api clients)\n`,
    )
    console.log(
      table(
        ['measure', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        [
          [
            'envelope → ack, burst (ebmbot: stored, then acked)',
            fmtInt(acks.n),
            fmt(acks.p50),
            fmt(acks.p95),
            fmt(acks.p99),
            fmt(acks.max),
          ],
          [
            'envelope → ack, burst (baseline: bare client, acks at once)',
            fmtInt(base.n),
            fmt(base.p50),
            fmt(base.p95),
            fmt(base.p99),
            fmt(base.max),
          ],
          row('envelope → ack, single mentions starting a job (ebmbot)', single),
          row('envelope → ack, single mentions (baseline: bare client)', baseSingle),
          [
            'mention text → job process started, one at a time',
            fmtInt(e2e.n),
            fmt(e2e.p50),
            fmt(e2e.p95),
            fmt(e2e.p99),
            fmt(e2e.max),
          ],
        ],
      ),
    )
    console.log(
      `\nBot RSS after the burst: ${rss ? `${fmt(rss.rss, 1)} MiB (peak ${fmt(rss.peak, 1)} MiB)` : 'n/a'}. A burst sends every event at once, so later acks include queueing behind earlier ones; Slack allows 3 s.`,
    )
  } finally {
    bot.kill('SIGTERM')
    await bot.exited
    await fake.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

if (import.meta.main) await slackBench()
