// The local metadata reader and datastore against a realistic `.metaflow` tree written by the fixture builder.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MetaflowNotFoundError, MetaflowUnavailableError } from '../src/metaflow/errors.ts'
import { LocalSource } from '../src/metaflow/local-reader.ts'
import { mflog } from './support/metaflow-fixtures.ts'
import { dataTask, loadParameters, loadRunView } from '../src/metaflow/run-view.ts'
import {
  attempt,
  linearRun,
  makeTempSysroot,
  writeLocalDatastore,
  type FlowFixture,
} from './support/metaflow-fixtures.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

const T0 = 1_795_442_171_604
const RUN = '1795442171601721'
const RETRY_RUN = '1795442999000000'
const flows: FlowFixture[] = [
  {
    name: 'HelloFlow',
    createdAt: T0 - 86400_000,
    runs: [
      linearRun({
        id: RUN,
        user: 'savin',
        createdAt: T0,
        tags: ['exp1'],
        params: { alpha: '0.5', label: "'x'" },
        steps: ['start', 'hello', 'end'],
      }),
      {
        id: RETRY_RUN,
        user: 'dberg',
        createdAt: T0 + 60_000,
        steps: [
          {
            name: 'start',
            tasks: [
              {
                id: '1',
                attempts: [
                  attempt(T0 + 61_000, false, {
                    artifacts: { x: '1' },
                    stderr: ['Traceback…', 'ValueError: bad'],
                  }),
                  attempt(T0 + 70_000, true, {
                    artifacts: { x: '2', when: 'datetime.datetime(2026, 1, 2)' },
                    stdout: [
                      { at: T0 + 70_001, text: 'runtime first' },
                      { at: T0 + 70_003, text: 'runtime third' },
                      { at: T0 + 70_002, text: 'task second', source: 'task' },
                    ],
                  }),
                ],
              },
            ],
          },
          {
            name: 'end',
            tasks: [{ id: '2', attempts: [attempt(T0 + 80_000, undefined)] }],
          },
        ],
      },
      {
        id: '1795443000000000',
        user: 'ann',
        createdAt: T0 + 120_000,
        steps: [
          {
            name: 'start',
            tasks: [
              {
                id: '1',
                attempts: [attempt(T0 + 121_000, undefined, { killed: true, stdout: ['partial'] })],
              },
            ],
          },
        ],
      },
    ],
  },
  { name: 'OtherFlow', createdAt: T0 - 1000, runs: [] },
]

let sysroot: string
let root: string
let source: LocalSource

beforeAll(async () => {
  sysroot = await makeTempSysroot()
  root = await writeLocalDatastore(sysroot, flows)
  source = new LocalSource(root)
}, HOOK_TIMEOUT)

afterAll(async () => {
  await rm(sysroot, { recursive: true, force: true })
})

const task = (run: string, step: string, t: string) => ({ flow: 'HelloFlow', run, step, task: t })

describe('the fixture tree is realistic', () => {
  test('Metaflow files are 0600; latest_run names the newest run', async () => {
    expect((await stat(join(root, 'HelloFlow', RUN, '_meta', '_self.json'))).mode & 0o777).toBe(
      0o600,
    )
    expect(
      (await stat(join(root, 'HelloFlow', RUN, 'start', '1', '0.data.json'))).mode & 0o777,
    ).toBe(0o600)
    expect(await source.latestRunFile('HelloFlow')).toBe('1795443000000000')
  })
})

describe('objects', () => {
  test('flows, with the service shape', async () => {
    const f = await source.listFlows()
    expect(f.map((x) => x.flow_id).sort()).toEqual(['HelloFlow', 'OtherFlow'])
    expect(await source.getFlow('HelloFlow')).toEqual({
      flow_id: 'HelloFlow',
      user_name: null,
      ts_epoch: T0 - 86400_000,
      tags: null,
      system_tags: null,
    })
  })

  test('runs newest first, string ids, no heartbeat', async () => {
    const runs = await source.listRuns('HelloFlow')
    expect(runs.map((r) => r.run_number)).toEqual(['1795443000000000', RETRY_RUN, RUN])
    expect(runs[2]).toMatchObject({
      flow_id: 'HelloFlow',
      user_name: 'savin',
      tags: ['exp1'],
      last_heartbeat_ts: null,
      ts_epoch: T0,
    })
    expect(
      (await source.listRuns('HelloFlow', { requiredTags: ['user:dberg'] })).map(
        (r) => r.run_number,
      ),
    ).toEqual([RETRY_RUN])
    expect(await source.listRuns('HelloFlow', { limit: 1 })).toHaveLength(1)
  })

  test('not found: flow before run', async () => {
    await expect(source.getRun('Nope', RUN)).rejects.toMatchObject({ what: 'flow Nope' })
    await expect(source.getRun('HelloFlow', '1')).rejects.toMatchObject({ what: 'run HelloFlow/1' })
    await expect(source.listRuns('Nope')).rejects.toBeInstanceOf(MetaflowNotFoundError)
    expect(await source.listSteps('HelloFlow', '1')).toEqual([])
  })

  test('unsafe names are refused', async () => {
    await expect(source.getRun('HelloFlow', '..')).rejects.toBeInstanceOf(MetaflowUnavailableError)
    await expect(source.readLog(task(RUN, '../../..', '1'), 'stdout')).rejects.toBeInstanceOf(
      MetaflowUnavailableError,
    )
  })

  test('steps (with _parameters) and tasks', async () => {
    expect((await source.listSteps('HelloFlow', RUN)).map((s) => s.step_name).sort()).toEqual([
      '_parameters',
      'end',
      'hello',
      'start',
    ])
    const tasks = await source.listTasks('HelloFlow', RUN, 'hello')
    expect(tasks).toHaveLength(1)
    expect(tasks[0]).toMatchObject({ step_name: 'hello', task_id: '2', last_heartbeat_ts: null })
    expect((await source.listRunTasks('HelloFlow', RUN)).length).toBe(4)
  })

  test('metadata from sysmeta files, field names from the JSON, oldest first', async () => {
    const md = await source.getTaskMetadata(task(RUN, 'start', '1'))
    const fields = md.map((m) => m.field_name)
    expect(fields).toContain('attempt-done')
    expect(fields).toContain('ds-root')
    expect(md.find((m) => m.field_name === 'ds-root')!.value).toBe(root)
    expect(md.map((m) => m.ts_epoch)).toEqual([...md.map((m) => m.ts_epoch)].sort((a, b) => a - b))
    const runMd = await source.getRunMetadata('HelloFlow', RUN)
    expect(runMd.find((m) => m.field_name === 'end_step')).toMatchObject({
      value: 'end',
      step_name: '_parameters',
      task_id: '0',
    })
  })
})

