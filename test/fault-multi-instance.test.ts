// Three `ebmbot serve` processes on one PostgreSQL database and one Slack, under a stream of
// mentions (spread over their Socket Mode connections) and signed GitHub deliveries (spread over
// their web ports, as a load balancer would), while instances are killed with -9 and started
// again: every acknowledged request runs exactly once or is reported lost, never twice; no run is
// left pending or running; every run's report reaches Slack, once. Scaled up under
// `npm run test:soak` (EBMBOT_SOAK=1): 1,000 mentions.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SOAK, seededRandom } from './support/fault-config.ts'
import { delivery, push } from './support/github.ts'
import { type Cluster, GITHUB_SECRET, outboxIdOf, startCluster } from './support/instances.ts'
import { dropSchemas } from './support/postgres.ts'
import { GENERAL } from './support/slack-bot.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

const MENTIONS = SOAK ? 1000 : 60
const DELIVERIES = SOAK ? 100 : 12
const KILLS = SOAK ? 12 : 1

/** One job type per request, so scheduling never merges two into one run. */
function config(ranFile: string): string {
  const n = MENTIONS + DELIVERIES
  const jobs = Array.from(
    { length: n },
    (_, i) =>
      `      j${i}: {run: "echo [tag] >> ${ranFile}; sleep 0.3; echo ran [tag]", report_stdout: true}`,
  )
  const commands = Array.from(
    { length: n },
    (_, i) => `      - {pattern: "j${i} [tag]", job: j${i}}`,
  )
  const triggers = Array.from(
    { length: DELIVERIES },
    (_, k) =>
      `        - {event: push, ref: refs/heads/b${MENTIONS + k}, namespace: k, job: j${MENTIONS + k}, params: {tag: after}, channel: '#general'}`,
  )
  return [
    'settings:',
    '  max_parallel: 8',
    '  kill_grace: 1s',
    '  shutdown_grace: 2s',
    '  poll_interval: 2s',
    '  instance_lease: 3s',
    'namespaces:',
    '  k:',
    '    jobs:',
    ...jobs,
    '    commands:',
    ...commands,
    'github:',
    '  projects:',
    '    site:',
    '      triggers:',
    ...triggers,
    '',
  ].join('\n')
}

let c: Cluster | undefined
let passed = false
afterEach(async () => {
  // What each instance last said, when a run fails: which one was down, and why.
  if (c && !passed)
    for (const i of c.instances)
      console.log(
        `--- instance ${i.index} (exit ${i.bot.proc.exitCode}):\n${i.logs
          .split('\n')
          .filter((l) => l.includes('level=warn') || l.includes('level=error'))
          .slice(-12)
          .join('\n')}`,
      )
  await c?.stop()
  c = undefined
})
afterAll(async () => {
  cleanupTemp()
  await dropSchemas()
})

interface RunRow {
  id: number
  state: string
  params: { tag?: string }
  request_text: string
}

