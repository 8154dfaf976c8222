// Watching runs of a metadata service: a notice once per transition (finished, failed, lost from
// a stale heartbeat), `quiet`, and watches that survive a restart of the bot: the notice comes
// after the restart, once, and a further restart does not repeat it.
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { rm } from 'node:fs/promises'
import { getThread } from '../src/queue/metaflow-threads.ts'
import type { MetaflowMetadata } from '../src/metaflow/types.ts'
import { startHarness, type Harness } from './support/harness.ts'
import { startFakeMetaflow, type FakeMetaflow } from './support/fake-metaflow.ts'
import {
  linearRun,
  makeTempSysroot,
  writeLocalDatastore,
  type FlowFixture,
} from './support/metaflow-fixtures.ts'
import { cleanupTemp, tempDir } from './support/temp.ts'
import { HOOK_TIMEOUT, waitUntil } from './support/wait.ts'
import { sqliteOf } from './support/sqlite-of.ts'

const NOW_S = Math.floor(Date.now() / 1000)
const T0 = (NOW_S - 600) * 1000
/** Runs 30–33 are all under way: the end step has started, the heartbeat is fresh. */
const running = (id: string, firstTaskId: number) =>
  linearRun({
    id,
    user: 'savin',
    createdAt: T0,
    heartbeat: NOW_S - 5,
    runningAt: 'end',
    steps: ['start', 'end'],
    firstTaskId,
  })

let fake: FakeMetaflow
let sysroot: string
let yaml: string
const open: Harness[] = []

beforeEach(async () => {
  const flows: FlowFixture[] = [
    {
      name: 'TrainFlow',
      createdAt: T0,
      runs: [running('30', 100), running('31', 200), running('32', 300), running('33', 400)],
    },
  ]
  sysroot = await makeTempSysroot()
  fake = startFakeMetaflow().load(
    flows,
    await writeLocalDatastore(sysroot, flows, { metadata: false }),
  )
  yaml = `namespaces: {}\nmetaflow:\n  service_url: ${fake.url}\n  datastore_sysroot: ${sysroot}\n  watch_interval: 50ms\n`
}, HOOK_TIMEOUT)
afterEach(async () => {
  for (const h of open.splice(0)) await h.stop()
  await fake.stop()
  await rm(sysroot, { recursive: true, force: true })
}, HOOK_TIMEOUT)
afterAll(cleanupTemp)

function bot(stateDir?: string): Harness {
  const h = startHarness(
    yaml,
    { METAFLOW_SERVICE_RETRY_COUNT: '0' },
    { metaflowWatcher: true, ...(stateDir ? { stateDir } : {}) },
  )
  open.push(h)
  return h
}

async function stop(h: Harness): Promise<void> {
  open.splice(open.indexOf(h), 1)
  await h.stop()
}

/** The end task's outcome arrives in the service, as the runtime would record it. */
function endStep(runId: string, ok: boolean): void {
  const task = fake.tasks.find((t) => String(t.run_number) === runId && t.step_name === 'end')!
  const row = (field: string, value: string, type: string): MetaflowMetadata => ({
    id: fake.metadata.length + 1,
    flow_id: 'TrainFlow',
    run_number: Number(runId),
    step_name: 'end',
    task_id: task.task_id,
    field_name: field,
    value,
    type,
    user_name: 'savin',
    ts_epoch: Date.now(),
    tags: ['attempt_id:0'],
    system_tags: null,
  })
  fake.metadata.push(
    row('attempt_ok', ok ? 'True' : 'False', 'internal_attempt_status'),
    row('attempt-done', '0', 'attempt-done'),
  )
}

const noticesIn = (h: Harness, t: string) =>
  h.messages().filter((m) => m.threadTs === t && m.purpose === 'report')

