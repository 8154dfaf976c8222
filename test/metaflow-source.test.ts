// MetaflowSource selection from the environment, and the service source reading artifacts and logs from a datastore root.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { MetaflowUnavailableError } from '../src/metaflow/errors.ts'
import { LocalSource } from '../src/metaflow/local-reader.ts'
import { dataTask, loadParameters, loadRunStatus, loadRunView } from '../src/metaflow/run-view.ts'
import { ServiceClient } from '../src/metaflow/service-client.ts'
import { ServiceSource, metaflowSourceFromEnv } from '../src/metaflow/source.ts'
import { startFakeMetaflow, type FakeMetaflow } from './support/fake-metaflow.ts'
import {
  attempt,
  linearRun,
  makeTempSysroot,
  writeLocalDatastore,
  type FlowFixture,
} from './support/metaflow-fixtures.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

describe('metaflowSourceFromEnv', () => {
  test('service when METAFLOW_SERVICE_URL is set, with the datastore root for artifacts and logs', () => {
    const s = metaflowSourceFromEnv({
      METAFLOW_SERVICE_URL: 'http://mf:8080/api',
      METAFLOW_DATASTORE_SYSROOT_LOCAL: '/home/savin/proj',
      METAFLOW_SERVICE_AUTH_KEY: 'k',
    })
    expect(s).toBeInstanceOf(ServiceSource)
    expect(s!.description).toBe('Metaflow metadata service at http://mf:8080/api')
    expect((s as ServiceSource).datastore!.root).toBe('/home/savin/proj/.metaflow')
  })
  test('local when only the sysroot is set, or when METAFLOW_DEFAULT_METADATA says so', () => {
    expect(metaflowSourceFromEnv({ METAFLOW_DATASTORE_SYSROOT_LOCAL: '/p' })).toBeInstanceOf(
      LocalSource,
    )
    const s = metaflowSourceFromEnv({
      METAFLOW_DATASTORE_SYSROOT_LOCAL: '/p',
      METAFLOW_SERVICE_URL: 'http://mf',
      METAFLOW_DEFAULT_METADATA: 'local',
    })
    expect(s?.description).toBe('local Metaflow datastore at /p/.metaflow')
  })
  test('null when nothing is configured', () => {
    expect(metaflowSourceFromEnv({})).toBeNull()
  })
  test('bad values are errors that name the variable', () => {
    expect(() => metaflowSourceFromEnv({ METAFLOW_DEFAULT_METADATA: 'service' })).toThrow(
      'METAFLOW_SERVICE_URL is not set',
    )
    expect(() => metaflowSourceFromEnv({ METAFLOW_SERVICE_URL: 'not a url' })).toThrow(
      'METAFLOW_SERVICE_URL is not a URL',
    )
    expect(() =>
      metaflowSourceFromEnv({ METAFLOW_SERVICE_URL: 'http://mf', METAFLOW_SERVICE_HEADERS: '[1]' }),
    ).toThrow('METAFLOW_SERVICE_HEADERS')
    expect(() =>
      metaflowSourceFromEnv({
        METAFLOW_SERVICE_URL: 'http://mf',
        METAFLOW_SERVICE_RETRY_COUNT: 'x',
      }),
    ).toThrow('METAFLOW_SERVICE_RETRY_COUNT')
    expect(() => metaflowSourceFromEnv({ METAFLOW_DEFAULT_METADATA: 'cloud' })).toThrow(
      '"local" or "service"',
    )
  })
})

