// Answers a data scientist can rely on, against a loopback metadata service and a datastore of
// python3-made pickles: `runs`, `status`, the watcher's notice and `export` agree on a run the
// bot started (one status rule), a failure shows its exception and stderr, and `export` gives no
// end time to runs that never reached their end step.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
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
import { cleanupTemp, tempDir } from './support/temp.ts'
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
          {
            name: 'start',
            tasks: [
              {
                id: '900',
                // Real tasks also keep `name` (the flow's name) among their artifacts.
                attempts: [
                  attempt(T0 + 1000, true, {
                    artifacts: { stage: "'prepared'", alpha: '0.5', name: "'FailFlow'" },
                    stdout: ['preparing'],
                  }),
                ],
              },
            ],
          },
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
  const flowFile = join(tempDir(), 'fail.py')
  writeFileSync(flowFile, '# FailFlow\n')
  const yaml = `namespaces: {}
metaflow:
  service_url: ${fake.url}
  datastore_sysroot: ${sysroot}
  watch_interval: 50ms
  flows:
    FailFlow:
      file: ${flowFile}
      description: divides by zero on purpose
      params:
        alpha: {help: the learning rate, default: '0.1'}
        mode: {choices: [fast, full]}
`
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

describe('in the thread of a failed run', () => {
  const T = '1010.1'
  beforeAll(async () => {
    await ask('inspect FailFlow/50', T)
  })
  test('a typo of a verb, a step or an artifact gets the closest one', async () => {
    expect(await ask('stpes', T)).toBe("Sorry, I didn't understand `stpes`. Did you mean `steps`?")
    expect(await ask('logs strat', T)).toBe(
      '`FailFlow/50` has no step `strat` (steps: `start`, `boom`). Did you mean `start`?',
    )
    expect(await ask('data start stgae', T)).toBe(
      '`FailFlow/50/start/900` has no artifact `stgae`. Did you mean `stage`? Say `data start` for its artifacts.',
    )
  })
  test("`data <name>` on a run with no end points at the step that holds it; `data <step>` lists the author's artifacts only", async () => {
    expect(await ask('data stage', T)).toBe(
      '`FailFlow/50` has not reached its `end` step, so it has no run-level data. Step `start` has `stage`: say `data start stage`.',
    )
    expect(await ask('data start', T)).toBe(
      'Artifacts of `FailFlow/50/start/900` (6 internal artifacts not listed): `alpha`, `stage`\nSay `data <name>` to see one.',
    )
    expect(await ask('data start stage', T)).toBe("`stage` (str, 23 bytes): 'prepared'")
  })
  test('`runs` alone in the thread lists the runs of its flow', async () => {
    expect(await ask('runs', T)).toStartWith('Recent runs of `FailFlow`, newest first:')
  })
  test('logs of a finished task that wrote nothing say so, not "yet"', async () => {
    expect(await ask('logs start stderr', T)).toBe(
      '`FailFlow/50/start/900` wrote nothing to stderr.',
    )
  })
  test('`loud` after `quiet` turns the notices back on', async () => {
    expect(await ask('quiet', T)).toBe(
      'No more notices about `FailFlow/50` here; `watch` turns them back on.',
    )
    expect(await ask('loud', T)).toBe(
      '`FailFlow/50` already failed after 6s (step boom failed); there is nothing to watch.',
    )
  })
})

describe('before running: parameters, help and small talk', () => {
  test('params <Flow> shows what chat may set, with help, choices and defaults, and what the latest run used', async () => {
    expect(await ask('params FailFlow', '1020.1')).toBe(
      [
        '`FailFlow`: divides by zero on purpose.',
        'Parameters chat may set (`run FailFlow name=value …`):',
        '• `alpha` (the learning rate; default `0.1`)',
        '• `mode` (one of `fast`, `full`)',
        'Any left out take the default written in the flow file.',
        'Its latest run `FailFlow/50` used alpha=0.5.',
      ].join('\n'),
    )
    expect(await ask('params failflow', '1020.2')).toStartWith(
      '(`failflow` is `FailFlow`: flow names are case-sensitive.)\n`FailFlow`: divides',
    )
    // `run` takes a wrong-case name the same way, and says so.
    expect(await ask('run failflow', '1020.4')).toMatch(
      /^\(`failflow` is `FailFlow`: flow names are case-sensitive\.\) Starting `FailFlow` with the flow's defaults as run \d+ \(chat may set `alpha`, `mode`: `params FailFlow`\)\. /,
    )
    expect(await ask('params FialFlow', '1020.3')).toBe(
      '`FialFlow` is not a flow I may run. Did you mean `FailFlow`? Flows you may start: `FailFlow`.',
    )
  })
  test("flows and metaflow help show each flow's description and parameter help", async () => {
    expect(await ask('flows', '1021.1')).toContain(
      'You may start `FailFlow` (divides by zero on purpose; alpha: the learning rate, mode: fast|full) with `run <Flow> [name=value …]`',
    )
    expect(await ask('metaflow help', '1021.2')).toContain(
      'Flows you may start: `FailFlow` (divides by zero on purpose; alpha: the learning rate, mode: fast|full)',
    )
  })
  test('hello, new thread, how to run, how to set parameters, version, show runs', async () => {
    for (const text of ['hello', 'new thread'])
      expect(await ask(text, '1022.1')).toStartWith(
        'Hi! I can look into Metaflow runs and start flows for you, in this thread.',
      )
    expect(await ask('how to run', '1022.2')).toStartWith(
      'Say `run <Flow>` to start a flow, e.g. `run FailFlow` or `run FailFlow alpha=…`.',
    )
    expect(await ask('how to set parameters', '1022.3')).toStartWith(
      'Give parameters as `name=value` after the flow, e.g. `run FailFlow alpha=… mode=fast`.',
    )
    expect(await ask('version', '1022.4')).toMatch(
      /^ebmbot \d+\.\d+\.\d+, reading the Metaflow metadata service at http:\/\/127\.0\.0\.1:\d+ \(version 2\.5\.1\)\. Runs there were made by Metaflow 2\.19\.38\.$/,
    )
    expect(await ask('show runs FailFlow', '1022.5')).toStartWith(
      'Recent runs of `FailFlow`, newest first:',
    )
    expect(await ask('insepct FailFlow/50', '1022.6')).toBe(
      "Sorry, I didn't understand `insepct FailFlow/50`. Did you mean `inspect FailFlow/50`?",
    )
  })
  test('`status` with no run chosen still shows the job queue, and how to choose a run', async () => {
    expect(await ask('status', '1023.1')).toEndWith(
      'For a Metaflow run, open it first: `inspect <run>` (e.g. `inspect the latest run of HelloFlow`); `status` in that thread is then about it.',
    )
  })
})

describe('wording', () => {
  test('`cancel` of a run already cancelled says it was cancelled', async () => {
    const now = Date.now()
    const job = sqliteOf(h.ctx)
      .db.insert(runs)
      .values({
        namespace: 'metaflow',
        job: 'FailFlow',
        jobType: 'metaflow_FailFlow',
        state: 'cancelled',
        dueAt: now,
        queuedAt: now,
        finishedAt: now,
        door: 'slack',
        requestedBy: 'U1',
        channel: 'C1',
        requestText: 'run FailFlow',
        params: {},
        command: 'true',
        cancelledBy: 'U1',
      })
      .returning()
      .get()
    expect(await ask(`cancel ${job.id}`, '1030.1')).toBe(
      `Run ${job.id} (\`metaflow_FailFlow\`) is not running or scheduled; it was cancelled.`,
    )
  })
})