describe('artifacts', () => {
  test('of the attempt named by the newest attempt-done, or of a given attempt', async () => {
    const latest = await source.listArtifacts(task(RETRY_RUN, 'start', '1'))
    expect(latest.every((a) => a.attempt_id === 1)).toBe(true)
    expect(latest.map((a) => a.name)).toContain('when')
    const first = await source.listArtifacts(task(RETRY_RUN, 'start', '1'), 0)
    expect(first.map((a) => a.name)).not.toContain('when')
    expect(await source.listArtifacts(task(RETRY_RUN, 'end', '2'))).toEqual([])
  })

  test('values decoded from the blobs; a datetime shown by type', async () => {
    const arts = await source.listArtifacts(task(RETRY_RUN, 'start', '1'))
    const x = await source.loadArtifact(arts.find((a) => a.name === 'x')!)
    expect(x).toMatchObject({ type: 'int', value: { kind: 'int', value: 2n }, note: null })
    const when = await source.loadArtifact(arts.find((a) => a.name === 'when')!)
    expect(when.type).toBe('datetime.datetime')
    expect(when.value).toBeNull()
    expect(when.note).toBe('not a simple Python value')
  })

  test('parameters from the _parameters task, without name and script_name', async () => {
    const params = await loadParameters(source, 'HelloFlow', RUN)
    expect(params.map((p) => [p.name, p.value])).toEqual([
      ['alpha', { kind: 'float', value: 0.5 }],
      ['label', { kind: 'str', value: 'x' }],
    ])
  })
})

describe('logs', () => {
  test('runtime and task files merged by timestamp', async () => {
    const log = await source.readLog(task(RETRY_RUN, 'start', '1'), 'stdout')
    expect(log.attempt).toBe(1)
    expect(log.lines.map((l) => l.text)).toEqual(['runtime first', 'task second', 'runtime third'])
  })

  test('an earlier attempt, stderr', async () => {
    const log = await source.readLog(task(RETRY_RUN, 'start', '1'), 'stderr', 0)
    expect(log.lines.map((l) => l.text)).toEqual(['Traceback…', 'ValueError: bad'])
  })

  test('a running task has no logs yet; a task not started has no attempt', async () => {
    expect(await source.readLog(task(RETRY_RUN, 'end', '2'), 'stdout')).toEqual({
      attempt: 0,
      lines: [],
      found: false,
    })
    expect(await source.readLog(task(RETRY_RUN, 'end', '99'), 'stdout')).toEqual({
      attempt: null,
      lines: [],
      found: false,
    })
  })

  test('legacy <n>.stdout.log is read when there are no MFLOG files', async () => {
    const dir = join(root, 'HelloFlow', RETRY_RUN, 'end', '2')
    await writeFile(
      join(dir, '0.stdout.log'),
      `old style\n${mflog({ at: T0, text: 'mixed', source: 'task' })}`,
    )
    const log = await source.readLog(task(RETRY_RUN, 'end', '2'), 'stdout')
    expect(log.lines.map((l) => l.text)).toEqual(['mixed', 'old style'])
    await rm(join(dir, '0.stdout.log'))
  })
})

describe('run view', () => {
  const now = (T0 + 3600_000) / 1000
  test('a finished local run', async () => {
    const view = await loadRunView(source, 'HelloFlow', RUN, { nowSeconds: now })
    expect(view.status.status).toBe('finished')
    expect(view.stepSummaries.map((s) => [s.step, s.allSucceeded])).toEqual([
      ['start', true],
      ['hello', true],
      ['end', true],
    ])
    expect(dataTask(view)).toEqual(task(RUN, 'end', '3'))
  })

  test('a local run with an unfinished end: running only with a live process, else lost', async () => {
    expect(
      (await loadRunView(source, 'HelloFlow', RETRY_RUN, { nowSeconds: now, processAlive: true }))
        .status.status,
    ).toBe('running')
    expect(
      (await loadRunView(source, 'HelloFlow', RETRY_RUN, { nowSeconds: now })).status.status,
    ).toBe('lost')
  })

  test('a run whose task the runtime killed is failed', async () => {
    const view = await loadRunView(source, 'HelloFlow', '1795443000000000', { nowSeconds: now })
    expect(view.status).toMatchObject({ status: 'failed', failedSteps: ['start'] })
    expect(await source.readRuntimeRecord(task('1795443000000000', 'start', '1'), 0)).toEqual({
      return_code: null,
      killed: true,
      success: false,
    })
  })
})
