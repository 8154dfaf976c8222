// Several `ebmbot serve` processes on one PostgreSQL database and one Slack, each with its own
// Socket Mode connection: a command one instance takes starts on the instance whose tags its job
// needs, woken at once (the fallback poll is a minute); a job no instance up may run is reported
// in its thread; an instance killed with -9 has its run reported lost once by a survivor, and a
// message it was sending is delivered once; an event or a GitHub delivery that reaches two
// instances is handled once.
import { afterAll, afterEach, expect, test } from 'bun:test'
import { delivery, pullRequest } from './support/github.ts'
import { type Cluster, GITHUB_SECRET, outboxIdOf, startCluster } from './support/instances.ts'
import { dropSchemas } from './support/postgres.ts'
import { GENERAL } from './support/slack-bot.ts'
import { cleanupTemp } from './support/temp.ts'
import { waitUntil } from './support/wait.ts'

const YAML = `
settings:
  max_parallel: 8
  kill_grace: 1s
  shutdown_grace: 2s
  poll_interval: 60s
  instance_lease: 3s
namespaces:
  demo:
    jobs:
      hello: {run: "echo Hello, [name]!", report_stdout: true}
      sleep: {run: "sleep 60"}
      again: {run: "sleep 60", retry_on_lost: true}
    commands:
      - {pattern: "hello [name]", job: hello}
      - {pattern: sleep, job: sleep}
      - {pattern: again, job: again}
  op:
    runs_on: [deploy-host]
    jobs:
      deploy: {run: "echo deploying [env]", report_stdout: true}
    commands:
      - {pattern: "deploy [env]", job: deploy}
  data:
    runs_on: [gpu]
    jobs:
      crunch: {run: "echo crunched"}
    commands:
      - {pattern: crunch, job: crunch}
github:
  projects:
    site:
      triggers:
        - {event: pull_request, action: closed, merged: true, base_branch: main, namespace: demo, job: hello, params: {name: pull_request.head.ref}, channel: '#general'}
`

