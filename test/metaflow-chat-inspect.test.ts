// Looking at Metaflow runs from chat, against a loopback metadata service with the real routes and
// a datastore holding python3-made pickles and MFLOG logs: flows, runs, every way of naming a
// run, each verb in the run's thread, lost runs from stale heartbeats, and a service that is down.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rm } from 'node:fs/promises'
import { startHarness, type Harness } from './support/harness.ts'
import { startFakeMetaflow, type FakeMetaflow } from './support/fake-metaflow.ts'
import {
  attempt,
  linearRun,
  makeTempSysroot,
  writeLocalDatastore,
  type FlowFixture,
} from './support/metaflow-fixtures.ts'
import { cleanupTemp } from './support/temp.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

const NOW_S = Math.floor(Date.now() / 1000)
const T0 = (NOW_S - 3600) * 1000
const KEY = 'mf-secret-key-5521'
const flows: FlowFixture[] = [
  {
    name: 'HelloFlow',
    createdAt: T0 - 86_400_000,
    runs: [
      {
        id: '12',
        user: 'savin',
        createdAt: T0,
        heartbeat: T0 / 1000 + 20,
        tags: ['exp1'],
        params: { alpha: '0.5' },
        steps: [
          {
            name: 'start',
            tasks: [
              { id: '345', attempts: [attempt(T0 + 1000, true, { artifacts: { raw: '42' } })] },
            ],
          },
          {
            name: 'train',
            tasks: [
              {
                id: '346',
                attempts: [
                  attempt(T0 + 4000, true, {
                    artifacts: { raw: '42' },
                    stdout: ['epoch 1 loss 0.3', 'epoch 2 loss 0.1'],
                    stderr: ['warning: slow disk'],
                  }),
                ],
              },
            ],
          },
          {
            name: 'end',
            tasks: [
              {
                id: '347',
                attempts: [
                  attempt(T0 + 7000, true, {
                    artifacts: { accuracy: '0.93', labels: "['cat', 'dog']" },
                  }),
                ],
              },
            ],
          },
        ],
      },
      linearRun({
        id: '13',
        user: 'savin',
        createdAt: T0 + 1000,
        heartbeat: NOW_S - 30,
        tags: ['production'],
        runningAt: 'train',
        steps: ['start', 'train', 'end'],
        firstTaskId: 400,
      }),
      linearRun({
        id: '14',
        user: 'dberg',
        createdAt: T0 + 2000,
        heartbeat: NOW_S - 1200,
        runningAt: 'train',
        steps: ['start', 'train', 'end'],
        firstTaskId: 500,
      }),
      linearRun({
        id: '15',
        user: 'dberg',
        createdAt: T0 + 3000,
        heartbeat: NOW_S - 120,
        failAt: 'train',
        steps: ['start', 'train', 'end'],
        firstTaskId: 600,
      }),
    ],
  },
  {
    name: 'OtherFlow',
    createdAt: T0,
    runs: [
      linearRun({
        id: '20',
        user: 'ann',
        createdAt: T0,
        heartbeat: T0 / 1000 + 10,
        firstTaskId: 700,
      }),
    ],
  },
]

let fake: FakeMetaflow
let sysroot: string
let h: Harness
let n = 0
/** One message; with `thread`, inside that thread (the reply spot stays the thread). */
const ask = async (text: string, thread?: string) => {
  n++
  const where = thread
    ? { threadTs: thread, messageTs: `${thread}${n}` }
    : { threadTs: `9${n}.0`, messageTs: `9${n}.0` }
  return (await h.say(text, where)).replies.join('\n')
}

beforeAll(async () => {
  sysroot = await makeTempSysroot()
  // With service metadata the datastore holds artifacts and logs but no _meta.
  const root = await writeLocalDatastore(sysroot, flows, { metadata: false })
  fake = startFakeMetaflow().load(flows, root)
  const yaml = `namespaces: {}\nmetaflow:\n  service_url: ${fake.url}\n  auth_key_env: MF_TEST_KEY\n  datastore_sysroot: ${sysroot}\n`
  h = startHarness(yaml, { MF_TEST_KEY: KEY, METAFLOW_SERVICE_RETRY_COUNT: '0' })
}, HOOK_TIMEOUT)
afterAll(async () => {
  await h.stop()
  await fake.stop()
  await rm(sysroot, { recursive: true, force: true })
  cleanupTemp()
})