test(
  `${MENTIONS} mentions and ${DELIVERIES} GitHub deliveries over 3 instances, ${KILLS} kill -9 and restart: each acknowledged request runs once or is reported lost, nothing stuck, every report arrives once`,
  async () => {
    const rnd = seededRandom('fault-multi-instance')
    const ranFile = join(tempDir('ebmbot-ran-'), 'ran')
    writeFileSync(ranFile, '')
    c = await startCluster({ yaml: config(ranFile), tags: ['', '', ''] })
    const cl = c
    const acked = new Set<string>() // tags whose request was acknowledged
    const pending: Promise<void>[] = []
    const killAt = new Set(
      Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 1) * MENTIONS) / (KILLS + 1))),
    )
    const threads = new Map<string, string>() // tag -> the mention's ts
    let restarts: Promise<unknown> = Promise.resolve()

    for (let i = 0; i < MENTIONS; i++) {
      if (killAt.has(i)) {
        // The last victim is back first: two instances are always up to take the stream.
        await restarts
        // The instance with the most runs going, so the kill takes work with it.
        const [row] = await cl.sql<{ owner: string }[]>`
          select owner from runs where state = 'running' group by owner order by count(*) desc limit 1`
        const alive = cl.instances.filter((x) => x.bot.proc.exitCode === null)
        const victim =
          alive.find((x) => x.workerId === row?.owner) ?? alive[rnd.int(0, alive.length - 1)]!
        await cl.kill(victim.index)
        restarts = restarts.then(() => Bun.sleep(1500)).then(() => cl.start(victim.index))
      }
      const tag = `t${i}`
      const ask = cl.fake.mention({ user: 'U1', channel: GENERAL, text: `k j${i} ${tag}` })
      threads.set(tag, ask.ts)
      // Every socket may be down for a moment (instances reconnecting under load): Slack waits too.
      if (!cl.fake.connectionIds.length) await cl.fake.waitForConnection(1, 60_000)
      const ids = cl.fake.connectionIds
      const sent = cl.fake.sendEvent(ask, { connectionId: ids[rnd.int(0, ids.length - 1)]! })
      pending.push(sent.acked.then(() => void acked.add(tag)))
      if (i % 5 === 0 && i / 5 < DELIVERIES) {
        const k = i / 5
        const dtag = `d${k}`
        const init = await delivery(
          { ...push(`refs/heads/b${MENTIONS + k}`), after: dtag },
          { event: 'push', secret: GITHUB_SECRET },
        )
        // A load balancer: a random instance; one that is down answers nothing, so try the next.
        pending.push(
          (async () => {
            for (let attempt = 0; attempt < 6; attempt++) {
              const alive = cl.instances.filter((x) => x.bot.proc.exitCode === null)
              const to = alive[rnd.int(0, alive.length - 1)]!
              const status = await fetch(`${to.base}/github/site`, init).then(
                (r) => r.status,
                () => 0,
              )
              if (status >= 200 && status < 300) return void acked.add(dtag)
              await Bun.sleep(500)
            }
          })(),
        )
      }
      await Bun.sleep(rnd.int(0, 15))
    }
    await restarts
    // Unacknowledged envelopes are redelivered by Slack (to a live connection) until acked.
    await Promise.race([Promise.all(pending), Bun.sleep(60_000)])

    const runs = () =>
      cl.sql<RunRow[]>`select id, state, params, request_text from runs order by id`
    await waitUntil(
      'every run to end',
      async () => (await runs()).every((r) => r.state === 'succeeded' || r.state === 'lost'),
      SOAK ? 600_000 : 90_000,
      250,
    )
    await waitUntil(
      'the outbox to drain',
      async () =>
        Number(
          (await cl.sql<{ n: string }[]>`select count(*) n from outbox where state = 'pending'`)[0]!
            .n,
        ) === 0,
      60_000,
      250,
    )
    const all = await runs()
    const byTag = new Map<string, RunRow[]>()
    for (const r of all) byTag.set(r.params.tag!, [...(byTag.get(r.params.tag!) ?? []), r])
    // Every acknowledged request has exactly one run; no request has two.
    const missing = [...acked].filter((t) => !byTag.has(t))
    expect(missing).toEqual([])
    expect([...byTag].filter(([, rs]) => rs.length > 1).map(([t]) => t)).toEqual([])
    expect(acked.size).toBeGreaterThanOrEqual(MENTIONS) // redelivery got every mention in
    // No run's command ran twice; every succeeded one ran.
    const ran = readFileSync(ranFile, 'utf8').split('\n').filter(Boolean)
    const twice = ran.filter((tag, i) => ran.indexOf(tag) !== i)
    expect(twice).toEqual([])
    const notRun = all.filter((r) => r.state === 'succeeded' && !ran.includes(r.params.tag!))
    expect(notRun.map((r) => r.id)).toEqual([])
    // Every run's report is in Slack; no outbox message was posted twice.
    const texts = cl.fake.messages.map((m) => m.text ?? '')
    const unreported = all.filter((r) =>
      r.state === 'succeeded'
        ? !texts.some((t) => t.includes(`ran ${r.params.tag}`))
        : !texts.some((t) => t.includes(`(run ${r.id}) was running; it did not finish`)),
    )
    expect(unreported.map((r) => `${r.id} ${r.state}`)).toEqual([])
    const ids = cl.fake.messages.map(outboxIdOf).filter((id) => id !== undefined)
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
    const lost = all.filter((r) => r.state === 'lost').length
    console.log(
      `fault-multi-instance: ${all.length} runs (${lost} lost with a killed instance), ${acked.size} acknowledged, ${KILLS} kill -9`,
    )
    // The mentions' reports are in their threads.
    const outOfThread = all.filter(
      (r) =>
        r.state === 'succeeded' &&
        threads.has(r.params.tag!) &&
        !cl.fake.messages.some(
          (m) =>
            m.thread_ts === threads.get(r.params.tag!) && m.text?.includes(`ran ${r.params.tag}`),
        ),
    )
    expect(outOfThread.map((r) => r.id)).toEqual([])
    passed = true
  },
  SOAK ? 900_000 : 240_000,
)
