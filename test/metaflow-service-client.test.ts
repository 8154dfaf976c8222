// The metadata service client against a loopback fake with the real routes: shapes, 404s, paging, retries, outages.
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import {
  MetaflowNotFoundError,
  MetaflowServiceError,
  MetaflowUnavailableError,
} from '../src/metaflow/errors.ts'
import { ServiceClient, type ServiceClientOptions } from '../src/metaflow/service-client.ts'
import { detail } from '../src/metaflow/service-http.ts'
import {
  startFakeMetaflow,
  type FakeMetaflow,
  type FakeMetaflowOptions,
} from './support/fake-metaflow.ts'
import { attempt, linearRun, type FlowFixture } from './support/metaflow-fixtures.ts'

const T0 = 1_717_000_000_000
const flows: FlowFixture[] = [
  {
    name: 'HelloFlow',
    createdAt: T0 - 86400_000,
    runs: [
      linearRun({
        id: '12',
        user: 'savin',
        createdAt: T0,
        tags: ['exp1'],
        heartbeat: T0 / 1000 + 420,
        params: { alpha: '0.5' },
        firstTaskId: 345,
      }),
      linearRun({ id: '4', user: 'dberg', createdAt: T0 - 3600_000, firstTaskId: 300 }),
      {
        id: 'argo-helloflow-x7k2p',
        user: 'savin',
        createdAt: T0 + 1000,
        steps: [
          {
            name: 'start',
            tasks: [
              {
                id: 'start-0',
                attempts: [
                  attempt(T0 + 2000, false, { artifacts: { x: '1' } }),
                  attempt(T0 + 9000, true, { artifacts: { x: '2' } }),
                ],
              },
            ],
          },
        ],
      },
    ],
  },
]

let fake: FakeMetaflow
let client: ServiceClient

function setup(
  fakeOptions: FakeMetaflowOptions = {},
  clientOptions: Partial<ServiceClientOptions> = {},
) {
  fake = startFakeMetaflow(fakeOptions).load(flows)
  client = new ServiceClient({
    url: fake.url,
    retries: 2,
    backoffMs: 5,
    timeoutMs: 2000,
    ...clientOptions,
  })
}

afterEach(async () => {
  await fake.stop()
})

describe('read routes', () => {
  beforeEach(() => setup())

  test('ping reads the version header', async () => {
    expect(await client.ping()).toEqual({ version: '2.5.1' })
  })

  test('flows, runs (newest first), one run with its exact shape', async () => {
    expect((await client.listFlows()).map((f) => f.flow_id)).toEqual(['HelloFlow'])
    expect((await client.getFlow('HelloFlow')).flow_id).toBe('HelloFlow')
    expect((await client.listRuns('HelloFlow')).map((r) => r.run_number)).toEqual([
      'argo-helloflow-x7k2p',
      12,
      4,
    ])
    expect(await client.getRun('HelloFlow', '12')).toEqual({
      flow_id: 'HelloFlow',
      run_number: 12,
      user_name: 'savin',
      ts_epoch: T0,
      tags: ['exp1'],
      system_tags: [
        'runtime:dev',
        'metaflow_version:2.19.38',
        'user:savin',
        'python_version:3.11.7',
      ],
      last_heartbeat_ts: T0 / 1000 + 420,
    })
    expect((await client.getRun('HelloFlow', 'argo-helloflow-x7k2p')).run_number).toBe(
      'argo-helloflow-x7k2p',
    )
  })

  test('runs filtered by tags and limited', async () => {
    const runs = await client.listRuns('HelloFlow', { requiredTags: ['user:savin'], limit: 1 })
    expect(runs.map((r) => r.run_number)).toEqual(['argo-helloflow-x7k2p'])
  })

  test('steps, tasks, metadata (sorted oldest first), artifacts', async () => {
    expect((await client.listSteps('HelloFlow', '12')).map((s) => s.step_name).sort()).toEqual([
      '_parameters',
      'end',
      'start',
    ])
    expect((await client.getStep('HelloFlow', '12', 'start')).step_name).toBe('start')
    const tasks = await client.listTasks('HelloFlow', '12', 'start')
    expect(tasks.map((t) => t.task_id)).toEqual([345])
    const t = { flow: 'HelloFlow', run: '12', step: 'start', task: '345' }
    expect((await client.getTask(t)).last_heartbeat_ts).toBeNull()
    const md = await client.getTaskMetadata(t)
    expect(md.map((m) => m.ts_epoch)).toEqual([...md.map((m) => m.ts_epoch)].sort((a, b) => a - b))
    expect(md.find((m) => m.field_name === 'attempt_ok')).toMatchObject({
      value: 'True',
      tags: ['attempt_id:0'],
      type: 'internal_attempt_status',
    })
    const runMd = await client.getRunMetadata('HelloFlow', '12')
    expect(runMd.some((m) => m.field_name === 'end_step' && m.value === 'end')).toBe(true)
    const arts = await client.listTaskArtifacts(t)
    expect(arts.map((a) => a.name).sort()).toEqual([
      '_current_step',
      '_exception',
      '_foreach_stack',
      '_success',
      '_task_ok',
    ])
    expect((await client.getTaskArtifact(t, '_task_ok')).sha).toMatch(/^[0-9a-f]{40}$/)
    // _parameters: 5 internal + name, script_name, alpha; start and end: 5 internal each
    expect((await client.listRunArtifacts('HelloFlow', '12')).length).toBe(18)
  })

  test('artifacts of the latest attempt, or of a given one', async () => {
    const t = { flow: 'HelloFlow', run: 'argo-helloflow-x7k2p', step: 'start', task: 'start-0' }
    expect((await client.listTaskArtifacts(t)).every((a) => a.attempt_id === 1)).toBe(true)
    expect((await client.listTaskArtifacts(t, 0)).every((a) => a.attempt_id === 0)).toBe(true)
    expect((await client.getTaskArtifact(t, 'x')).attempt_id).toBe(1)
    expect((await client.getTaskArtifact(t, 'x', 0)).attempt_id).toBe(0)
  })

  test('a missing single object is a typed NotFound; a list under a missing parent is empty', async () => {
    const err = await client.getRun('HelloFlow', '999').catch((e) => e)
    expect(err).toBeInstanceOf(MetaflowNotFoundError)
    expect(err.message).toBe('run HelloFlow/999 not found')
    await expect(client.getFlow('Nope')).rejects.toBeInstanceOf(MetaflowNotFoundError)
    expect(await client.listRuns('Nope')).toEqual([])
    expect(await client.listSteps('HelloFlow', '999')).toEqual([])
  })

  test('names that could climb out of a path are refused before any request', async () => {
    const before = fake.requests.length
    await expect(client.getRun('HelloFlow', '..')).rejects.toBeInstanceOf(MetaflowUnavailableError)
    await expect(client.listSteps('HelloFlow', '12/../../x')).rejects.toBeInstanceOf(
      MetaflowUnavailableError,
    )
    expect(fake.requests.length).toBe(before)
  })
})

