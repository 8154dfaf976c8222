// Answers a data scientist can rely on, against a loopback metadata service and a datastore of
// python3-made pickles: `runs`, `status`, the watcher's notice and `export` agree on a run the
// bot started (one status rule), a failure shows its exception and stderr, and `export` gives no
// end time to runs that never reached their end step.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rm } from 'node:fs/promises'
import { runs } from '../src/queue/schema.ts'
import { startFakeMetaflow, type FakeMetaflow } from './support/fake-metaflow.ts'
import { startHarness, type Harness } from './support/harness.ts'
import {
  attempt,
  linearRun,
  makeTempSysroot,
  writeLocalDatastore,
  type FlowFixture,
} from './support/metaflow-fixtures.ts'
import { sqliteOf } from './support/sqlite-of.ts'
import { cleanupTemp } from './support/temp.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

const NOW_S = Math.floor(Date.now() / 1000)
const T0 = (NOW_S - 40) * 1000
const flows: FlowFixture[] = [
  {
    name: 'FailFlow',
    createdAt: T0,
    runs: [
      {
        // Started by the bot; step boom raised, so the runtime stopped. Its heartbeat is still
        // fresh (the service shows it "running" for six minutes after the last one).
        id: '50',
        user: 'ebmbot',
        createdAt: T0,
        heartbeat: NOW_S - 5,
        params: { alpha: '0.5' },
        steps: [
          { name: 'start', tasks: [{ id: '900', attempts: [attempt(T0 + 1000, true)] }] },
          {
            name: 'boom',
            tasks: [
              {
                id: '901',
                attempts: [
                  attempt(T0 + 4000, false, {
                    exception: "ZeroDivisionError('division by zero')",
                    stderr: [
                      '<flow FailFlow step boom> failed:',
                      'Traceback (most recent call last):',
                      '  File "fail.py", line 12, in boom',
                      '    self.x = 1 / 0',
                      'ZeroDivisionError: division by zero',
                      'Task failed.',
                    ],
                  }),
                ],
              },
            ],
          },
        ],
      },
      // Nobody knows of its process, and its heartbeat stopped 20 minutes ago: lost.
      linearRun({
        id: '51',
        user: 'savin',
        createdAt: T0 - 3_600_000,
        heartbeat: NOW_S - 1200,
        runningAt: 'boom',
        steps: ['start', 'boom', 'end'],
        firstTaskId: 950,
      }),
    ],
  },
]

let fake: FakeMetaflow
let sysroot: string
let h: Harness
let n = 0
const ask = async (text: string, threadTs: string) =>
  (await h.say(text, { threadTs, messageTs: `${threadTs}${++n}` })).replies.join('\n')
const exportOf = async (threadTs: string, file: string) => {
  await ask('export', threadTs)
  const msg = await h.waitForMessage((m) => m.threadTs === threadTs && m.file?.filename === file)
  return JSON.parse(msg.file!.content)
}

beforeAll(async () => {
  sysroot = await makeTempSysroot()
  const root = await writeLocalDatastore(sysroot, flows, { metadata: false })
  fake = startFakeMetaflow().load(flows, root)
  const yaml = `namespaces: {}\nmetaflow:\n  service_url: ${fake.url}\n  datastore_sysroot: ${sysroot}\n  watch_interval: 50ms\n`
  h = startHarness(yaml, { METAFLOW_SERVICE_RETRY_COUNT: '0' }, { metaflowWatcher: true })
}, HOOK_TIMEOUT)
afterAll(async () => {
  await h.stop()
  await fake.stop()
  await rm(sysroot, { recursive: true, force: true })
  cleanupTemp()
})

describe('one status rule', () => {
  const T = '1000.1'
  test('a run the bot started and saw fail is failed in the notice, `status`, `runs` and `export` alike', async () => {
    // The ebmbot job that ran FailFlow/50 ended failed (as the dispatcher records it), and the
    // thread that started it follows the run and watches it.
    const now = Date.now()
    const job = sqliteOf(h.ctx)
      .db.insert(runs)
      .values({
        namespace: 'metaflow',
        job: 'FailFlow',
        jobType: 'metaflow_FailFlow',
        state: 'failed',
        dueAt: T0,
        queuedAt: T0,
        startedAt: T0,
        finishedAt: now,
        door: 'slack',
        requestedBy: 'U1',
        channel: 'C1',
        threadTs: T,
        messageTs: T,
        requestText: 'run FailFlow',
        params: {},
        command: 'true',
        exitCode: 1,
      })
      .returning()
      .get()
    await h.ctx.queue.followInThread(
      now,
      { door: 'slack', channel: 'C1', threadTs: T },
      { flow: 'FailFlow', runId: '50', watching: true, lastStatus: 'running', ebmbotRunId: job.id },
    )
    const notice = await h.waitForMessage((m) => m.threadTs === T && m.text.startsWith(':x:'))
    expect(notice.text).toBe(
      [
        ':x: `FailFlow/50` failed after 6s (step boom failed).',
        'Step `boom/901` raised `ZeroDivisionError: division by zero`.',
        'Last lines of its stderr:',
        '```',
        'Traceback (most recent call last):',
        '  File "fail.py", line 12, in boom',
        '    self.x = 1 / 0',
        'ZeroDivisionError: division by zero',
        'Task failed.',
        '```',
        '`logs boom stderr` shows all of it; `data boom _exception` the traceback.',
      ].join('\n'),
    )
    expect(await ask('status', T)).toStartWith(
      `\`FailFlow/50\`: failed after 6s (step boom failed). Started here as run ${job.id} (failed).\nStep \`boom/901\` raised \`ZeroDivisionError: division by zero\`.`,
    )
    // Asked in another thread, with nothing to go by but the run itself.
    expect(await ask('runs FailFlow', '1001.1')).toContain(
      '• `FailFlow/50` · failed (6s) at `boom` · ebmbot',
    )
    expect(await exportOf(T, 'FailFlow-50.json')).toMatchObject({
      status: 'failed',
      status_reason: 'step boom failed',
      // Metaflow's client gives a run that never reached its end step no end time.
      finished_at: null,
      duration_ms: null,
    })
  })

  test('a lost run exports no end time or duration, though its heartbeat is known', async () => {
    const T2 = '1002.1'
    expect(await ask('inspect FailFlow/51', T2)).toContain(
      'Outcome: did not finish (its heartbeat stopped 20 min ago).',
    )
    expect(await exportOf(T2, 'FailFlow-51.json')).toMatchObject({
      status: 'lost',
      finished_at: null,
      duration_ms: null,
      last_heartbeat_ts: NOW_S - 1200,
    })
  })
})
