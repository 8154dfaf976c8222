// Slack front door benchmark, against the fake Slack on loopback with `ebmbot serve` as a child:
//  1. envelope received → ack sent, under a burst of 1,000 mention events. Each event is stored
//     (dedupe marks, request, reaction) before its ack. Baseline in the same run: a bare
//     SocketModeClient that acks at once and stores nothing, the protocol's floor here.
//  2. command text → job process started, over the socket, one command at a time; the job stamps
//     bash's $EPOCHREALTIME, the bench stamps the send with the same wall clock. The same
//     commands give the single-mention ack: envelope → ack for an event that starts a job.
//     Baselines: the bare client acking events sent one at a time, and the bare client acking
//     and spawning the same bash command for each event (the floor of mention → job started).
// Each figure is printed with its ratio to its baseline (p50 and p99), all from the same run.
import { SocketModeClient } from '@slack/socket-mode'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeSlack, type FakeSlack } from '../test/support/fake-slack.ts'
import { PROFILE_DIR, benchDir, botArgv, botEnv, collect, writeFile } from './lib/bot.ts'
import { printProfiles } from './lib/profile.ts'
import { QUICK, fmt, fmtInt, rssMiB, summarize, table, type Summary } from './lib/stats.ts'

const TYPES = 16
const wallMs = () => performance.timeOrigin + performance.now()
/** ebmbot's figure over its baseline's, e.g. `2.4×` (a baseline under 0.01 ms reads as 0.01) */
const ratio = (x: number, base: number) => `${fmt(x / Math.max(base, 0.01), 1)}×`

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

/**
 * The floor of mention → job started: a bare SocketModeClient that acks and spawns the same bash
 * command for each event, one at a time, timed the same way as the bot's jobs.
 */
async function baselineStarts(dir: string, n: number): Promise<number[]> {
  const fake = await startFakeSlack({ ...fakeOptions(), redeliver: false })
  const client = new SocketModeClient({
    appToken: fake.appToken,
    clientOptions: { slackApiUrl: fake.apiUrl },
  })
  const log = join(dir, 'baseline-starts.log')
  client.on(
    'slack_event',
    async ({ ack, body }: { ack: () => Promise<void>; body: { event: { text: string } } }) => {
      await ack()
      const tag = body.event.text.split(' ').at(-1)
      Bun.spawn(['bash', '-c', `echo ${tag} $EPOCHREALTIME >> ${log}`], {
        stdin: 'ignore',
        stdout: 'ignore',
        stderr: 'ignore',
      })
    },
  )
  await client.start()
  await fake.waitForConnection(1)
  try {
    const out: number[] = []
    for (let i = 0; i < n; i++) {
      const at = wallMs()
      fake.sendEvent(fake.mention({ user: 'U1', channel: 'CGEN', text: `b j0 b${i}` }))
      out.push((await startOf(log, `b${i}`, () => '')) - at)
    }
    return out
  } finally {
    await client.disconnect()
    await fake.stop()
  }
}

/** When the job tagged `tag` ran its first command (bash's clock, in ms), polling its log. */
async function startOf(log: string, tag: string, why: () => string): Promise<number> {
  const until = Date.now() + 10_000
  for (;;) {
    const line = safeRead(log)
      .split('\n')
      .find((l) => l.startsWith(`${tag} `))
    if (line) return Number(line.split(' ')[1]) * 1000
    if (Date.now() > until) throw new Error(`command ${tag} did not start; ${why()}`)
    await Bun.sleep(1)
  }
}

export async function slackBench(): Promise<void> {
  const events = QUICK ? 100 : 1000
  const commands = QUICK ? 50 : 1000
  const dir = benchDir()
  const fake = await startFakeSlack({ ...fakeOptions(), redeliver: false })
  const cfg = writeFile(dir, 'bench.yaml', config(dir))
  const bot = Bun.spawn(botArgv(['serve', '--config', cfg], 'slack'), {
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
      const started = await startOf(log, tag, () => `bot said:\n${err.text.slice(-2000)}`)
      latencies.push(started - at)
    }
    const e2e = summarize(latencies)
    const single = summarize(await Promise.all(singleAcks))
    const baseStarts = summarize(await baselineStarts(dir, Math.min(commands, 300)))
    const row = (label: string, st: Summary, base?: Summary) => [
      label,
      fmtInt(st.n),
      fmt(st.p50),
      fmt(st.p95),
      fmt(st.p99),
      fmt(st.max),
      base ? ratio(st.p50, base.p50) : '',
      base ? ratio(st.p99, base.p99) : '',
    ]
    console.log(
      `\n## Slack front door (fake Slack on loopback, real socket-mode and web-api clients)\n`,
    )
    console.log(
      table(
        ['measure', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'p50 ÷ base', 'p99 ÷ base'],
        [
          row('envelope → ack, burst (ebmbot: stored, then acked)', acks, base),
          row('envelope → ack, burst (baseline: bare client, acks at once)', base),
          row('envelope → ack, single mentions starting a job (ebmbot)', single, baseSingle),
          row('envelope → ack, single mentions (baseline: bare client)', baseSingle),
          row('mention text → job process started, one at a time (ebmbot)', e2e, baseStarts),
          row('mention text → bash started (baseline: bare client acks, spawns it)', baseStarts),
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
    if (PROFILE_DIR) printProfiles(PROFILE_DIR, ['slack'])
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