describe('request details', () => {
  test('sends x-api-key and extra headers, and honours a path prefix', async () => {
    setup({ prefix: '/api' }, { authKey: 'k3y', headers: { 'x-team': 'ds' } })
    await client.listFlows()
    const seen = fake.requests.at(-1)!
    expect(seen.path).toBe('/api/flows')
    expect(seen.headers['x-api-key']).toBe('k3y')
    expect(seen.headers['x-team']).toBe('ds')
  })

  test('does not show URL credentials in messages', () => {
    const c = new ServiceClient({ url: 'http://user:secret@127.0.0.1:9/' })
    expect(c.displayUrl).toBe('http://127.0.0.1:9')
  })

  test('paged servers: follows X-Next-Cursor until enough runs match', async () => {
    setup({ paged: true })
    for (let i = 0; i < 250; i++) {
      fake.runs.push({
        flow_id: 'Big',
        run_number: 1000 + i,
        user_name: 'u',
        ts_epoch: T0 + i,
        tags: [],
        system_tags: [i % 100 === 0 ? 'user:rare' : 'user:u'],
        last_heartbeat_ts: null,
      })
    }
    const newest = await client.listRuns('Big', { limit: 3 })
    expect(newest.map((r) => r.run_number)).toEqual([1249, 1248, 1247])
    expect(fake.requests.at(-1)!.query._limit).toBe('100')
    const rare = await client.listRuns('Big', { requiredTags: ['user:rare'], limit: 5 })
    expect(rare.map((r) => r.run_number)).toEqual([1200, 1100, 1000])
    expect(fake.requests.filter((r) => r.query._cursor).length).toBeGreaterThanOrEqual(2)
    // Without a limit the server sends the whole array, paged or not.
    expect((await client.listRuns('Big')).length).toBe(250)
  })
})

describe('service trouble', () => {
  test('503 is retried, then succeeds', async () => {
    setup()
    fake.failNext(503, 2)
    expect((await client.listFlows()).length).toBe(1)
    expect(fake.requests.length).toBe(3)
  })

  test('503 on every try: unavailable after retries', async () => {
    setup()
    fake.down = 503
    const err = await client.listFlows().catch((e) => e)
    expect(err).toBeInstanceOf(MetaflowServiceError)
    expect(err.kind).toBe('unavailable')
    expect(err.message).toBe(
      `Metaflow metadata service at ${fake.url} is unavailable (HTTP 503) after 3 tries`,
    )
    expect(fake.requests.length).toBe(3)
  })

  test('500 is not retried and carries the detail', async () => {
    setup()
    fake.failNext(500)
    const err = await client.listFlows().catch((e) => e)
    expect(err.kind).toBe('http')
    expect(err.status).toBe(500)
    expect(err.message).toContain('answered HTTP 500 to GET /flows: boom')
    expect(fake.requests.length).toBe(1)
  })

  test('a stopped service is unreachable, after retrying the connection', async () => {
    setup()
    const url = fake.url
    await fake.stop()
    const err = await client.listFlows().catch((e) => e)
    expect(err).toBeInstanceOf(MetaflowServiceError)
    expect(err.kind).toBe('unreachable')
    expect(err.message).toStartWith(`Metaflow metadata service at ${url} is unreachable: `)
    fake = startFakeMetaflow()
  })

  test('a slow service times out without retrying', async () => {
    setup({}, { timeoutMs: 100 })
    fake.delayMs = 1000
    const err = await client.listFlows().catch((e) => e)
    expect(err.kind).toBe('timeout')
    expect(err.message).toContain('did not answer within 0.1 s')
    expect(fake.requests.length).toBe(1)
  })

  test('error bodies: JSON objects, and JSON strings that encode one (DB errors)', () => {
    expect(detail(JSON.stringify({ detail: 'boom', status: 500 }))).toBe(': boom')
    expect(detail(JSON.stringify(JSON.stringify({ err_msg: 'db down' })))).toBe(': db down')
    expect(detail(JSON.stringify('bad cursor'))).toBe(': bad cursor')
    expect(detail('{}')).toBe('')
  })

  test('a reply that is not JSON is a bad response', async () => {
    setup()
    const c = new ServiceClient({
      url: fake.url,
      fetch: (async () => new Response('<html>gateway</html>')) as unknown as typeof fetch,
    })
    await expect(c.listFlows()).rejects.toMatchObject({ kind: 'bad-response' })
  })
})