describe('flows and runs', () => {
  test('flows lists every flow in the service, read with the auth key', async () => {
    const text = await ask('flows')
    expect(text).toStartWith(
      '2 flows: `HelloFlow`, `OtherFlow` (Metaflow metadata service at http://127.0.0.1:',
    )
    expect(fake.requests.at(-1)?.headers['x-api-key']).toBe(KEY)
  })
  test('runs <Flow>: newest first, with status, user, start, duration and tags', async () => {
    const lines = (await ask('runs HelloFlow')).split('\n')
    expect(lines[0]).toBe('Recent runs of `HelloFlow`, newest first:')
    expect(lines[1]).toBe('• `HelloFlow/15` · failed (6s) at `train` · dberg · started 1 hour ago')
    expect(lines[2]).toBe('• `HelloFlow/14` · lost · dberg · started 1 hour ago')
    // Running for about an hour: 59m 59s or 1h 0m, depending on when this line runs.
    expect(lines[3]).toMatch(
      /^• `HelloFlow\/13` · running \((59m 5\ds|1h 0m)\) · savin · started 1 hour ago · tags: `production`$/,
    )
    expect(lines[4]).toBe(
      '• `HelloFlow/12` · finished (9s) · savin · started 1 hour ago · tags: `exp1`',
    )
  })
  test('a flow name in the wrong case is taken as the flow it matches, and said so, as `run` does', async () => {
    const lines = (await ask('runs helloflow')).split('\n')
    expect(lines[0]).toBe('(`helloflow` is `HelloFlow`: flow names are case-sensitive.)')
    expect(lines[1]).toBe('Recent runs of `HelloFlow`, newest first:')
    const inspected = (await ask('inspect helloflow/12')).split('\n')
    expect(inspected[0]).toBe('(`helloflow` is `HelloFlow`: flow names are case-sensitive.)')
    expect(inspected[1]).toStartWith('`HelloFlow/12` was started by savin')
  })
  test('a mistyped flow name is not found, with the closest names', async () => {
    expect(await ask('inspect HelloFlw')).toBe(
      'Flow `HelloFlw` was not found. Did you mean `HelloFlow`? Say `flows` for the list.',
    )
    expect(await ask('runs OthrFlow')).toBe(
      'Flow `OthrFlow` was not found. Did you mean `OtherFlow`? Say `flows` for the list.',
    )
  })
})

describe('inspect: every way of naming a run', () => {
  test.each([
    ['inspect HelloFlow/12', '`HelloFlow/12` was started by savin 1 hour ago.'],
    ['inspect the latest run of HelloFlow', '`HelloFlow/15` was started by dberg 1 hour ago.'],
    ["inspect savin's latest HelloFlow", '`HelloFlow/13` was started by savin 1 hour ago.'],
    ['inspect HelloFlow tagged production', '`HelloFlow/13` was started by savin 1 hour ago.'],
    ["inspect dberg's HelloFlow, tagged runtime:dev", '2 runs match, newest first.'],
  ])('%s', async (text, head) => {
    expect(await ask(text)).toStartWith(head)
  })
  test('a flow alone lists its recent runs to pick from', async () => {
    const text = await ask('inspect HelloFlow')
    expect(text.split('\n')).toEqual([
      '4 runs match, newest first. Say `inspect <Flow/id>` with one of them:',
      '• `HelloFlow/15` by dberg, 1 hour ago',
      '• `HelloFlow/14` by dberg, 1 hour ago',
      '• `HelloFlow/13` by savin, 1 hour ago',
      '• `HelloFlow/12` by savin, 1 hour ago',
    ])
  })
  test('a run that does not exist', async () => {
    expect(await ask('inspect HelloFlow/99')).toBe('Run `HelloFlow/99` was not found.')
  })
})