describe('watch', () => {
  test('finished, failed and lost are each posted once, in the thread', async () => {
    const h = bot()
    for (const [id, t] of [
      ['30', '800.1'],
      ['31', '801.1'],
      ['32', '802.1'],
    ] as const) {
      expect(
        (await h.say(`watch TrainFlow/${id}`, { threadTs: t, messageTs: t })).replies[0],
      ).toContain('Watching: I will post here when it finishes, fails or is lost.')
    }
    endStep('30', true)
    endStep('31', false)
    // The heartbeat stops: six minutes later the run is lost.
    fake.runs.find((r) => String(r.run_number) === '32')!.last_heartbeat_ts = NOW_S - 400
    expect(
      (await h.waitForMessage((m) => m.threadTs === '800.1' && m.purpose === 'report')).text,
    ).toMatch(/^:white_check_mark: `TrainFlow\/30` succeeded in \d+m \d+s\.$/)
    expect(
      (await h.waitForMessage((m) => m.threadTs === '801.1' && m.purpose === 'report')).text,
    ).toMatch(
      /^:x: `TrainFlow\/31` failed after \d+m \d+s \(end step failed\)\. Say `logs end stderr` to see why\.$/,
    )
    expect(
      (await h.waitForMessage((m) => m.threadTs === '802.1' && m.purpose === 'report')).text,
    ).toBe(':warning: `TrainFlow/32` is lost: its heartbeat stopped 7 min ago.')
    await Bun.sleep(300)
    for (const t of ['800.1', '801.1', '802.1']) expect(noticesIn(h, t)).toHaveLength(1)
  })

  test('quiet stops the notices; watch turns them back on', async () => {
    const h = bot()
    const T = '810.1'
    await h.say('inspect TrainFlow/33', { threadTs: T, messageTs: T })
    expect((await h.say('watch', { threadTs: T, messageTs: '810.2' })).replies[0]).toBe(
      'Watching `TrainFlow/33`: I will post here when it finishes, fails or is lost.',
    )
    expect((await h.say('quiet', { threadTs: T, messageTs: '810.3' })).replies[0]).toBe(
      'No more notices about `TrainFlow/33` here; `watch` turns them back on.',
    )
    endStep('33', true)
    await Bun.sleep(300)
    expect(noticesIn(h, T)).toHaveLength(0)
    expect((await h.say('watch', { threadTs: T, messageTs: '810.4' })).replies[0]).toMatch(
      /^`TrainFlow\/33` already succeeded in \d+m \d+s; there is nothing to watch\.$/,
    )
  })

  test('`loud` after `quiet` turns the notices back on, as in a job thread', async () => {
    const h = bot()
    const T = '812.1'
    await h.say('watch TrainFlow/31', { threadTs: T, messageTs: T })
    await h.say('quiet', { threadTs: T, messageTs: '812.2' })
    expect((await h.say('loud', { threadTs: T, messageTs: '812.3' })).replies[0]).toBe(
      'Watching `TrainFlow/31`: I will post here when it finishes, fails or is lost.',
    )
    endStep('31', true)
    expect(
      (await h.waitForMessage((m) => m.threadTs === T && m.purpose === 'report')).text,
    ).toMatch(/^:white_check_mark: `TrainFlow\/31` succeeded in /)
  })

  test('quiet said while a pass is reading Metaflow wins over what that pass finds', async () => {
    const h = bot()
    const T = '815.1'
    await h.say('watch TrainFlow/32', { threadTs: T, messageTs: T })
    fake.delayMs = 300
    endStep('32', true)
    // A pass that began after the end (its first read is the run) is waiting on the slow service.
    const before = fake.requests.length
    await waitUntil('a pass begun after the end', () =>
      fake.requests.slice(before).some((r) => r.path.endsWith('/runs/32')),
    )
    expect((await h.say('quiet', { threadTs: T, messageTs: '815.2' })).replies[0]).toBe(
      'No more notices about `TrainFlow/32` here; `watch` turns them back on.',
    )
    fake.delayMs = 0
    await waitUntil(
      'that pass to record the end',
      () => getThread(sqliteOf(h.ctx).db, 'C1', T)?.lastStatus === 'finished',
    )
    await Bun.sleep(200)
    expect(noticesIn(h, T)).toHaveLength(0)
  })

  test('a watch survives a restart: the end is posted after it, once', async () => {
    const stateDir = tempDir()
    const T = '820.1'
    const first = bot(stateDir)
    await first.say('watch TrainFlow/30', { threadTs: T, messageTs: T })
    await Bun.sleep(150) // a few passes: still running, nothing to say
    expect(noticesIn(first, T)).toHaveLength(0)
    await stop(first)

    endStep('30', true) // it finishes while the bot is down

    const second = bot(stateDir)
    const notice = await second.waitForMessage((m) => m.threadTs === T && m.purpose === 'report')
    expect(notice.text).toMatch(/^:white_check_mark: `TrainFlow\/30` succeeded in/)
    expect(getThread(sqliteOf(second.ctx).db, 'C1', T)).toMatchObject({
      watching: true,
      lastStatus: 'finished',
    })
    await Bun.sleep(300)
    expect(noticesIn(second, T)).toHaveLength(1)
    await stop(second)

    const third = bot(stateDir)
    await Bun.sleep(400)
    expect(noticesIn(third, T)).toHaveLength(0)
    // The thread still knows its run after both restarts.
    expect((await third.say('status', { threadTs: T, messageTs: '820.9' })).replies[0]).toMatch(
      /^`TrainFlow\/30`: succeeded in/,
    )
  })

  test('the service down while watching: nothing is posted, the outage is logged once, and the notice follows recovery', async () => {
    const h = bot()
    const T = '830.1'
    await h.say('watch TrainFlow/31', { threadTs: T, messageTs: T })
    fake.down = 503
    await waitUntil('the outage to be logged', () =>
      h.logLines.some((l) => l.includes('event=metaflow.watch_failed')),
    )
    await Bun.sleep(300) // more failed passes
    expect(noticesIn(h, T)).toHaveLength(0)
    expect(h.logLines.filter((l) => l.includes('event=metaflow.watch_failed'))).toHaveLength(1)
    endStep('31', true)
    fake.down = null
    expect(
      (await h.waitForMessage((m) => m.threadTs === T && m.purpose === 'report')).text,
    ).toMatch(/^:white_check_mark: `TrainFlow\/31` succeeded/)
  })
})