let c: Cluster | undefined
afterEach(async () => {
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
  owner: string | null
  queued_at: string
  started_at: string | null
  finished_at: string | null
  detail: string | null
}
const runsOf = (cl: Cluster) => cl.sql<RunRow[]>`select * from runs order by id`
const inThread = (cl: Cluster, ts: string) => cl.fake.messages.filter((m) => m.thread_ts === ts)

test('a command one instance takes starts on the tagged one at once; a job no instance up may run is reported; status shows who runs what', async () => {
  c = await startCluster({ yaml: YAML, tags: ['deploy-host', ''] })
  const [tagged, plain] = c.instances as [Cluster['instances'][0], Cluster['instances'][0]]
  const ask = c.fake.mention({ user: 'U1', channel: GENERAL, text: 'op deploy prod' })
  await c.fake.sendEvent(ask, { connectionId: plain.connectionId }).acked
  await waitUntil('the deploy report', () =>
    inThread(c!, ask.ts).find((m) => m.text?.includes('deploying prod')),
  )
  const [run] = await runsOf(c)
  expect(run).toMatchObject({ state: 'succeeded', owner: tagged.workerId })
  // Woken, not polled: the fallback poll is a minute away.
  const wakeMs = Number(run!.started_at) - Number(run!.queued_at)
  console.log(
    `cross-instance wake-up: request stored on one instance, started on the other after ${wakeMs} ms`,
  )
  expect(wakeMs).toBeLessThan(30_000)

  const crunch = c.fake.mention({ user: 'U1', channel: GENERAL, text: 'data crunch' })
  await c.fake.sendEvent(crunch, { connectionId: tagged.connectionId }).acked
  const notice = await waitUntil('the no-instance notice', () =>
    inThread(c!, crunch.ts).find((m) => m.text?.includes('No instance tagged `gpu` is up')),
  )
  expect(notice.text).toContain('run 2')

  const status = c.fake.mention({ user: 'U1', channel: GENERAL, text: 'status' })
  await c.fake.sendEvent(status, { connectionId: plain.connectionId }).acked
  const said = await waitUntil('the status reply', () =>
    inThread(c!, status.ts).find((m) => m.text?.includes('instances up')),
  )
  expect(said.text).toContain('2 instances up')
  expect(said.text).toContain('(deploy-host)')
  expect(said.text).toContain('waits for an instance tagged `gpu`: none is up')
  // Both instances look at the parked request on every pass: it is told once.
  await Bun.sleep(1500)
  expect(inThread(c, crunch.ts).filter((m) => m.text?.includes('No instance tagged'))).toHaveLength(
    1,
  )
  expect((await runsOf(c))[1]?.state).toBe('pending')
}, 90_000)

test('kill -9 of the instance running a job: one survivor reports it lost, once, within the lease; the event sent to two instances and the delivery sent to two run once', async () => {
  c = await startCluster({ yaml: YAML, tags: ['', '', ''] })
  const ask = c.fake.mention({ user: 'U1', channel: GENERAL, text: 'demo sleep' })
  await c.fake.sendEvent(ask, { connectionId: c.instances[0]!.connectionId }).acked
  const running = await waitUntil('the run to start', async () =>
    (await runsOf(c!)).find((r) => r.state === 'running'),
  )
  const victim = c.instances.find((i) => i.workerId === running.owner)!
  const killedAt = Date.now()
  await c.kill(victim.index)
  const lost = await waitUntil(
    'the run to be recorded lost',
    async () => (await runsOf(c!)).find((r) => r.id === running.id && r.state === 'lost'),
    30_000,
  )
  const detectMs = Number(lost.finished_at) - killedAt
  console.log(`dead instance: its run recorded lost ${detectMs} ms after kill -9 (lease 3 s)`)
  expect(detectMs).toBeLessThan(30_000)
  await waitUntil('the lost report', () =>
    inThread(c!, ask.ts).find((m) => /lost|did not finish/i.test(m.text ?? '')),
  )
  const survivors = c.instances.filter((i) => i !== victim)
  // Each survivor's /healthz and /metrics list the instances up: the two of them, not the dead one.
  const health = (await (await fetch(`${survivors[0]!.base}/healthz`)).json()) as {
    checks: { instances: { ok: boolean; detail: { self: string; up: { id: string }[] } } }
  }
  expect(health.checks.instances.ok).toBe(true)
  expect(health.checks.instances.detail.self).toBe(survivors[0]!.workerId)
  expect(health.checks.instances.detail.up.map((u) => u.id).sort()).toEqual(
    survivors.map((i) => i.workerId).sort(),
  )
  const metrics = await (await fetch(`${survivors[1]!.base}/metrics`)).text()
  const series = metrics
    .split('\n')
    .filter((l) => l.startsWith('ebmbot_instance_heartbeat_age_seconds{'))
  expect(series).toHaveLength(2)
  expect(series.filter((l) => l.includes('self="true"'))).toHaveLength(1)
  const reporters = survivors.filter((i) => i.logs.includes('event=recover.run_lost'))
  expect(reporters).toHaveLength(1)
  expect(survivors.filter((i) => i.logs.includes('event=instance.lost'))).toHaveLength(1)

  // Slack redelivers an event to another connection: one run.
  const hello = c.fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello twice' })
  const first = c.fake.sendEvent(hello, { connectionId: survivors[0]!.connectionId })
  c.fake.sendEvent(hello, {
    connectionId: survivors[1]!.connectionId,
    eventId: first.eventId,
    retryAttempt: 1,
  })
  await waitUntil('the hello report', () =>
    inThread(c!, hello.ts).find((m) => m.text?.includes('Hello, twice!')),
  )
  // A load balancer sends one GitHub delivery to two instances at once: one run.
  const init = await delivery(pullRequest({ head: 'feature/lb' }), { secret: GITHUB_SECRET })
  const answers = await Promise.all(
    survivors.map((i) => fetch(`${i.base}/github/site`, init).then((r) => r.status)),
  )
  expect(answers.every((s) => s >= 200 && s < 300)).toBe(true)
  await waitUntil('the delivery run to finish', async () =>
    (await runsOf(c!)).find((r) => r.state === 'succeeded' && r.id > running.id + 1),
  )
  await Bun.sleep(1000)
  const rows = await c.sql<{ request_text: string }[]>`select request_text from runs`
  expect(rows.filter((r) => r.request_text.includes('demo hello twice'))).toHaveLength(1)
  expect(rows.filter((r) => r.request_text.includes('delivery'))).toHaveLength(1)
  expect(c.fake.messages.filter((m) => m.text?.includes('Hello, twice!'))).toHaveLength(1)
}, 120_000)

test('an instance killed while it posts a message: a survivor delivers it, once', async () => {
  c = await startCluster({ yaml: YAML, tags: ['', ''] })
  c.fake.delay('chat.postMessage', 2000)
  const ask = c.fake.mention({ user: 'U1', channel: GENERAL, text: 'demo hello slow' })
  await c.fake.sendEvent(ask, { connectionId: c.instances[0]!.connectionId }).acked
  const held = await waitUntil('a message being sent', async () => {
    const [row] = await c!.sql<{ id: number; sender: string }[]>`
      select id, sender from outbox
      where state = 'pending' and sender is not null and payload->>'kind' = 'message'
      order by id limit 1`
    return row
  })
  const sender = c.instances.find((i) => i.workerId === held.sender)!
  await c.kill(sender.index)
  c.fake.delay('chat.postMessage', 0)
  await waitUntil(
    'the message to be recorded sent by the survivor',
    async () => {
      const [row] = await c!.sql<{ state: string; sender: string }[]>`
        select state, sender from outbox where id = ${held.id}`
      return row?.state === 'sent' && row.sender !== held.sender
    },
    30_000,
  )
  // The run reports either way: it ran, or it was lost with its instance.
  await waitUntil('the run to be reported', () =>
    inThread(c!, ask.ts).find((m) => /Hello, slow!|lost|did not finish/i.test(m.text ?? '')),
  ).catch(async (e) => {
    console.log(
      JSON.stringify(
        await c!
          .sql`select id, state, sender, last_error, payload->>'kind' k, next_attempt_at from outbox order by id`,
        null,
        1,
      ),
    )
    console.log(JSON.stringify(await runsOf(c!)))
    console.log(
      c!.instances
        .map((i) =>
          i.logs
            .split('\n')
            .filter((l) => !l.includes('level=debug'))
            .join('\n'),
        )
        .join('\n=====\n'),
    )
    throw e
  })
  await Bun.sleep(1000)
  const ids = c.fake.messages.map(outboxIdOf).filter((id) => id !== undefined)
  expect(ids.filter((id) => id === held.id)).toHaveLength(1)
  expect(new Set(ids).size).toBe(ids.length)
}, 90_000)

test('retry_on_lost: a run lost with its instance is queued again once, in its thread, and runs on a survivor', async () => {
  c = await startCluster({ yaml: YAML, tags: ['', ''] })
  const ask = c.fake.mention({ user: 'U1', channel: GENERAL, text: 'demo again' })
  await c.fake.sendEvent(ask, { connectionId: c.instances[0]!.connectionId }).acked
  const first = await waitUntil('the run to start', async () =>
    (await runsOf(c!)).find((r) => r.state === 'running'),
  )
  const victim = c.instances.find((i) => i.workerId === first.owner)!
  const survivor = c.instances.find((i) => i !== victim)!
  await c.kill(victim.index)
  const again = await waitUntil(
    'the retry to start on the survivor',
    async () => (await runsOf(c!)).find((r) => r.id > first.id && r.state === 'running'),
    30_000,
  )
  expect(again.owner).toBe(survivor.workerId)
  expect((await runsOf(c))[0]).toMatchObject({ id: first.id, state: 'lost' })
  await waitUntil('the retry notice', () =>
    inThread(c!, ask.ts).find((m) =>
      m.text?.includes(`run ${first.id} is queued again as run ${again.id}`),
    ),
  )
  // The survivor dies too: the retry is reported lost, and not queued a third time.
  await c.start(victim.index)
  await c.kill(survivor.index)
  await waitUntil(
    'the retry to be lost',
    async () => (await runsOf(c!)).find((r) => r.id === again.id && r.state === 'lost'),
    30_000,
  )
  await Bun.sleep(1500)
  expect(await runsOf(c)).toHaveLength(2)
}, 120_000)

test('a frozen instance (SIGSTOP, as a host cut off) is taken for dead once its lease runs out; thawed, it says so and serves again', async () => {
  c = await startCluster({ yaml: YAML, tags: ['', ''] })
  const ask = c.fake.mention({ user: 'U1', channel: GENERAL, text: 'demo sleep' })
  await c.fake.sendEvent(ask, { connectionId: c.instances[0]!.connectionId }).acked
  const running = await waitUntil('the run to start', async () =>
    (await runsOf(c!)).find((r) => r.state === 'running'),
  )
  const frozen = c.instances.find((i) => i.workerId === running.owner)!
  const stoppedAt = Date.now()
  frozen.bot.proc.kill('SIGSTOP')
  try {
    // Its pid lives on: only the lapsed lease (3 s) tells the survivor it is gone.
    const lost = await waitUntil(
      'the run to be recorded lost',
      async () => (await runsOf(c!)).find((r) => r.id === running.id && r.state === 'lost'),
      30_000,
    )
    const detectMs = Number(lost.finished_at) - stoppedAt
    console.log(`frozen instance: its run recorded lost ${detectMs} ms after SIGSTOP (lease 3 s)`)
    // Not before its lease ran out since its last renewal, which came up to a quarter of the
    // lease before the freeze (the renewal timer's period): SIGSTOP itself is not the start.
    const [beat] = await c.sql<{ heartbeat_at: string }[]>`
      select heartbeat_at from workers where id = ${frozen.workerId}`
    expect(Number(lost.finished_at) - Number(beat!.heartbeat_at)).toBeGreaterThan(3000)
    expect(detectMs).toBeLessThan(30_000)
  } finally {
    frozen.bot.proc.kill('SIGCONT')
  }
  await waitUntil('the thawed instance to notice', () =>
    frozen.logs.includes('event=instance.lease_lost'),
  )
  const [w] = await c.sql<{ stopped_at: string | null }[]>`
    select stopped_at from workers where id = ${frozen.workerId}`
  expect(w?.stopped_at).toBeNull()
}, 90_000)