describe("in a run's thread", () => {
  const T = '500.1'
  beforeAll(async () => {
    const summary = await h.say('inspect HelloFlow/12', { threadTs: T, messageTs: T })
    expect(summary.replies[0]).toContain(
      'Outcome: succeeded in 9s.\nTags: `exp1`\nSteps:\n• `start`: 1 task, 2s, all succeeded',
    )
  })

  test('status, steps and params need no run name', async () => {
    expect(await ask('status', T)).toBe('`HelloFlow/12`: succeeded in 9s.')
    expect(await ask('steps', T)).toBe(
      'Steps of `HelloFlow/12`:\n• `start`: 1 task, 2s, all succeeded\n• `train`: 1 task, 2s, all succeeded\n• `end`: 1 task, 2s, all succeeded',
    )
    expect(await ask('params', T)).toBe('Parameters of `HelloFlow/12`:\n• `alpha` = 0.5')
  })
  test("data: the run's artifacts, a value, a step's artifacts, a value of a step", async () => {
    expect(await ask('data', T)).toBe(
      'Artifacts of `HelloFlow/12` (5 internal artifacts not listed): `accuracy`, `labels`\nSay `data <name>` to see one.',
    )
    expect(await ask('data labels', T)).toMatch(/^`labels` \(list, \d+ bytes\): \['cat', 'dog'\]$/)
    expect(await ask('data train', T)).toStartWith(
      'Artifacts of `HelloFlow/12/train/346` (5 internal artifacts not listed): `raw`',
    )
    expect(await ask('data raw', T)).toBe(
      "`raw` is not among the run's final artifacts, but step `start` has it: say `data start raw`.",
    )
    expect(await ask('data start raw', T)).toMatch(/^`raw` \(int, \d+ bytes\): 42$/)
    expect(await ask('data nothing', T)).toBe(
      '`HelloFlow/12` has no artifact or step called `nothing`. Say `data` for its artifacts.',
    )
    // A typo of an artifact or a step gets the closest name.
    expect(await ask('data acuracy', T)).toBe(
      '`HelloFlow/12` has no artifact or step called `acuracy`. Did you mean `accuracy`? Say `data` for its artifacts.',
    )
    expect(await ask('data trian', T)).toBe(
      '`HelloFlow/12` has no artifact or step called `trian`. Did you mean `train`? Say `data` for its artifacts.',
    )
  })
  test('logs <step> and logs <step> stderr', async () => {
    expect(await ask('logs train', T)).toBe(
      'Stdout of `HelloFlow/12/train/346`:\n```\nepoch 1 loss 0.3\nepoch 2 loss 0.1\n```',
    )
    expect(await ask('logs train stderr', T)).toBe(
      'Stderr of `HelloFlow/12/train/346`:\n```\nwarning: slow disk\n```',
    )
    expect(await ask('logs nope', T)).toBe(
      '`HelloFlow/12` has no step `nope` (steps: `start`, `train`, `end`).',
    )
  })
  test("export uploads the run's metadata as a JSON file", async () => {
    await ask('export', T)
    const msg = await h.waitForMessage((m) => m.file?.filename === 'HelloFlow-12.json')
    expect(msg.threadTs).toBe(T)
    const json = JSON.parse(msg.file!.content)
    expect(json).toMatchObject({
      pathspec: 'HelloFlow/12',
      user: 'savin',
      status: 'finished',
      duration_ms: 9000,
      tags: ['exp1'],
      parameters: { alpha: 0.5 },
    })
    expect(json.steps.map((s: { name: string }) => s.name)).toEqual(['start', 'train', 'end'])
  })
  test("help is about this thread's run; elsewhere it is the general help", async () => {
    expect(await ask('help', T)).toStartWith('This thread follows `HelloFlow/12`. Ask here:')
    expect(await ask('metaflow help')).toStartWith(
      'Metaflow (Metaflow metadata service at http://127.0.0.1:',
    )
  })
  test('every answer went to the thread', () => {
    const inThread = h.messages().filter((m) => m.purpose === 'reply' && m.threadTs === T)
    expect(inThread.length).toBeGreaterThanOrEqual(14)
  })
})

describe("outside a run's thread", () => {
  test('run details with no run chosen explain how to choose one', async () => {
    expect(await ask('steps')).toStartWith(
      'No run is chosen in this thread yet. Say `inspect <run>` first.\nName a run in one of these ways:',
    )
    expect(await ask('data accuracy')).toStartWith('No run is chosen in this thread yet.')
  })
})

describe('lost and failed runs', () => {
  test('a heartbeat older than 6 minutes without an end is lost', async () => {
    const T = '600.1'
    expect(
      (await h.say('inspect HelloFlow/14', { threadTs: T, messageTs: T })).replies[0],
    ).toContain('Outcome: did not finish (its heartbeat stopped 20 min ago).')
    expect(await ask('status', T)).toBe(
      '`HelloFlow/14`: did not finish (its heartbeat stopped 20 min ago).',
    )
    expect(await ask('watch', T)).toBe(
      '`HelloFlow/14` is lost (its heartbeat stopped 20 min ago); there is nothing to watch.',
    )
  })
  test('a failed step is reported with its name', async () => {
    const T = '601.1'
    await h.say('inspect HelloFlow/15', { threadTs: T, messageTs: T })
    expect(await ask('status', T)).toBe(
      [
        '`HelloFlow/15`: failed after 6s (step train failed).',
        'Step `train/601` raised `RuntimeError: step failed`.',
        '`logs train stderr` shows all of it; `data train _exception` the traceback.',
      ].join('\n'),
    )
  })
})

describe('the metadata service down', () => {
  test('a clear message, no stack trace, and the key nowhere', async () => {
    fake.down = 503
    try {
      expect(await ask('runs HelloFlow')).toMatch(
        /^:warning: I could not get an answer from Metaflow: Metaflow metadata service at http:\/\/127\.0\.0\.1:\d+ is unavailable \(HTTP 503\) after 1 tries\. Try again in a little while\.$/,
      )
      expect(await ask('status', '500.1')).toContain('is unavailable (HTTP 503)')
    } finally {
      fake.down = null
    }
    const everything = [
      ...h.messages().map((m) => m.text + (m.file?.content ?? '')),
      ...h.logLines,
    ].join('\n')
    expect(everything).not.toContain(KEY)
    expect(everything).not.toContain('Traceback')
    expect(everything).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/)
  })
  test('unreachable', async () => {
    const gone = startFakeMetaflow()
    const url = gone.url
    await gone.stop()
    const other = startHarness(`namespaces: {}\nmetaflow: {service_url: '${url}'}\n`, {
      METAFLOW_SERVICE_RETRY_COUNT: '0',
    })
    try {
      const reply = (await other.say('flows')).replies[0]
      expect(reply).toStartWith(
        `:warning: I could not get an answer from Metaflow: Metaflow metadata service at ${url} is unreachable:`,
      )
    } finally {
      await other.stop()
    }
  })
})