describe('ServiceSource over the fake service and a service-style datastore', () => {
  const NOW_S = 1_717_003_600
  const T0 = (NOW_S - 3600) * 1000
  const flows: FlowFixture[] = [
    {
      name: 'HelloFlow',
      createdAt: T0 - 86400_000,
      runs: [
        linearRun({
          id: '12',
          user: 'savin',
          createdAt: T0,
          heartbeat: T0 / 1000 + 20,
          params: { alpha: '0.5', big: '2**70' },
          firstTaskId: 345,
        }),
        linearRun({
          id: '13',
          user: 'savin',
          createdAt: T0 + 1000,
          heartbeat: NOW_S - 30,
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
        {
          id: '16',
          user: 'ann',
          createdAt: T0 + 4000,
          heartbeat: NOW_S - 5,
          steps: [
            { name: 'start', tasks: [{ id: '700', attempts: [attempt(T0 + 5000, true)] }] },
            {
              name: 'end',
              tasks: [
                {
                  id: '701',
                  attempts: [attempt(T0 + 9000, false), attempt(T0 + 20_000, undefined)],
                },
              ],
            },
          ],
        },
      ],
    },
  ]
  let fake: FakeMetaflow
  let sysroot: string
  let source: ServiceSource

  beforeAll(async () => {
    sysroot = await makeTempSysroot()
    // With service metadata the datastore holds artifacts and logs but no _meta directories.
    const root = await writeLocalDatastore(sysroot, flows, { metadata: false })
    fake = startFakeMetaflow().load(flows, root)
    source = metaflowSourceFromEnv(
      { METAFLOW_SERVICE_URL: fake.url, METAFLOW_DATASTORE_SYSROOT_LOCAL: sysroot },
      { backoffMs: 1 },
    ) as ServiceSource
  }, HOOK_TIMEOUT)
  afterAll(async () => {
    await fake.stop()
    await rm(sysroot, { recursive: true, force: true })
  })

  test('the datastore really has no _meta', async () => {
    await expect(
      stat(join(sysroot, '.metaflow', 'HelloFlow', '12', '_meta')),
    ).rejects.toMatchObject({ code: 'ENOENT' })
  })

  test('statuses from service metadata and heartbeats', async () => {
    const st = async (id: string) =>
      (await loadRunView(source, 'HelloFlow', id, { nowSeconds: NOW_S })).status
    expect(await st('12')).toMatchObject({ status: 'finished', durationMs: 6000 })
    expect(await st('13')).toMatchObject({ status: 'running', heartbeatAgeSeconds: 30 })
    expect(await st('14')).toMatchObject({
      status: 'lost',
      reason: 'its heartbeat stopped 20 min ago',
    })
    expect(await st('15')).toMatchObject({ status: 'failed', reason: 'step train failed' })
    expect(await st('16')).toMatchObject({
      status: 'running',
      reason: 'end step is being retried (attempt 1)',
    })
  })

  test('statuses for a runs list, without step summaries', async () => {
    const runs = await source.listRuns('HelloFlow', { limit: 3 })
    const statuses = await Promise.all(
      runs.map((r) => loadRunStatus(source, r, { nowSeconds: NOW_S })),
    )
    expect(runs.map((r, i) => `${r.run_number}:${statuses[i]!.status}`)).toEqual([
      '16:running',
      '15:failed',
      '14:lost',
    ])
  })

  test('the run data: end task artifacts from the service, values from the datastore', async () => {
    const view = await loadRunView(source, 'HelloFlow', '12', { nowSeconds: NOW_S })
    const t = dataTask(view)!
    expect(t).toEqual({ flow: 'HelloFlow', run: '12', step: 'end', task: '346' })
    const arts = await source.listArtifacts(t)
    const ok = await source.loadArtifact(arts.find((a) => a.name === '_task_ok')!)
    expect(ok).toMatchObject({ type: 'bool', value: { kind: 'bool', value: true } })
  })

  test('parameters through the service', async () => {
    const params = await loadParameters(source, 'HelloFlow', '12')
    expect(params.map((p) => [p.name, p.type])).toEqual([
      ['alpha', 'float'],
      ['big', 'int'],
    ])
    expect(params[1]!.value).toEqual({ kind: 'int', value: 2n ** 70n })
  })

  test('logs from the datastore', async () => {
    const log = await source.readLog(
      { flow: 'HelloFlow', run: '12', step: 'start', task: '345' },
      'stdout',
    )
    expect(log.lines.map((l) => l.text)).toEqual(['start says hello'])
  })

  test('without a datastore root: artifacts and logs say why they are out of reach', async () => {
    const bare = new ServiceSource(new ServiceClient({ url: fake.url }), null)
    const arts = await bare.listArtifacts({
      flow: 'HelloFlow',
      run: '12',
      step: 'end',
      task: '346',
    })
    expect((await bare.loadArtifact(arts[0]!)).note).toContain(
      'no local datastore root is configured',
    )
    await expect(
      bare.readLog({ flow: 'HelloFlow', run: '12', step: 'end', task: '346' }, 'stdout'),
    ).rejects.toBeInstanceOf(MetaflowUnavailableError)
    expect(
      await bare.readRuntimeRecord({ flow: 'HelloFlow', run: '12', step: 'end', task: '346' }, 0),
    ).toBeNull()
  })

  test('a service outage surfaces as a clear error through the source', async () => {
    fake.down = 503
    try {
      await expect(source.listFlows()).rejects.toThrow(
        /^Metaflow metadata service at http:\/\/127\.0\.0\.1:\d+ is unavailable \(HTTP 503\) after 4 tries$/,
      )
    } finally {
      fake.down = null
    }
  })
})
