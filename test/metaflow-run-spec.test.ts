// The run-spec grammar of the Metaflow Slack bot plus its extension, and resolution against both sources.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rm } from 'node:fs/promises'
import { LocalSource } from '../src/metaflow/local-reader.ts'
import { parseRunSpec, resolveRunSpec, type RunSpec } from '../src/metaflow/run-spec.ts'
import { ServiceClient } from '../src/metaflow/service-client.ts'
import { ServiceSource, type MetaflowSource } from '../src/metaflow/source.ts'
import { startFakeMetaflow, type FakeMetaflow } from './support/fake-metaflow.ts'
import {
  linearRun,
  makeTempSysroot,
  writeLocalDatastore,
  type FlowFixture,
} from './support/metaflow-fixtures.ts'
import { HOOK_TIMEOUT } from './support/wait.ts'

function spec(text: string): RunSpec {
  const r = parseRunSpec(text)
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${r.error}`)
  return r.spec
}

function error(text: string): string {
  const r = parseRunSpec(text)
  if (r.ok)
    throw new Error(`expected ${JSON.stringify(text)} to be refused, got ${JSON.stringify(r.spec)}`)
  return r.error
}

describe('parseRunSpec', () => {
  test('exact run: Flow/RunId', () => {
    expect(spec('HelloFlow/12')).toEqual({ flow: 'HelloFlow', runId: '12', latestOnly: false })
    expect(spec('HelloFlow/argo-helloflow-x7k2p')).toEqual({
      flow: 'HelloFlow',
      runId: 'argo-helloflow-x7k2p',
      latestOnly: false,
    })
    expect(spec(' `HelloFlow/1795442171601721` ')).toEqual({
      flow: 'HelloFlow',
      runId: '1795442171601721',
      latestOnly: false,
    })
  })

  test('a flow alone: recent runs', () => {
    expect(spec('HelloFlow')).toEqual({ flow: 'HelloFlow', latestOnly: false })
  })

  test('the latest run of FLOW', () => {
    expect(spec('the latest run of HelloFlow')).toEqual({ flow: 'HelloFlow', latestOnly: true })
    expect(spec('The Latest Run Of HelloFlow')).toEqual({ flow: 'HelloFlow', latestOnly: true })
    expect(spec('latest run of HelloFlow')).toEqual({ flow: 'HelloFlow', latestOnly: true })
  })

  test("OWNER's FLOW and OWNER's latest run of FLOW", () => {
    expect(spec("dberg's HelloFlow")).toEqual({
      flow: 'HelloFlow',
      owner: 'dberg',
      latestOnly: false,
    })
    expect(spec("dberg's latest run of HelloFlow")).toEqual({
      flow: 'HelloFlow',
      owner: 'dberg',
      latestOnly: true,
    })
    expect(spec("dberg' HelloFlow")).toEqual({
      flow: 'HelloFlow',
      owner: 'dberg',
      latestOnly: false,
    })
    expect(spec('dberg\u2019s HelloFlow')).toEqual({
      flow: 'HelloFlow',
      owner: 'dberg',
      latestOnly: false,
    })
    expect(spec("first.last's HelloFlow")).toMatchObject({ owner: 'first.last' })
  })

  test("extension: OWNER's latest FLOW", () => {
    expect(spec("savin's latest HelloFlow")).toEqual({
      flow: 'HelloFlow',
      owner: 'savin',
      latestOnly: true,
    })
    expect(spec('the latest HelloFlow')).toEqual({ flow: 'HelloFlow', latestOnly: true })
    // Without a following flow name, "latest" is the flow, as in the shipped grammar.
    expect(spec("savin's latest")).toEqual({ flow: 'latest', owner: 'savin', latestOnly: false })
  })

  test('tagged TAG, with an optional comma; the tag is the rest of the text', () => {
    expect(spec('HelloFlow tagged production')).toEqual({
      flow: 'HelloFlow',
      tag: 'production',
      latestOnly: false,
    })
    expect(spec("savin's HelloFlow, tagged some_tag")).toEqual({
      flow: 'HelloFlow',
      owner: 'savin',
      tag: 'some_tag',
      latestOnly: false,
    })
    expect(spec('the latest run of HelloFlow tagged runtime:dev')).toEqual({
      flow: 'HelloFlow',
      tag: 'runtime:dev',
      latestOnly: true,
    })
    expect(spec('HelloFlow TAGGED `exp 1`')).toMatchObject({ tag: 'exp 1' })
  })

  test('"the" needs a space, so flow names starting with it survive', () => {
    expect(spec('thermoFlow')).toEqual({ flow: 'thermoFlow', latestOnly: false })
    expect(spec('the')).toEqual({ flow: 'the', latestOnly: false })
  })

  test('errors say what is wrong', () => {
    expect(error('')).toContain('Which run?')
    expect(error('HelloFlow/12/start')).toContain('give the run only, e.g. `HelloFlow/12`')
    expect(error('HelloFlow/12/')).toContain('step or task')
    expect(error('Hello-Flow/12')).toContain('is not a run id')
    expect(error('../etc/12')).toContain('is not a run id')
    expect(error('HelloFlow please')).toContain('how to inspect')
    expect(error('HelloFlow tagged')).toContain('Say which tag')
    expect(error("savin's")).toContain('how to inspect')
  })
})

const NOW = 1_795_000_000_000
const flows: FlowFixture[] = [
  {
    name: 'HelloFlow',
    createdAt: NOW - 10 * 86400_000,
    runs: [
      linearRun({ id: '12', user: 'savin', createdAt: NOW - 5 * 3600_000, tags: ['production'] }),
      linearRun({ id: '15', user: 'dberg', createdAt: NOW - 4 * 3600_000 }),
      linearRun({ id: '20', user: 'savin', createdAt: NOW - 3 * 3600_000 }),
      linearRun({ id: '21', user: 'dberg', createdAt: NOW - 2 * 3600_000, tags: ['production'] }),
      linearRun({ id: '30', user: 'savin', createdAt: NOW - 1 * 3600_000 }),
      linearRun({ id: '31', user: 'ann', createdAt: NOW - 1800_000 }),
      linearRun({ id: '32', user: 'ann', createdAt: NOW - 900_000 }),
    ],
  },
  { name: 'OtherFlow', createdAt: NOW - 86400_000, runs: [] },
]

const ids = (r: Awaited<ReturnType<typeof resolveRunSpec>>) =>
  r.kind === 'run'
    ? [String(r.run.run_number)]
    : r.kind === 'candidates'
      ? r.runs.map((x) => String(x.run_number))
      : r.reason

let fake: FakeMetaflow
let sysroot: string
const sources: Record<string, () => MetaflowSource> = {}

beforeAll(async () => {
  fake = startFakeMetaflow().load(flows)
  sysroot = await makeTempSysroot()
  const root = await writeLocalDatastore(sysroot, flows)
  sources.service = () => new ServiceSource(new ServiceClient({ url: fake.url, retries: 0 }), null)
  sources.local = () => new LocalSource(root)
}, HOOK_TIMEOUT)

afterAll(async () => {
  await fake.stop()
  await rm(sysroot, { recursive: true, force: true })
})

for (const kind of ['service', 'local']) {
  describe(`resolveRunSpec (${kind})`, () => {
    const resolve = (text: string) => resolveRunSpec(sources[kind]!(), spec(text))

    test('an exact run', async () => {
      expect(ids(await resolve('HelloFlow/21'))).toEqual(['21'])
    })
    test('a flow alone lists up to 5 runs, newest first', async () => {
      expect(ids(await resolve('HelloFlow'))).toEqual(['32', '31', '30', '21', '20'])
    })
    test('latest run of keeps the newest only', async () => {
      expect(ids(await resolve('the latest run of HelloFlow'))).toEqual(['32'])
    })
    test("owner's requires the user tag", async () => {
      expect(ids(await resolve("savin's HelloFlow"))).toEqual(['30', '20', '12'])
      expect(ids(await resolve("savin's latest HelloFlow"))).toEqual(['30'])
      expect(ids(await resolve("dberg's latest run of HelloFlow"))).toEqual(['21'])
    })
    test('tagged requires the tag; together with an owner, both', async () => {
      expect(ids(await resolve('HelloFlow tagged production'))).toEqual(['21', '12'])
      expect(ids(await resolve("savin's HelloFlow tagged production"))).toEqual(['12'])
      expect(ids(await resolve('HelloFlow tagged runtime:dev'))).toHaveLength(5)
    })
    test('flow not found, with a case hint', async () => {
      const r = await resolve('helloflow/12')
      expect(r).toMatchObject({ kind: 'not-found', reason: 'flow' })
      expect(r.kind === 'not-found' && r.message).toContain('Did you mean `HelloFlow`?')
      expect(await resolve('NoSuchFlow')).toMatchObject({ kind: 'not-found', reason: 'flow' })
    })
    test('run not found, and no matching runs', async () => {
      expect(await resolve('HelloFlow/999')).toMatchObject({ kind: 'not-found', reason: 'run' })
      const none = await resolve("nobody's HelloFlow")
      expect(none).toMatchObject({ kind: 'not-found', reason: 'no-match' })
      expect(none.kind === 'not-found' && none.message).toBe(
        'No runs of `HelloFlow` match (started by nobody).',
      )
      expect(await resolve('OtherFlow')).toMatchObject({ kind: 'not-found', reason: 'no-match' })
    })
  })
}
